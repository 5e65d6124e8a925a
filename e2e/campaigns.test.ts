import { readFileSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_TEMPLATES } from "../server/simulator/templates.ts";
import { eventually } from "../server/tests/support/eventually.ts";
import { launchBrowser, screenshot } from "./browser.ts";
import { logIn, startWhatsAppTestBed, type WhatsAppTestBed } from "./whatsapp-harness.ts";

// An admin creates a marketing campaign to a label in the browser, starts it and watches it
// finish; a customer who wrote STOP before is left out.

const FESTIVAL_OFFER = {
  id: "1000000000000099",
  name: "festival_offer",
  language: "en",
  status: "APPROVED",
  category: "MARKETING",
  components: [{ type: "BODY", text: "Hi {{1}}, enjoy {{2}} off this Diwali!" }],
};
const CUSTOMERS = 20;
/** A second number, on a business account of its own with its own templates. */
const SUPPORT_LINE = { phoneNumberId: "106540352249003", businessAccountId: "102290129349003", displayPhoneNumber: "919000000003", token: "support-line-token-0123456789abcdef" };
const SUPPORT_TEMPLATE = { id: "1000000000000203", name: "service_followup", language: "en", status: "APPROVED", category: "UTILITY", components: [{ type: "BODY", text: "How did we do?" }] };
const waIdOf = (index: number) => `91982${String(index).padStart(7, "0")}`;

let bed: WhatsAppTestBed;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  bed = await startWhatsAppTestBed();
  bed.simulator.setTemplates([...DEFAULT_TEMPLATES, FESTIVAL_OFFER] as typeof DEFAULT_TEMPLATES);
  const { db } = bed.server.app;
  const workspace = await db.workspace.findFirstOrThrow();
  const label = await db.label.create({ data: { workspaceId: workspace.id, name: "Diwali", color: "#ff9900" } });
  await db.contact.createMany({ data: Array.from({ length: CUSTOMERS }, (_, index) => ({ workspaceId: workspace.id, name: `Asha ${index}`, whatsappNumber: `+${waIdOf(index)}` })) });
  const contacts = await db.contact.findMany({ where: { workspaceId: workspace.id } });
  await db.contactLabel.createMany({ data: contacts.map((contact) => ({ contactId: contact.id, labelId: label.id })) });
  await bed.simulator.sendInbound({ from: waIdOf(0), name: "Asha 0", type: "text", text: "STOP" });
  await eventually(async () => (await db.contact.findFirst({ where: { whatsappNumber: `+${waIdOf(0)}` } }))?.marketingConsent === "OPTED_OUT", "STOP to opt Asha 0 out");
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await logIn(page, `${bed.server.url}/campaigns`);
  await page.getByRole("heading", { name: "Campaigns", exact: true }).waitFor();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await bed?.stop();
});

describe("the campaigns page", () => {
  it("creates a campaign with a per-customer variable, starts it and shows it finish, the opted-out customer left out", async () => {
    const form = page.getByRole("form", { name: "New campaign" });
    await form.getByLabel("Name").fill("Diwali offer");
    await form.getByLabel("Template").selectOption({ label: "festival_offer (en, marketing)" });
    await form.getByLabel("Value of {{1}}").selectOption({ label: "Contact's first name" });
    await form.getByLabel("Value of {{2}}").selectOption({ label: "The same text for everyone" });
    await form.getByLabel("Text of {{2}}").fill("20%");
    await form.getByLabel("Diwali").check();
    await form.getByRole("button", { name: "Create draft" }).click();

    const card = page.getByRole("article", { name: "Diwali offer" });
    await card.getByText("Draft").waitFor();
    // Before sending: the audience after exclusions, the limit's verdict and each customer's own message.
    const before = card.getByRole("region", { name: "Before sending" });
    await before.getByText(`${CUSTOMERS - 1} recipients will get the message; 1 left out.`).waitFor();
    await before.getByRole("list", { name: "Left out" }).getByText("1 opted out").waitFor();
    await before.getByRole("status", { name: /Messaging limit/ }).waitFor();
    const messages = before.getByRole("list", { name: "Messages as they will be sent" });
    await messages.getByText("Hi Asha, enjoy 20% off this Diwali!").first().waitFor();
    await before.getByLabel("Find a recipient").fill("Asha 3");
    await eventually(async () => (await messages.getByRole("listitem").count()) === 1, "the search to leave Asha 3 alone");
    await messages.getByRole("listitem").filter({ hasText: "Asha 3 ·" }).getByText("Hi Asha, enjoy 20% off this Diwali!").waitFor();
    await screenshot(page, "campaigns-draft");
    await card.getByRole("button", { name: "Start" }).click();
    await card.getByText("Completed").waitFor({ timeout: 20_000 });
    expect(await card.getByRole("progressbar").getAttribute("aria-valuenow")).toBe("100");
    await screenshot(page, "campaigns-completed");

    const sent = bed.simulator.sentMessages().filter((message) => message.request.type === "template");
    expect(sent).toHaveLength(CUSTOMERS - 1);
    expect(sent.map((message) => message.to)).not.toContain(waIdOf(0));
    expect(JSON.stringify(sent.find((message) => message.to === waIdOf(3))!.request)).toContain('"Asha"');
  }, 60_000);

  it("reports the finished campaign — funnel, failures by reason, cost — live, and downloads every recipient's outcome as CSV", async () => {
    const card = page.getByRole("article", { name: "Diwali offer" });
    await card.getByText("Report", { exact: true }).click();
    const funnel = card.getByRole("table", { name: "Recipients at each stage" });
    const stage = (name: string) => funnel.getByRole("row", { name: new RegExp(`^${name}`) }).getByRole("cell").first();
    await expect.poll(() => stage("Read").textContent(), { timeout: 15_000 }).toBe(String(CUSTOMERS - 1));
    expect(await stage("Sent").textContent()).toBe(String(CUSTOMERS - 1));
    expect(await stage("Replied within 72 h").textContent()).toBe("0");
    expect(await card.getByRole("img", { name: /Recipients at each stage/ }).count()).toBe(1);
    await card.getByText("No recipient failed.").waitFor();
    await card.getByText(/for 19 billable messages/).waitFor({ timeout: 15_000 });

    // A customer answers: the report counts it without a reload (campaignUpdated).
    await bed.simulator.sendInbound({ from: waIdOf(5), name: "Asha 5", type: "text", text: "Is it valid online too?" });
    await expect.poll(() => stage("Replied within 72 h").textContent(), { timeout: 15_000 }).toBe("1");
    await screenshot(page, "campaigns-report");

    const [download] = await Promise.all([page.waitForEvent("download"), card.getByRole("link", { name: "Download CSV" }).click()]);
    expect(download.suggestedFilename()).toBe("campaign-diwali-offer-recipients.csv");
    const csv = readFileSync((await download.path())!, "utf8").trimEnd().split("\r\n");
    expect(csv[0]).toBe("name,phone,bsuid,status,status_at,sent,delivered,read,replied_within_72h,error_code,error_title");
    expect(csv).toHaveLength(CUSTOMERS);
    const asha5 = csv.find((line) => line.startsWith(`Asha 5,${waIdOf(5)},`))!;
    expect(asha5).toMatch(/^Asha 5,\d+,,read,[^,]+,yes,yes,yes,yes,,$/);
    expect(csv.filter((line) => line.endsWith(",yes,yes,yes,no,,"))).toHaveLength(CUSTOMERS - 2);
  }, 60_000);

  it("sends from the number the admin chooses, listing that number's templates", async () => {
    const { db } = bed.server.app;
    const workspace = await db.workspace.findFirstOrThrow();
    const { token, ...line } = SUPPORT_LINE;
    bed.simulator.addNumber(SUPPORT_LINE);
    await db.whatsAppPhoneNumber.create({ data: { ...line, workspaceId: workspace.id, accessTokenSealed: bed.server.app.numbers.seal(line.phoneNumberId, token) } });
    // As connectWhatsAppNumber does after its commit: the server's cached list of numbers is dropped.
    bed.server.app.numbers.changed({ phoneNumberId: SUPPORT_LINE.phoneNumberId, workspaceId: workspace.id });
    bed.simulator.setTemplates([SUPPORT_TEMPLATE] as typeof DEFAULT_TEMPLATES, SUPPORT_LINE.businessAccountId);
    await page.reload();
    const form = page.getByRole("form", { name: "New campaign" });
    const templates = () => form.getByLabel("Template").locator("option").allTextContents();
    await expect.poll(templates).toContain("festival_offer (en, marketing)");
    const numbers = await form.getByLabel("From").locator("option").allTextContents();
    expect(numbers).toHaveLength(3);
    expect(numbers[0]).toBe("The default number");
    expect(numbers.some((label) => label.replace(/\D/g, "") === SUPPORT_LINE.displayPhoneNumber)).toBe(true);
    await form.getByLabel("From").selectOption(SUPPORT_LINE.phoneNumberId);
    await expect.poll(templates).toContain("service_followup (en, utility)");
    expect(await templates()).not.toContain("festival_offer (en, marketing)");
    await form.getByLabel("Name").fill("Support follow-up");
    await form.getByLabel("Template").selectOption({ label: "service_followup (en, utility)" });
    await form.getByLabel("Diwali", { exact: true }).check();
    await form.getByRole("button", { name: "Create draft" }).click();
    await page.getByRole("article", { name: "Support follow-up" }).getByText("Draft").waitFor();
    expect((await db.campaign.findFirstOrThrow({ where: { name: "Support follow-up" } })).fromPhoneNumberId).toBe(SUPPORT_LINE.phoneNumberId);
  }, 60_000);
});
