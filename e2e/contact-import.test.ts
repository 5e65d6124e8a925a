import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestServer, type TestServer } from "../server/tests/support/harness.ts";
import { launchBrowser, screenshot } from "./browser.ts";

let server: TestServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
  page = await browser.newPage();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const FILE = ["name,phone,city", "Anita Desai,98765 40001,Mumbai", "Bharat Singh,12345,Delhi", "Chitra Nair,+91 98765 40003,Kochi"].join("\n");

describe("an admin importing contacts from CSV", () => {
  it("sees the refused row and why, stores nothing, fixes it and imports: the contacts appear with their label and custom field", async () => {
    const admin = await server.app.db.user.findFirstOrThrow({ where: { role: "ADMIN" } });
    await server.app.db.label.create({ data: { workspaceId: admin.workspaceId, name: "Diwali list", color: "#ff9933" } });

    await page.goto(`${server.url}/contacts`);
    await page.waitForURL(/\/login/);
    await page.getByLabel("Email").fill(ADMIN_EMAIL);
    await page.getByLabel("Password").fill(ADMIN_PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("heading", { name: "Contacts" }).waitFor();

    await page.getByRole("button", { name: "Import CSV" }).click();
    await page.getByLabel("CSV file").setInputFiles({ name: "customers.csv", mimeType: "text/csv", buffer: Buffer.from(FILE) });
    // The file is read into the box, where a row can be fixed.
    const rows = page.getByLabel("Rows (from the file, or pasted)");
    await expect.poll(() => rows.inputValue()).toBe(FILE);
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
});
