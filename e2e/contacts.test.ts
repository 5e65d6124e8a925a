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

describe("an agent in the browser", () => {
  it("logs in, creates a contact with a national-format Indian number, and sees its card with the wa.me link", async () => {
    await page.goto(`${server.url}/contacts`);
    await page.waitForURL(/\/login/);
    await page.getByLabel("Email").fill(ADMIN_EMAIL);
    await page.getByLabel("Password").fill(ADMIN_PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("heading", { name: "Contacts" }).waitFor();

    await page.getByRole("link", { name: "New contact" }).click();
    await page.getByLabel("Name").fill("Priya Sharma");
    await page.getByLabel("WhatsApp number").fill("98765 43210");
    await page.getByLabel("Company").fill("Sharma Textiles");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("heading", { name: "Priya Sharma" }).waitFor();
    await screenshot(page, "contact-detail");

    await page.getByRole("link", { name: "Contacts" }).first().click();
    const link = page.getByRole("link", { name: /Open chat with Priya Sharma in WhatsApp/ });
    await link.waitFor();
    expect(await link.textContent()).toContain("+91 98765 43210");
    expect(await link.getAttribute("href")).toBe("https://wa.me/919876543210");
    expect(await link.getAttribute("target")).toBe("_blank");
    await screenshot(page, "contacts");
  });

  it("shows 'Invalid phone number' under the number field and saves nothing", async () => {
    const before = await server.app.db.contact.count();
    await page.goto(`${server.url}/contacts/new`);
    await page.getByLabel("Name").fill("Wrong Number");
    await page.getByLabel("WhatsApp number").fill("12345");
    await page.getByRole("button", { name: "Save" }).click();
    const field = page.getByLabel("WhatsApp number");
    await page.getByText("Invalid phone number").waitFor();
    expect(await field.getAttribute("aria-invalid")).toBe("true");
    expect(await server.app.db.contact.count()).toBe(before);
    await screenshot(page, "contact-form-invalid-number");
  });
});

describe("the built client over HTTP", () => {
  it("sends compressed assets that browsers may cache for good, and an index.html they must revalidate", async () => {
    const index = await fetch(`${server.url}/inbox`, { headers: { "accept-encoding": "br, gzip" } });
    expect(index.headers.get("cache-control")).toBe("no-cache");
    const script = (await index.text()).match(/src="(\/assets\/[^"]+\.js)"/)?.[1];
    expect(script).toBeDefined();

    const brotli = await fetch(`${server.url}${script}`, { headers: { "accept-encoding": "br, gzip" } });
    expect(brotli.headers.get("content-encoding")).toBe("br");
    expect(brotli.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const gzip = await fetch(`${server.url}${script}`, { headers: { "accept-encoding": "gzip" } });
    expect(gzip.headers.get("content-encoding")).toBe("gzip");
    // fetch decompresses: the same script whichever encoding carried it.
    const plain = await fetch(`${server.url}${script}`, { headers: { "accept-encoding": "identity" } });
    expect(plain.headers.get("content-encoding")).toBeNull();
    const [fromBrotli, fromGzip, uncompressed] = await Promise.all([brotli.text(), gzip.text(), plain.text()]);
    expect(fromBrotli).toBe(uncompressed);
    expect(fromGzip).toBe(uncompressed);
  });
});

