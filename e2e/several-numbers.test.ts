// A business with two WhatsApp numbers, in the browser: which number each conversation is on,
// the filter by number (by keyboard), and a reply that leaves from the open conversation's number.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, screenshot } from "./browser.ts";
import { CREDENTIALS, logIn, startWhatsAppTestBed, type WhatsAppTestBed } from "./whatsapp-harness.ts";

const FIRST = "106540352242922";
const SECOND = "106540352249002";
const MEERA = "919733300001";

let bed: WhatsAppTestBed;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  bed = await startWhatsAppTestBed({}, [SECOND]);
  const { db } = bed.server.app;
  const workspace = await db.workspace.findFirstOrThrow();
  await db.whatsAppPhoneNumber.update({ where: { phoneNumberId: FIRST }, data: { displayPhoneNumber: "918000000001" } });
  await db.whatsAppPhoneNumber.create({
    data: { phoneNumberId: SECOND, workspaceId: workspace.id, displayPhoneNumber: "919000000002", accessTokenSealed: bed.server.app.numbers.seal(SECOND, CREDENTIALS.token) },
  });
  await bed.simulator.sendInbound({ from: MEERA, name: "Meera Iyer", type: "text", text: "Is the sale on? (sales line)" });
  await bed.simulator.sendInbound({ from: MEERA, name: "Meera Iyer", type: "text", text: "My parcel is late (support line)", phone_number_id: SECOND });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await logIn(page, `${bed.server.url}/inbox`);
  await page.getByRole("heading", { name: "Inbox" }).waitFor();
});
afterAll(async () => {
  await browser?.close();
  await bed?.stop();
});

const options = () => page.getByRole("listbox", { name: "Conversations" }).getByRole("option");

describe("an inbox on two WhatsApp numbers", () => {
  it("shows each conversation's number, filters by number from the keyboard, and replies from the conversation's number", async () => {
    await expect.poll(() => options().count()).toBe(2);
    await expect.poll(async () => (await options().allTextContents()).map((text) => /via (\+[\d ]+)/.exec(text)?.[1]?.trim()).sort()).toEqual(["+91 80000 00001", "+91 90000 00002"]);

    const filter = page.getByLabel("Filter by WhatsApp number");
    await filter.focus();
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    await expect.poll(() => filter.inputValue()).toBe(SECOND);
    await expect.poll(() => options().count()).toBe(1);
    await expect.poll(() => options().first().getAttribute("aria-label")).toContain("via +91 90000 00002");

    await options().first().click();
    const chat = page.getByRole("region", { name: "Chat with Meera Iyer" });
    await chat.getByText("via +91 90000 00002").waitFor();
    await page.getByRole("log", { name: "Messages" }).getByText("My parcel is late (support line)").waitFor();
    await screenshot(page, "several-numbers");
    const composer = page.getByRole("textbox", { name: /message/i });
    await composer.fill("Sorry! It leaves today.");
    await composer.press("Enter");
    await expect
      .poll(() => bed.simulator.sentMessages().filter((message) => message.body === "Sorry! It leaves today.").map((message) => message.phoneNumberId))
      .toEqual([SECOND]);
  });
});
