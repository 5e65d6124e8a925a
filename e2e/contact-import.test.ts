import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_TEMPLATES } from "../server/simulator/templates.ts";
import type { TestServer } from "../server/tests/support/harness.ts";
import { launchBrowser, screenshot } from "./browser.ts";
import { makeLabelAndChooseCsv } from "./contact-import-steps.ts";
import { startWhatsAppTestBed, type WhatsAppTestBed } from "./whatsapp-harness.ts";

// An admin imports customers from CSV in the browser — a refused row first — and sends them a
// campaign whose variable is one of the file's custom columns.

const STORE_OPENING = {
  id: "1000000000000097",
  name: "store_opening",
  language: "en",
  status: "APPROVED",
  category: "MARKETING",
  components: [{ type: "BODY", text: "Hi {{1}}, our {{2}} store is open!" }],
};

let bed: WhatsAppTestBed;
let server: TestServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  bed = await startWhatsAppTestBed();
  bed.simulator.setTemplates([...DEFAULT_TEMPLATES, STORE_OPENING] as typeof DEFAULT_TEMPLATES);
  server = bed.server;
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await bed?.stop();
});

const FILE = ["name,phone,city", "Anita Desai,98765 40001,Mumbai", "Bharat Singh,12345,Delhi", "Chitra Nair,+91 98765 40003,Kochi"].join("\n");

describe("an admin importing contacts from CSV", () => {
  it("sees the refused row and why, stores nothing, fixes it and imports: the contacts appear with their label and custom field", async () => {
    const rows = await makeLabelAndChooseCsv(page, server.url, { name: "Diwali list" }, { name: "customers.csv", text: FILE });
    await page.getByRole("checkbox", { name: "Diwali list" }).check();
    await page.getByRole("button", { name: "Import", exact: true }).click();

    const table = page.getByRole("table", { name: "Rows to fix" });
    await table.waitFor();
    expect(await table.getByRole("row").allInnerTexts()).toEqual([
      expect.stringMatching(/Line\s+Column\s+Value\s+Why/i),
      expect.stringMatching(/^3\s+phone\s+12345\s+Invalid phone number/),
    ]);
    expect(await page.getByRole("status").filter({ hasText: "Nothing was imported" }).textContent()).toContain("1 row of 3 must be fixed first");
    // The scrolling report takes keyboard focus, so it can be scrolled without a mouse.
    expect(await page.getByRole("region", { name: "Rows to fix" }).getAttribute("tabindex")).toBe("0");
    expect(await server.app.db.contact.count()).toBe(0);
    await screenshot(page, "contact-import-refused");

    await rows.fill(FILE.replace("12345", "98765 40002"));
    await page.getByRole("button", { name: "Check file" }).click();
    await page.getByRole("status").filter({ hasText: "The file is ready: 3 contacts, 3 new" }).waitFor();
    expect(await server.app.db.contact.count()).toBe(0);
    await page.getByRole("button", { name: "Import", exact: true }).click();
    await page.getByRole("status").filter({ hasText: "Imported 3 contacts: 3 new, 0 updated" }).waitFor();
    await page.getByRole("link", { name: /Open chat with Bharat Singh in WhatsApp/ }).waitFor();
    await screenshot(page, "contact-import-done");

    await page.getByRole("link", { name: "Bharat Singh", exact: true }).click();
    await page.getByRole("heading", { name: "Bharat Singh" }).waitFor();
    const details = page.getByRole("region", { name: "Details" });
    await details.getByText("Diwali list").waitFor();
    expect(await details.innerText()).toMatch(/city\s+Delhi/i);
  });

  it("sends a campaign whose variable is the imported city, each customer their own", async () => {
    await page.getByRole("link", { name: "Campaigns" }).click();
    const form = page.getByRole("form", { name: "New campaign" });
    await form.getByLabel("Name").fill("Store opening");
    await form.getByLabel("Template").selectOption({ label: "store_opening (en, marketing)" });
    await form.getByLabel("Value of {{1}}").selectOption({ label: "Contact's first name" });
    await form.getByLabel("Value of {{2}}").selectOption({ label: "Custom field: city" });
    await form.getByLabel("Diwali list").check();
    await form.getByRole("button", { name: "Create draft" }).click();
    const card = page.getByRole("article", { name: "Store opening" });
    await card.getByText("Draft").waitFor();
    await card.getByRole("button", { name: "Start" }).click();
    await card.getByText("Completed").waitFor({ timeout: 20_000 });

    const sent = bed.simulator.sentMessages().filter((message) => message.request.type === "template");
    const texts = await server.app.db.whatsAppMessage.findMany({ where: { campaignId: { not: null } }, select: { text: true }, orderBy: { text: "asc" } });
    expect(sent.map((message) => message.to).sort()).toEqual(["919876540001", "919876540002", "919876540003"]);
    expect(texts.map((message) => message.text)).toEqual(["Hi Anita, our Mumbai store is open!", "Hi Bharat, our Delhi store is open!", "Hi Chitra, our Kochi store is open!"]);
  }, 60_000);
});
