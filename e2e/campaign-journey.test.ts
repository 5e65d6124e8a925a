import { readFileSync } from "node:fs";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_TEMPLATES } from "../server/simulator/templates.ts";
import { eventually } from "../server/tests/support/eventually.ts";
import { launchBrowser, screenshot } from "./browser.ts";
import { makeLabelAndChooseCsv } from "./contact-import-steps.ts";
import { CREDENTIALS, startWhatsAppTestBed, type WhatsAppTestBed } from "./whatsapp-harness.ts";

// Issue 21's "Done when", as an admin lives it in the browser: a label, a CSV of 200 customers
// put under it, a campaign whose {{2}} is each customer's own city, its preview (messages, cost,
// messaging limit), started, paused and resumed while it sends, finished, and its report — and
// the customer who had written STOP never got it.

const STORE_OPENING = {
  id: "1000000000000095",
  name: "store_opening",
  language: "en",
  status: "APPROVED",
  category: "MARKETING",
  components: [{ type: "BODY", text: "Hi {{1}}, our {{2}} store is open!" }],
};

const CUSTOMERS = 200;
const FIRST_NAMES = ["Anita", "Bharat", "Chitra", "Deepak", "Esha", "Farhan", "Gauri", "Harish", "Isha", "Jatin"];
const LAST_NAMES = ["Desai", "Singh", "Nair", "Rao", "Iyer", "Khan", "Joshi", "Menon", "Patel", "Reddy"];
const CITIES = ["Mumbai", "Delhi", "Kochi", "Pune", "Chennai", "Jaipur", "Lucknow", "Indore"];
/** As people write it in a spreadsheet: ten digits, no country code. */
const phoneOf = (index: number) => `98760${String(index).padStart(5, "0")}`;
const waIdOf = (index: number) => `91${phoneOf(index)}`;
const nameOf = (index: number) => `${FIRST_NAMES[index % FIRST_NAMES.length]} ${LAST_NAMES[Math.floor(index / FIRST_NAMES.length) % LAST_NAMES.length]}`;
const cityOf = (index: number) => CITIES[index % CITIES.length]!;
const FILE = ["name,phone,city", ...Array.from({ length: CUSTOMERS }, (_, index) => `${nameOf(index)},${phoneOf(index)},${cityOf(index)}`)].join("\n");
/** Wrote STOP to the business before the list was imported; their row is in the file. */
const STOPPED = 42;
const RECIPIENTS = CUSTOMERS - 1;
/** INDIA_DEFAULT_RATES' marketing rate (server/whatsapp/pricing.ts): what the preview forecasts. */
const MARKETING_RATE_INR = 0.8631;

// Slow enough for the admin to pause and resume while it sends: 199 recipients take about 10 s.
const SEND_RATE_PER_SECOND = 20;

let bed: WhatsAppTestBed;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  bed = await startWhatsAppTestBed({ WHATSAPP_SEND_RATE_PER_SECOND: String(SEND_RATE_PER_SECOND) });
  bed.simulator.setTemplates([...DEFAULT_TEMPLATES, STORE_OPENING] as typeof DEFAULT_TEMPLATES);
  await bed.simulator.sendInbound({ from: waIdOf(STOPPED), name: nameOf(STOPPED), type: "text", text: "stop" });
  await eventually(
    async () => (await bed.server.app.db.contact.findFirst({ where: { whatsappNumber: `+${waIdOf(STOPPED)}` } }))?.marketingConsent === "OPTED_OUT",
    "the customer's STOP to opt them out",
  );
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await bed?.stop();
});

const templatesSent = () => bed.simulator.sentMessages().filter((message) => message.request.type === "template");
const progressOf = async (card: Locator) => Number(await card.getByRole("progressbar").getAttribute("aria-valuenow"));
const countOn = async (card: Locator, term: string) => (await card.getByRole("term").filter({ hasText: new RegExp(`^${term}$`) }).locator("xpath=following-sibling::dd").innerText()).trim();

describe("an admin's campaign to an imported list", () => {
  it("labels 200 imported customers, the one who wrote STOP among them", async () => {
    await makeLabelAndChooseCsv(page, bed.server.url, { name: "Store opening list", colour: "#ff9933" }, { name: "store-opening.csv", text: FILE });
    await page.getByRole("checkbox", { name: "Store opening list" }).check();
    await page.getByRole("button", { name: "Check file" }).click();
    // The customer who wrote is a contact already: their row updates them.
    await page.getByRole("status").filter({ hasText: "The file is ready: 200 contacts, 199 new, 1 updated" }).waitFor();
    await page.getByRole("button", { name: "Import", exact: true }).click();
    await page.getByRole("status").filter({ hasText: "Imported 200 contacts: 199 new, 1 updated" }).waitFor({ timeout: 20_000 });
    await screenshot(page, "campaign-journey-imported");
  }, 60_000);

  it("creates a draft whose {{2}} is each customer's city and sees, before sending, each one's message, who is left out, the cost and the limit check", async () => {
    await page.getByRole("link", { name: "Campaigns", exact: true }).click();
    const form = page.getByRole("form", { name: "New campaign" });
    await form.getByLabel("Name").fill("Store opening");
    await form.getByLabel("Template").selectOption({ label: "store_opening (en, marketing)" });
    await form.getByText("Hi {{1}}, our {{2}} store is open!").waitFor();
    await form.getByLabel("Value of {{1}}").selectOption({ label: "Contact's first name" });
    await form.getByLabel("Value of {{2}}").selectOption({ label: "Custom field: city" });
    await form.getByLabel("Store opening list").check();
    await form.getByRole("button", { name: "Create draft" }).click();

    const card = page.getByRole("article", { name: "Store opening" });
    await card.getByText("Draft", { exact: true }).waitFor();
    expect(await countOn(card, "Skipped")).toBe("1");

    const before = card.getByRole("region", { name: "Before sending" });
    await before.getByText(`${RECIPIENTS} recipients will get the message; 1 left out.`).waitFor();
    await before.getByRole("list", { name: "Left out" }).getByText("1 opted out").waitFor();
    // The forecast, in the browser's own currency format: every recipient at the marketing rate.
    const forecast = await page.evaluate((amount) => new Intl.NumberFormat(undefined, { style: "currency", currency: "INR" }).format(amount), RECIPIENTS * MARKETING_RATE_INR);
    await before.getByText(`Estimated cost: ${forecast} if every message is delivered.`).waitFor();
    // The number came from the environment: its limit was asked of WhatsApp when the server started.
    const limit = before.getByRole("status", { name: "Messaging limit: Within the messaging limit" });
    expect(await limit.innerText()).toContain(`Within the messaging limit: ${RECIPIENTS} new customers, 0 of 1,000 new customers in 24 h already reached.`);
    await screenshot(page, "campaign-journey-limit");

    // Each customer's own message: Chitra of Kochi, found by her number.
    const messages = before.getByRole("list", { name: "Messages as they will be sent" });
    await messages.getByRole("listitem").first().waitFor();
    expect(await messages.getByRole("listitem").count()).toBe(5);
    await before.getByLabel("Find a recipient").fill(phoneOf(2));
    await eventually(async () => (await messages.getByRole("listitem").count()) === 1, "the search to leave Chitra alone");
    // Her number as people write it, then her own message.
    expect(await messages.getByRole("listitem").innerText()).toMatch(/^Chitra Desai · \+91 98760 00002\s+Hi Chitra, our Kochi store is open!$/);
    await screenshot(page, "campaign-journey-draft");
    // The customer who wrote STOP gets no message.
    await before.getByLabel("Find a recipient").fill(phoneOf(STOPPED));
    await before.getByText("No recipient matches.").waitFor();
    expect(await messages.getByRole("listitem").count()).toBe(0);
  }, 60_000);

  it("shows in Settings the messaging limit the preview checked, read from WhatsApp for the configured number", async () => {
    await page.getByRole("link", { name: "Settings", exact: true }).click();
    await page.getByRole("link", { name: "WhatsApp numbers" }).click();
    await page.locator(`li[data-phone-number-id="${CREDENTIALS.phoneNumberId}"]`).getByText("1K customers / day").waitFor();
    await page.getByRole("link", { name: "Campaigns", exact: true }).click();
    await page.getByRole("article", { name: "Store opening" }).getByRole("region", { name: "Before sending" }).waitFor();
  }, 60_000);

  it("starts it, pauses it while it sends (nothing leaves while paused), resumes it and watches it finish", async () => {
    const card = page.getByRole("article", { name: "Store opening" });
    await card.getByRole("button", { name: "Start" }).click();
    await card.getByText("Sending", { exact: true }).waitFor();
    // The bar moves live; the admin pauses part way.
    await expect.poll(() => progressOf(card), { timeout: 30_000 }).toBeGreaterThan(0);
    await screenshot(page, "campaign-journey-sending");
    await card.getByRole("button", { name: "Pause" }).click();
    await card.getByText("Paused", { exact: true }).waitFor();
    await card.getByText("Paused by an admin").waitFor();

    // Rows a worker held when the pause came are given back within a poll; then nothing leaves.
    let settled = templatesSent().length;
    let since = Date.now();
    await eventually(
      () => {
        const now = templatesSent().length;
        if (now !== settled) [settled, since] = [now, Date.now()];
        return Date.now() - since >= 1_000;
      },
      "sending to stop after the pause",
      15_000,
    );
    expect(settled).toBeLessThan(RECIPIENTS);
    // A short look at a paused campaign: still nothing sent, the bar where it stopped.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(templatesSent()).toHaveLength(settled);
    await expect.poll(() => progressOf(card), { timeout: 10_000 }).toBe(Math.round((settled / (RECIPIENTS)) * 100));
    expect(await progressOf(card)).toBeLessThan(100);
    await screenshot(page, "campaign-journey-paused");

    await card.getByRole("button", { name: "Resume" }).click();
    await card.getByText("Sending", { exact: true }).waitFor();
    await card.getByText("Completed", { exact: true }).waitFor({ timeout: 60_000 });
    expect(await progressOf(card)).toBe(100);
    expect(await countOn(card, "Recipients")).toBe(String(RECIPIENTS));
    expect(await countOn(card, "Sent")).toBe(String(RECIPIENTS));
    expect(await countOn(card, "Skipped")).toBe("1");
    expect(await countOn(card, "Failed")).toBe("0");
    await card.getByText("Left out: 1 opted out.").waitFor();
    const forecast = await page.evaluate((amount) => new Intl.NumberFormat(undefined, { style: "currency", currency: "INR" }).format(amount), RECIPIENTS * MARKETING_RATE_INR);
    expect(await countOn(card, "Estimated cost")).toBe(forecast);
    await screenshot(page, "campaign-journey-completed");

    // Every other customer got it exactly once, with their own first name and city; the one who wrote STOP did not.
    const sent = templatesSent();
    const expected = Array.from({ length: CUSTOMERS }, (_, index) => index).filter((index) => index !== STOPPED);
    expect(sent.map((message) => message.to).sort()).toEqual(expected.map(waIdOf).sort());
    expect(sent.map((message) => message.to)).not.toContain(waIdOf(STOPPED));
    const chitra = sent.find((message) => message.to === waIdOf(2))!;
    expect(chitra.request).toMatchObject({
      template: { name: "store_opening", components: [{ type: "body", parameters: [{ type: "text", text: "Chitra" }, { type: "text", text: "Kochi" }] }] },
    });
  }, 120_000);

  it("reads the report — funnel to read, no failures, the cost — and downloads every recipient's outcome", async () => {
    const card = page.getByRole("article", { name: "Store opening" });
    await card.getByText("Report", { exact: true }).click();
    const funnel = card.getByRole("table", { name: "Recipients at each stage" });
    const stage = (name: string) => funnel.getByRole("row", { name: new RegExp(`^${name}`) }).getByRole("cell").first();
    // Delivered and read statuses keep arriving after the last send: the report follows them live.
    await expect.poll(() => stage("Read").textContent(), { timeout: 30_000 }).toBe(String(RECIPIENTS));
    expect(await stage("Sent").textContent()).toBe(String(RECIPIENTS));
    expect(await stage("Delivered").textContent()).toBe(String(RECIPIENTS));
    expect(await stage("Replied within 72 h").textContent()).toBe("0");
    expect(await card.getByRole("img", { name: /Recipients at each stage/ }).count()).toBe(1);
    await card.getByText("No recipient failed.").waitFor();
    await card.getByText(`for ${RECIPIENTS} billable messages`).waitFor({ timeout: 30_000 });
    await screenshot(page, "campaign-journey-report");

    const [download] = await Promise.all([page.waitForEvent("download"), card.getByRole("link", { name: "Download CSV" }).click()]);
    const lines = readFileSync((await download.path())!, "utf8").trimEnd().split("\r\n");
    expect(lines[0]).toBe("name,phone,bsuid,status,status_at,sent,delivered,read,replied_within_72h,error_code,error_title");
    expect(lines).toHaveLength(1 + RECIPIENTS);
    expect(lines.find((line) => line.startsWith(`${nameOf(2)},${waIdOf(2)},`))).toMatch(/,read,[^,]+,yes,yes,yes,no,,$/);
    expect(lines.some((line) => line.includes(waIdOf(STOPPED)))).toBe(false);
  }, 60_000);
});
