import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, screenshot } from "./browser.ts";
import { logIn, startWhatsAppTestBed, type WhatsAppTestBed } from "./whatsapp-harness.ts";

const MEERA = "919822233344";
const ARJUN = "919833344455";

let bed: WhatsAppTestBed;
let browser: Browser;
let page: Page;
let meeraWamid = "";

beforeAll(async () => {
  bed = await startWhatsAppTestBed();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  // Meera wrote a moment ago (window open); Arjun wrote two days ago (window closed).
  ({ wamid: meeraWamid } = await bed.simulator.sendInbound({ from: MEERA, name: "Meera Iyer", type: "text", text: "Do you deliver to Chennai?" }));
  await bed.simulator.sendInbound({ from: ARJUN, name: "Arjun Rao", type: "text", text: "Any Diwali offers?", timestamp: Math.floor(Date.now() / 1000) - 48 * 3600 });
  await logIn(page, `${bed.server.url}/inbox`);
  await page.getByRole("heading", { name: "Inbox" }).waitFor();
});
afterAll(async () => {
  await browser?.close();
  await bed?.stop();
});

const chat = () => page.getByRole("log", { name: "Messages" });
const bubble = (text: string) => chat().locator(".bubble", { hasText: text });
const composer = () => page.getByRole("textbox", { name: "Type a message" });

async function openConversation(name: RegExp) {
  await page.getByRole("option", { name }).click();
  await chat().waitFor();
}

describe("reactions, replies and templates in the inbox", () => {
  it("replies quoting the customer's message: the simulator receives context.message_id and the bubble shows the quote", async () => {
    await openConversation(/^Meera Iyer/);
    await bubble("Do you deliver to Chennai?").hover();
    await bubble("Do you deliver to Chennai?").getByRole("button", { name: "Reply", exact: true }).click();
    await page.getByRole("region", { name: "Replying to Meera Iyer" }).waitFor();
    await composer().fill("Yes, in 3 days.");
    // Writing shows the customer "typing…": Meta's read receipt of her message with typing_indicator.
    await expect
      .poll(() => bed.simulator.requests().some((request) => JSON.stringify(request.body ?? {}).includes('"typing_indicator":{"type":"text"}')))
      .toBe(true);
    await composer().press("Enter");

    await expect.poll(() => bed.simulator.sentMessages().find((message) => message.to === MEERA)?.request.context).toEqual({ message_id: meeraWamid });
    await bubble("Yes, in 3 days.").getByRole("button", { name: /Show the quoted message from Meera Iyer/ }).waitFor();
    expect(await page.getByRole("region", { name: "Replying to Meera Iyer" }).count()).toBe(0);
  });

  it("shows the customer's reaction on the reacted bubble live, not as a bubble of its own", async () => {
    const ours = bed.simulator.sentMessages().find((message) => message.to === MEERA)!;
    await bed.simulator.sendInbound({ from: MEERA, name: "Meera Iyer", type: "reaction", reaction: { message_id: ours.wamid, emoji: "❤️" } });
    await expect.poll(() => bubble("Yes, in 3 days.").locator(".reactions").textContent(), { timeout: 2_000 }).toBe("❤️");
    expect(await chat().getByText(/reacted to/).count()).toBe(0);
    expect(await bubble("Yes, in 3 days.").getByRole("img", { name: "Reactions: ❤️ from Meera Iyer" }).count()).toBe(1);
  });

  it("reacts to the customer's message from the keyboard, and the simulator receives the reaction", async () => {
    // Her own bubble, not our reply quoting it.
    const theirs = chat().locator(".bubble--in", { hasText: "Do you deliver to Chennai?" });
    await theirs.getByRole("button", { name: "React", exact: true }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("button", { name: "React with 👍" }).click();
    await expect
      .poll(() => bed.simulator.sentMessages().find((message) => message.type === "reaction" && message.to === MEERA)?.request.reaction)
      .toEqual({ message_id: meeraWamid, emoji: "👍" });
    await expect.poll(() => theirs.locator(".reactions").textContent()).toBe("👍");
    await screenshot(page, "inbox-reactions-replies");
  });

  it("offers a template when the window is closed: search, preview as the variables are filled, send", async () => {
    await openConversation(/^Arjun Rao/);
    await page.getByRole("heading", { name: "Send a template" }).waitFor();
    expect(await composer().count()).toBe(0);

    await page.getByLabel("Search templates").fill("reminder");
    await page.getByLabel("Template", { exact: true }).selectOption({ label: "appointment_reminder (hi) · utility" });
    const preview = page.getByRole("region", { name: "Preview" });
    expect(await preview.textContent()).toContain("{{1}}");
    await page.getByLabel("Parameter 1").fill("अर्जुन");
    await page.getByLabel("Parameter 2").fill("12 नवंबर");
    await expect.poll(() => preview.textContent()).toContain("नमस्ते अर्जुन, 12 नवंबर को आपकी अपॉइंटमेंट की याद दिला रहे हैं।");
    await screenshot(page, "inbox-template-preview");
    await page.getByRole("button", { name: "Send template" }).click();

    await chat().getByText("नमस्ते अर्जुन, 12 नवंबर को आपकी अपॉइंटमेंट की याद दिला रहे हैं।").waitFor();
    const sent = bed.simulator.sentMessages().at(-1);
    expect(sent).toMatchObject({ to: ARJUN, type: "template", request: { template: { name: "appointment_reminder", language: { code: "hi" } } } });
  });

  // The picker first offers appointment_reminder (en): "Hello {{1}}, … on {{2}}.".
  const parameterFields = (scope: Page | Locator) => scope.getByLabel(/^Parameter \d+$/);

  it("shows the template's parameter fields every time New chat opens, and holds Send template until they are filled", async () => {
    const dialog = page.getByRole("dialog", { name: "New chat" });
    for (const opening of ["first", "again"]) {
      await page.getByRole("button", { name: "New chat" }).click();
      await dialog.getByLabel("Phone number").fill("98000 54321");
      const template = dialog.getByLabel("Template", { exact: true });
      await template.waitFor();
      expect(await template.locator("option:checked").textContent(), opening).toContain("appointment_reminder (en)");
      await expect.poll(() => parameterFields(dialog).count(), { message: opening }).toBe(2);
      expect(await dialog.getByRole("button", { name: "Send template" }).isDisabled(), opening).toBe(true);
      if (opening === "first") await dialog.getByRole("button", { name: "Cancel" }).click();
    }
    await dialog.getByLabel("Parameter 1").fill("Kavya");
    expect(await dialog.getByRole("button", { name: "Send template" }).isDisabled()).toBe(true);
    await dialog.getByLabel("Parameter 2").fill("3 December");
    await dialog.getByRole("button", { name: "Send template" }).click();
    await page.getByRole("heading", { name: "+91 98000 54321" }).waitFor();
    expect(bed.simulator.sentMessages().at(-1)).toMatchObject({
      to: "919800054321",
      request: { template: { name: "appointment_reminder", language: { code: "en" } } },
    });
  });

  it("keeps a closed-window conversation's parameter fields after the agent switches to another chat and back", async () => {
    await openConversation(/^Arjun Rao/);
    await expect.poll(() => parameterFields(page).count()).toBe(2);
    await openConversation(/^Meera Iyer/);
    await composer().waitFor();
    await openConversation(/^Arjun Rao/);
    await page.getByRole("heading", { name: "Send a template" }).waitFor();
    await expect.poll(() => parameterFields(page).count()).toBe(2);
    expect(await page.getByRole("button", { name: "Send template" }).isDisabled()).toBe(true);
  });
});
