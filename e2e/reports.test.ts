import { readFile } from "node:fs/promises";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../server/tests/support/harness.ts";
import { launchBrowser, screenshot } from "./browser.ts";
import { logIn } from "./whatsapp-harness.ts";

// Messages are stored straight into the database, as ingest and the outbox would have stored
// them, two days ago: inside the page's default range whatever the browser's time zone.

let server: TestServer;
let browser: Browser;
let page: Page;
let day = "";

beforeAll(async () => {
  server = await startTestServer();
  const { db } = server.app;
  const workspaceId = (await db.workspace.findFirstOrThrow()).id;
  const conversation = await db.conversation.create({ data: { workspaceId, waId: "919876543210", profileName: "Priya Sharma", lastMessageAt: new Date() } });
  // Noon in India two days ago: the same calendar day in UTC and in India.
  const base = new Date(Date.now() - 2 * 86_400_000);
  base.setUTCHours(6, 30, 0, 0);
  day = base.toISOString().slice(0, 10);
  const at = (minutes: number) => new Date(base.getTime() + minutes * 60_000);
  const common = { workspaceId, conversationId: conversation.id, type: "text", preview: "…" };
  await db.whatsAppMessage.createMany({
    data: [
      { ...common, direction: "INBOUND", status: "RECEIVED", timestamp: at(0) },
      { ...common, direction: "OUTBOUND", status: "READ", timestamp: at(4), pricingCategory: "service", pricingBillable: false, pricingModel: "PMP" },
      { ...common, direction: "OUTBOUND", status: "DELIVERED", type: "template", timestamp: at(60), pricingCategory: "marketing", pricingBillable: true, pricingModel: "PMP" },
      { ...common, direction: "OUTBOUND", status: "FAILED", timestamp: at(61), errorCode: 131026, errorTitle: "Message undeliverable" },
    ],
  });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true, locale: "en-IN" });
  await logIn(page, `${server.url}/inbox`);
  await page.getByRole("heading", { name: "Inbox" }).waitFor();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("the reports page", () => {
  it("shows the seeded messages in the figures, the charts and the tables", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Reports" }).click();
    await page.getByRole("heading", { name: "Reports", level: 1 }).waitFor();
    const tile = (label: string) => page.locator(".tile", { hasText: label }).locator(".value");
    await expect.poll(() => tile("Messages in").textContent()).toBe("1");
    expect(await tile("Messages out").textContent()).toBe("3");
    expect(await tile("Delivery rate").textContent()).toBe("66.7%");
    expect(await tile("Median first response").textContent()).toBe("4 min");
    expect(await tile("Estimated cost").textContent()).toBe("₹0.86");
    expect(await page.locator(".tile", { hasText: "Estimated cost" }).locator(".hint").textContent()).toBe("1 billable message");

    const dailyRow = page.getByRole("table", { name: "Daily figures" }).getByRole("row", { name: new RegExp(`^${day.split("-").reverse().join("/")}`) });
    expect(await dailyRow.getByRole("cell").allTextContents()).toEqual(["1", "3", "2", "1", "1", "66.7%", "33.3%", "₹0.86"]);
    await page.getByRole("table", { name: "Failures by reason" }).getByRole("row", { name: /Message undeliverable/ }).waitFor();
    await page.getByRole("table", { name: /Estimated cost by pricing category/ }).getByRole("row", { name: /marketing IN 1 ₹0.86/ }).waitFor();

    // The charts drew something: their canvases are not blank.
    const charts = page.getByRole("img", { name: /per day|by reason|hour of day/ });
    expect(await charts.count()).toBe(4);
    const painted = await charts.first().evaluate((canvas) => {
      const element = canvas as HTMLCanvasElement;
      const pixels = element.getContext("2d")!.getImageData(0, 0, element.width, element.height).data;
      return pixels.some((value, index) => index % 4 === 3 && value > 0);
    });
    expect(painted).toBe(true);
    await screenshot(page, "reports");
    // At phone width nothing is wider than the screen: wide tables scroll inside their panel.
    await page.setViewportSize({ width: 390, height: 844 });
    await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(page, "reports-phone");
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("downloads the daily figures of the chosen range as CSV", async () => {
    await page.getByLabel("From", { exact: true }).fill(day);
    await page.getByLabel("To", { exact: true }).fill(day);
    await page.getByLabel("To", { exact: true }).dispatchEvent("change");
    await expect.poll(() => page.getByRole("link", { name: "Download CSV" }).getAttribute("href")).toBe(`/api/reports/daily.csv?from=${day}&to=${day}`);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download CSV" }).click()]);
    expect(download.suggestedFilename()).toBe(`messages-${day}-to-${day}.csv`);
    const csv = await readFile((await download.path())!, "utf8");
    expect(csv).toBe(
      "date,messages_in,messages_out,delivered,read,failed,delivery_rate,read_rate,estimated_cost_INR\r\n" + `${day},1,3,2,1,1,0.6667,0.3333,0.8631\r\n`,
    );
  });

  it("refuses a range that ends before it starts, saying so", async () => {
    await page.getByLabel("From", { exact: true }).fill(day);
    await page.getByLabel("From", { exact: true }).dispatchEvent("change");
    const before = new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel("To", { exact: true }).fill(before);
    await page.getByLabel("To", { exact: true }).dispatchEvent("change");
    await expect.poll(() => page.getByRole("alert").textContent()).toBe("to must be on or after from");
  });

  it("shows a conversation's estimated cost in the inbox's contact details", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Inbox" }).click();
    await page.getByRole("option", { name: /^Priya Sharma/ }).click();
    const details = page.getByRole("complementary", { name: "Contact details" });
    await expect.poll(() => details.textContent()).toContain("≈ ₹0.86 (1 billable message)");
  });
});
