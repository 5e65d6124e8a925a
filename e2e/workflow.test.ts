import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../server/auth/password.ts";
import { launchBrowser, screenshot } from "./browser.ts";
import { logIn, startWhatsAppTestBed, type WhatsAppTestBed } from "./whatsapp-harness.ts";

// Two agents of one business, each in their own browser: A (the admin) works a conversation —
// saves a canned response and a label, answers with /thanks, assigns, labels, writes a note and
// resolves — while B, with the same conversation open, sees every change arrive by itself.

const PRIYA = "919876543210";
const RAVI = { email: "ravi@bharat-crm.local", password: "ravi password 123", name: "Ravi Verma" };
const NOTE = "Wholesale buyer: offer 10% on the next order";
const THANKS = "Thank you for shopping with Bharat Sarees! 🙏";

let bed: WhatsAppTestBed;
let browser: Browser;
let agentA: Page;
let agentB: Page;

beforeAll(async () => {
  bed = await startWhatsAppTestBed();
  const { db } = bed.server.app;
  const admin = await db.user.findFirstOrThrow({ where: { role: "ADMIN" } });
  await db.user.create({
    data: { workspaceId: admin.workspaceId, email: RAVI.email, name: RAVI.name, role: "AGENT", passwordHash: await hashPassword(RAVI.password) },
  });
  await bed.simulator.sendInbound({ from: PRIYA, name: "Priya Sharma", type: "text", text: "Namaste! Has my saree order shipped?" });
  browser = await launchBrowser();
  agentA = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  agentB = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await logIn(agentA, `${bed.server.url}/settings/workflow`);
  await agentA.getByRole("heading", { name: "Labels & replies" }).waitFor();
  await logIn(agentB, `${bed.server.url}/inbox`, RAVI);
  await agentB.getByRole("heading", { name: "Inbox" }).waitFor();
});
afterAll(async () => {
  await browser?.close();
  await bed?.stop();
});

const option = (page: Page, name: RegExp) => page.getByRole("option", { name });
const workflowBar = (page: Page) => page.getByRole("group", { name: "Conversation workflow" });
const notes = (page: Page) => page.getByRole("region", { name: /Internal notes/ });

async function openPriya(page: Page) {
  await option(page, /^Priya Sharma/).click();
  await page.getByRole("log", { name: "Messages" }).waitFor();
}

describe("the conversation workflow", () => {
  it("lets an agent save canned responses and labels, with clear errors", async () => {
    const shortcut = agentA.getByLabel("Shortcut");
    await shortcut.fill("two words");
    await agentA.getByLabel("Reply").fill(THANKS);
    await agentA.getByRole("button", { name: "Add reply" }).click();
    await agentA.getByText("Use letters, digits, - and _ only (no spaces)").waitFor();
    await shortcut.fill("/Thanks");
    await agentA.getByRole("button", { name: "Add reply" }).click();
    await agentA.getByRole("list", { name: "Canned responses" }).getByText("/thanks").waitFor();
    expect(await shortcut.inputValue()).toBe("");

    await agentA.getByLabel("Label name").fill("VIP");
    await agentA.getByLabel("Colour").fill("#d32f2f");
    await agentA.getByRole("button", { name: "Add label" }).click();
    await agentA.getByRole("list", { name: "Labels" }).getByText("VIP").waitFor();
    await screenshot(agentA, "workflow-settings");

    // Editing fills the form with the item; saving changes it in place; a deleted one is gone.
    await agentA.getByLabel("Label name").fill("Spare");
    await agentA.getByRole("button", { name: "Add label" }).click();
    await agentA.getByRole("button", { name: "Edit label Spare" }).click();
    expect(await agentA.getByLabel("Label name").inputValue()).toBe("Spare");
    await agentA.getByLabel("Label name").fill("Spare tyre");
    await agentA.getByRole("button", { name: "Save label" }).click();
    await agentA.getByRole("button", { name: "Delete label Spare tyre" }).click();
    await agentA.getByRole("dialog").getByRole("button", { name: "Delete label" }).click();
    await agentA.getByRole("button", { name: "Delete label Spare tyre" }).waitFor({ state: "detached" });
    expect(await agentA.getByLabel("Label name").inputValue()).toBe("");
    expect(await bed.server.app.db.label.findMany({ select: { name: true } })).toEqual([{ name: "VIP" }]);
  });

  it("inserts a canned response when the agent types / in the composer, and sends it after a check", async () => {
    await agentA.getByRole("link", { name: "Inbox" }).click();
    await openPriya(agentA);
    const composer = agentA.getByRole("textbox", { name: "Type a message" });
    await composer.fill("/th");
    const picker = agentA.getByRole("listbox", { name: "Canned responses" });
    await picker.getByRole("option", { name: /\/thanks/ }).waitFor();
    await screenshot(agentA, "workflow-canned-picker");
    await composer.press("Enter");
    expect(await composer.inputValue()).toBe(THANKS);
    expect(await picker.count()).toBe(0);
    expect(bed.simulator.sentMessages()).toHaveLength(0);
    await composer.press("Enter");
    await expect.poll(() => bed.simulator.sentMessages().map((message) => message.body)).toEqual([THANKS]);
  });

  it("shows agent B the assignment, the label, the note and the resolution live, and never sends the note", async () => {
    await openPriya(agentB);
    const barB = workflowBar(agentB);

    // A assigns the conversation to B.
    await workflowBar(agentA).getByLabel("Assigned to").selectOption({ label: RAVI.name });
    await expect.poll(async () => (await barB.getByLabel("Assigned to").locator("option:checked").textContent())?.trim(), { timeout: 3_000 }).toBe(`${RAVI.name} (you)`);

    // A labels it VIP.
    await workflowBar(agentA).getByLabel("Add label").selectOption({ label: "VIP" });
    await barB.getByRole("list", { name: "Labels" }).getByText("VIP").waitFor({ timeout: 3_000 });
    await option(agentB, /^Priya Sharma/).getByText("VIP").waitFor({ timeout: 3_000 });

    // A writes an internal note.
    await notes(agentA).getByLabel("New internal note").fill(NOTE);
    await notes(agentA).getByRole("button", { name: "Add note" }).click();
    await notes(agentB).getByText(NOTE).waitFor({ timeout: 3_000 });
    expect(await notes(agentB).getByRole("button", { name: /Delete note/ }).count()).toBe(0);

    // A resolves it: B sees it resolved, and it leaves B's Open list.
    await workflowBar(agentA).getByRole("button", { name: "Resolve" }).click();
    await barB.getByRole("button", { name: "Reopen" }).waitFor({ timeout: 3_000 });
    await expect.poll(() => option(agentB, /^Priya Sharma/).count(), { timeout: 3_000 }).toBe(0);
    await screenshot(agentB, "workflow-agent-b");

    // It is in B's Resolved tab, labelled; the VIP filter finds it too.
    await agentB.getByRole("tab", { name: "Resolved" }).click();
    await option(agentB, /^Priya Sharma/).waitFor();
    await agentB.getByRole("tab", { name: "All" }).click();
    await agentB.getByLabel("Filter by label").focus();
    await agentB.getByLabel("Filter by label").selectOption({ label: "VIP" });
    await option(agentB, /^Priya Sharma/).waitFor();

    // The note stayed inside: the simulator (Meta) only ever received the canned reply.
    expect(bed.simulator.sentMessages().map((message) => message.body)).toEqual([THANKS]);
    expect(JSON.stringify(bed.simulator.sentMessages())).not.toContain("Wholesale");
  });

  it("reopens from the chat, for every agent", async () => {
    await workflowBar(agentB).getByRole("button", { name: "Reopen" }).click();
    await workflowBar(agentA).getByRole("button", { name: "Resolve" }).waitFor({ timeout: 3_000 });
  });

  it("fits a phone screen: the workflow bar wraps and stays usable", async () => {
    await agentB.setViewportSize({ width: 390, height: 800 });
    // The details would cover the chat at this width: they close on their own.
    await agentB.getByRole("complementary", { name: "Contact details" }).waitFor({ state: "detached" });
    await workflowBar(agentB).getByRole("button", { name: "Resolve" }).click();
    await workflowBar(agentB).getByRole("button", { name: "Reopen" }).waitFor();
    const width = await agentB.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    await screenshot(agentB, "workflow-phone");
  });
});
