import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

  it("shows the history import's result in Settings → WhatsApp", async () => {
    await signedIn.bed.simulator.syncHistory({ threads: 3, messagesPerThread: 10, mediaEvery: 0, chunkSize: 10, firstCustomer: "919700000500" });
    await signedIn.bed.server.app.historyImport.idle();
    await page.goto(`${signedIn.bed.server.url}/settings/whatsapp`);
    await page.getByRole("heading", { name: "Chat history imported" }).waitFor();
    expect(await page.locator('[data-figure="messages"]').textContent()).toBe("30");
    expect(await page.locator('[data-figure="threads"]').textContent()).toBe("3");
  });
});
