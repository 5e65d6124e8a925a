import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../server/tests/support/eventually.ts";
import { graphql } from "../server/tests/support/harness.ts";
import { openSignedInPage, type SignedInPage } from "./whatsapp-harness.ts";

// The business keeps the WhatsApp Business app on its phone (coexistence), simulated.
let signedIn: SignedInPage;
let page: Page;
const MEERA = "919700000901";

beforeAll(async () => {
  signedIn = await openSignedInPage("/inbox");
  page = signedIn.page;
  signedIn.bed.simulator.configure({ coexistence: true });
  await page.getByRole("heading", { name: "Inbox" }).waitFor();
  const answer = await graphql(signedIn.bed.server, `mutation { createAutoReplyRule(input: { kind: GREETING, reply: "Namaste! We will answer shortly." }) { __typename } }`);
  expect(answer.data.createAutoReplyRule.__typename).toBe("MutationCreateAutoReplyRuleSuccess");
});
afterAll(() => signedIn?.stop());

describe("coexistence with the WhatsApp Business app", () => {
  it("shows what the phone sends as outbound, marked as from the app, with no auto-reply and no unread badge", async () => {
    await signedIn.bed.simulator.changeAppContacts({ changes: [{ action: "add", phone_number: MEERA, full_name: "Meera Iyer" }] });
    const sent = await signedIn.bed.simulator.phoneSends({ from: MEERA, type: "text", text: "Your blouse is stitched, come by at 5" });
    expect(sent.httpStatus).toBe(200);

    const option = page.getByRole("option", { name: /^Meera Iyer/ });
    await option.waitFor();
    expect(await option.getAttribute("aria-label")).not.toContain("unread");
    await option.click();
    const chat = page.getByRole("log", { name: "Messages" });
    await chat.getByText("Your blouse is stitched, come by at 5").waitFor();
    await chat.getByText("Sent from the WhatsApp Business app").waitFor();
    await signedIn.bed.server.app.autoReplies.idle();
    expect(signedIn.bed.simulator.sentMessages().filter((message) => message.to === MEERA)).toEqual([]);
  });

  it("moves the history import's progress bar live in Settings → WhatsApp as the phases arrive, and shows the result", async () => {
    const { bed } = signedIn;
    // Six webhooks (phase 1, then phase 2, three chunks each) 700 ms apart, as Meta spreads them out.
    const synced = bed.simulator.syncHistory({ threads: 3, messagesPerThread: 10, mediaEvery: 0, chunkSize: 5, firstCustomer: "919700000500", pauseMs: 700 });
    // The admin opens the settings once the import has begun.
    await eventually(() => bed.server.app.db.historyImport.findFirst({ where: { progress: { gt: 0 } } }), "the import to begin");
    await page.goto(`${bed.server.url}/settings/whatsapp`);
    const section = page.getByRole("region", { name: /^Chat history of the WhatsApp Business app/ });
    await section.getByRole("heading", { name: "Importing chat history" }).waitFor();

    // Every value the bar and its note take from now on, as the page shows them: no reload, no polling of ours.
    await page.evaluate(() => {
      const seen: Array<{ progress: number; note: string }> = [];
      (window as unknown as { progressSeen: typeof seen }).progressSeen = seen;
      const look = () => {
        const bar = document.querySelector<HTMLProgressElement>(".history-import progress");
        const note = document.querySelector(".history-import progress + .note")?.textContent?.trim() ?? "";
        const last = seen.at(-1);
        if (bar && (last?.progress !== bar.value || last.note !== note)) seen.push({ progress: bar.value, note });
      };
      look();
      new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    await section.getByRole("heading", { name: "Chat history imported" }).waitFor({ timeout: 15_000 });
    await synced;

    const seen = await page.evaluate(() => (window as unknown as { progressSeen: Array<{ progress: number; note: string }> }).progressSeen);
    const values = seen.map((step) => step.progress);
    expect(values, JSON.stringify(seen)).toEqual([...values].sort((a, b) => a - b));
    expect(values.at(-1)).toBe(100);
    expect(new Set(values.filter((value) => value > 0 && value < 100)).size, `at least two steps before done: ${JSON.stringify(seen)}`).toBeGreaterThanOrEqual(2);
    expect(seen.some((step) => step.note.endsWith("now importing 90 to 180 days ago")), JSON.stringify(seen)).toBe(true);
    expect(await section.locator("progress").getAttribute("aria-valuetext")).toBe("100 %");
    expect(await page.locator('[data-figure="messages"]').textContent()).toBe("30");
    expect(await page.locator('[data-figure="threads"]').textContent()).toBe("3");
  });
});
