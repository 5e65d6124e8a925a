import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, screenshot } from "./browser.ts";
import { logIn, startWhatsAppTestBed, type WhatsAppTestBed } from "./whatsapp-harness.ts";

const MEERA = "919822233344";
const REPLY = "Our silk sarees start at ₹1,200. The full price list: https://example.in/prices";

let bed: WhatsAppTestBed;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  bed = await startWhatsAppTestBed();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await logIn(page, `${bed.server.url}/automation`);
  await page.getByRole("heading", { name: "Automation" }).waitFor();
});
afterAll(async () => {
  await browser?.close();
  await bed?.stop();
});

describe("auto-replies", () => {
  it("answers a customer's keyword with the rule made in the UI, shown in the chat as automatic", async () => {
    await page.getByLabel("Kind").selectOption({ label: "Keyword reply" });
    await page.getByLabel("Keywords").fill("price, rate");
    await page.getByLabel("Reply", { exact: true }).fill(REPLY);
    await page.getByRole("button", { name: "Add rule" }).click();
    const rules = page.getByRole("list", { name: "Auto-reply rules" });
    await rules.getByText(REPLY).waitFor();
    expect(await page.getByLabel("Keywords").inputValue()).toBe("");
    await screenshot(page, "automation-desktop");

    await bed.simulator.sendInbound({ from: MEERA, name: "Meera Iyer", type: "text", text: "Hello! What is the price of the blue silk saree?" });
    await page.getByRole("link", { name: "Inbox" }).click();
    await page.getByRole("option", { name: /^Meera Iyer/ }).click();
    const chat = page.getByRole("log", { name: "Messages" });
    const bubble = page.locator(".bubble--out", { hasText: REPLY });
    await bubble.waitFor({ timeout: 5_000 });
    await bubble.getByText("Automatic · Keyword reply").waitFor();
    await chat.getByText("Hello! What is the price of the blue silk saree?").waitFor();
    expect(bed.simulator.sentMessages().filter((message) => message.to === MEERA).map((message) => message.body)).toEqual([REPLY]);
    await screenshot(page, "automation-chat");
  });

  it("fits a phone's width, every control reachable", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${bed.server.url}/automation`);
    await page.getByRole("heading", { name: "Business hours" }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.getByRole("switch", { name: "AI replies" }).waitFor();
    expect(await page.getByRole("switch", { name: "AI replies" }).isDisabled()).toBe(true);
    await screenshot(page, "automation-phone");
  });

  it("saves business hours in the chosen time zone", async () => {
    await page.getByLabel("Always open (no away message)").uncheck();
    await page.getByLabel("Time zone").fill("Europe/London");
    await page.getByRole("button", { name: "Add hours on Sunday" }).click();
    await page.getByLabel("Sunday closes").fill("13:00");
    await page.getByRole("button", { name: "Save hours" }).click();
    await page.getByRole("status").filter({ hasText: /^Saved\./ }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, "automation-hours-phone");
    const workspace = await bed.server.app.db.workspace.findFirstOrThrow();
    expect(workspace.timeZone).toBe("Europe/London");
    expect(JSON.parse(workspace.businessHours!)).toMatchObject({ mon: [["09:00", "18:00"]], sat: [["09:00", "18:00"]], sun: [["09:00", "13:00"]] });
  });
});
