import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql } from "../server/tests/support/harness.ts";
import { screenshot } from "./browser.ts";
import { openSignedInPage, type SignedInPage } from "./whatsapp-harness.ts";

const MEERA = "919811122233";

let signedIn: SignedInPage;
const page = () => signedIn.page;
const chat = () => page().getByRole("log", { name: "Messages" });

beforeAll(async () => {
  signedIn = await openSignedInPage("/inbox");
  await signedIn.bed.simulator.sendInbound({ from: MEERA, name: "Meera Shah", type: "text", text: "Can I book a table for tonight?" });
  await page().getByRole("option", { name: /^Meera Shah/ }).click();
  await chat().getByText("Can I book a table for tonight?").waitFor();
});
afterAll(() => signedIn?.stop());

describe("interactive messages in the inbox", () => {
  it("sends reply buttons from the composer's + menu, and shows the customer's tap quoted under them, live", async () => {
    const p = page();
    await p.getByRole("button", { name: "More message types" }).click();
    await p.getByRole("menuitem", { name: "Buttons" }).click();
    const form = p.getByRole("region", { name: "New message: Buttons" });
    // The first field has the focus: the agent can type at once.
    await p.keyboard.type("Your table for 2 at 8 pm");
    await form.getByLabel("Message").fill("Shall we confirm your table for 8 pm?");
    await form.getByLabel("Button 1").fill("Confirm");
    await form.getByLabel("Button 2").fill("Reschedule");
    // The preview draws it as WhatsApp will.
    const preview = form.getByRole("group", { name: "Preview" });
    await preview.getByText("Shall we confirm your table for 8 pm?").waitFor();
    await preview.getByRole("listitem").filter({ hasText: "Reschedule" }).waitFor();
    await screenshot(p, "composer-buttons");
    await form.getByRole("button", { name: "Send" }).click();
    await form.waitFor({ state: "detached" });

    const question = chat().locator(".bubble--out").filter({ hasText: "Shall we confirm your table for 8 pm?" });
    await question.getByRole("list", { name: "Reply buttons" }).getByText("Confirm").waitFor();
    const sent = signedIn.bed.simulator.sentMessages().find((message) => message.to === MEERA && message.type === "interactive");
    expect(sent?.request.interactive).toMatchObject({ type: "button", header: { text: "Your table for 2 at 8 pm" }, action: { buttons: [{ reply: { title: "Confirm" } }, { reply: { title: "Reschedule" } }] } });

    // The customer taps Reschedule on their phone.
    await signedIn.bed.simulator.answer({ to: sent!.wamid, buttonId: "reschedule", name: "Meera Shah" });
    await question.getByRole("list", { name: "Answers" }).getByText("Meera Shah: chose “Reschedule”").waitFor({ timeout: 5_000 });
    // Their answer is also a message of its own, quoting the question.
    await chat().locator(".bubble--in").filter({ hasText: "Reschedule" }).waitFor();
    await screenshot(p, "buttons-answered");
  });

  it("sends a canned response with buttons from the keyboard: /shortcut, Enter opens it filled in, Enter sends it", async () => {
    const saved = await graphql(
      signedIn.bed.server,
      `mutation { createCannedResponse(input: { shortcut: "slot", body: "Would 7 pm or 9 pm suit you?",
        buttons: [{ id: "slot_7", title: "7 pm" }, { id: "slot_9", title: "9 pm" }] }) { __typename } }`,
    );
    expect(saved.data.createCannedResponse.__typename).toBe("MutationCreateCannedResponseSuccess");
    const p = page();
    const composer = p.getByRole("textbox", { name: "Type a message" });
    await composer.fill("/slo");
    await p.getByRole("listbox", { name: "Canned responses" }).getByRole("option", { name: /\/slot.*2 buttons/ }).waitFor();
    await composer.press("Enter");
    const form = p.getByRole("region", { name: "New message: Buttons" });
    expect(await form.getByLabel("Message").inputValue()).toBe("Would 7 pm or 9 pm suit you?");
    expect(await form.getByLabel("Button 2").inputValue()).toBe("9 pm");
    await screenshot(p, "canned-buttons-prefilled");
    await p.keyboard.press("Enter");
    await form.waitFor({ state: "detached" });

    const question = chat().locator(".bubble--out").filter({ hasText: "Would 7 pm or 9 pm suit you?" });
    await question.getByRole("list", { name: "Reply buttons" }).getByText("9 pm").waitFor();
    const sent = signedIn.bed.simulator.sentMessages().findLast((message) => message.to === MEERA && message.type === "interactive");
    // The canned response's own ids go to WhatsApp: they come back with the customer's tap.
    expect(sent?.request.interactive).toMatchObject({ type: "button", body: { text: "Would 7 pm or 9 pm suit you?" }, action: { buttons: [{ reply: { id: "slot_7", title: "7 pm" } }, { reply: { id: "slot_9", title: "9 pm" } }] } });
  });

  it("refuses a button title over 20 characters under the field, and sends nothing", async () => {
    const p = page();
    const before = signedIn.bed.simulator.sentMessages().length;
    await p.getByRole("button", { name: "More message types" }).focus();
    await p.keyboard.press("ArrowDown");
    await p.getByRole("menuitem", { name: "Buttons" }).waitFor();
    await p.keyboard.press("Enter");
    const form = p.getByRole("region", { name: "New message: Buttons" });
    await form.getByLabel("Message").fill("Which day suits you?");
    await form.getByLabel("Button 1").fill("Tomorrow evening at 8");
    await form.getByRole("button", { name: "Send" }).click();
    await form.getByText("Button 1's title must be at most 20 characters (it has 21)").waitFor();
    expect(await form.getByLabel("Button 1").getAttribute("aria-invalid")).toBe("true");
    expect(signedIn.bed.simulator.sentMessages()).toHaveLength(before);
    await p.keyboard.press("Escape");
    await form.waitFor({ state: "detached" });
  });
});
