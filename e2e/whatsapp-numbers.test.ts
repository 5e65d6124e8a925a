import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, screenshot } from "./browser.ts";
import { logIn, startWhatsAppTestBed, type WhatsAppTestBed } from "./whatsapp-harness.ts";

// A second business signs up, connects its own WhatsApp number on Settings → WhatsApp (Meta being
// the simulator, which knows that number and its token), and from then on receives its own
// customers live — and only its own: the first business never sees them, nor they its.

const SECOND = { phoneNumberId: "300000000000003", businessAccountId: "400000000000004", token: "EAAB-mehta-sweets-token-0123456789" };
const KAVYA = "919822200002";
const MEERA = "919812345678";

let bed: WhatsAppTestBed;
let browser: Browser;
let first: Page;
let second: Page;

beforeAll(async () => {
  bed = await startWhatsAppTestBed({ ALLOW_SIGNUP: "true" });
  bed.simulator.addNumber({ ...SECOND, verifiedName: "Mehta Sweets", displayPhoneNumber: "918000000003", qualityRating: "YELLOW", isOnBizApp: true });
  browser = await launchBrowser();
  first = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  second = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await logIn(first, `${bed.server.url}/inbox`);
  await first.getByRole("heading", { name: "Inbox" }).waitFor();
});
afterAll(async () => {
  await browser?.close();
  await bed?.stop();
});

const option = (page: Page, name: RegExp) => page.getByRole("option", { name });

describe("a second business with its own number", () => {
  it("signs up and is pointed from the inbox to Settings → WhatsApp", async () => {
    await second.goto(`${bed.server.url}/signup`);
    await second.getByLabel("Business name").fill("Mehta Sweets");
    await second.getByLabel("Your name").fill("Anita Mehta");
    await second.getByLabel("Email").fill("anita@mehta.example");
    await second.getByLabel(/^Password/).fill("sweet password");
    await second.getByRole("button", { name: "Create workspace" }).click();
    await second.getByRole("heading", { name: "Team", exact: true }).waitFor();
    await second.getByRole("link", { name: "Inbox" }).click();
    const banner = second.getByRole("region", { name: "WhatsApp setup" });
    await banner.getByText("WhatsApp is not configured").waitFor();
    await banner.getByRole("link", { name: "connect a WhatsApp number" }).click();
    await second.getByRole("heading", { name: "WhatsApp", exact: true }).waitFor();
    await second.getByText("No number yet: connect one below.").waitFor();
  });

  it("shows Meta's refusal of a token on the form, from the keyboard, and stores nothing", async () => {
    await second.getByLabel("Phone number ID").fill(SECOND.phoneNumberId);
    await second.getByLabel("WhatsApp Business Account ID").fill(SECOND.businessAccountId);
    const token = second.getByLabel("Access token");
    expect(await token.getAttribute("type")).toBe("password");
    await token.fill("EAAB-an-expired-token");
    await token.press("Enter");
    await second.getByText(/^Meta refused this access token/).waitFor();
    expect(await token.getAttribute("aria-invalid")).toBe("true");
    expect(await bed.server.app.db.whatsAppPhoneNumber.count({ where: { phoneNumberId: SECOND.phoneNumberId } })).toBe(0);
  });

  it("connects the number: its name, display number, quality and coexistence are shown", async () => {
    await second.getByLabel("Access token").fill(SECOND.token);
    await second.getByRole("button", { name: "Connect" }).click();
    const number = second.locator(`li[data-phone-number-id="${SECOND.phoneNumberId}"]`);
    await number.getByText("Mehta Sweets").waitFor();
    await number.getByText("+91 80000 00003").waitFor();
    await number.getByText("Connected", { exact: true }).waitFor();
    await number.getByText("Medium").waitFor();
    await number.getByText("WhatsApp Business app").waitFor();
    // The token left the page once stored.
    expect(await second.getByLabel("Access token").inputValue()).toBe("");
    await screenshot(second, "whatsapp-numbers-connected");
  });

  it("receives its own customers live, and the first business does not see them (nor the other way round)", async () => {
    await second.getByRole("link", { name: "Inbox" }).click();
    await second.getByRole("heading", { name: "Inbox" }).waitFor();
    expect(await second.getByRole("region", { name: "WhatsApp setup" }).count()).toBe(0);

    await bed.simulator.sendInbound({ phone_number_id: SECOND.phoneNumberId, from: KAVYA, name: "Kavya Rao", type: "text", text: "Two boxes of kaju katli?" });
    await option(second, /^Kavya Rao/).waitFor({ timeout: 5_000 });
    await bed.simulator.sendInbound({ from: MEERA, name: "Meera Iyer", type: "text", text: "Is the blue silk in stock?" });
    await option(first, /^Meera Iyer/).waitFor({ timeout: 5_000 });

    expect(await option(first, /^Kavya Rao/).count()).toBe(0);
    expect(await option(second, /^Meera Iyer/).count()).toBe(0);
    await screenshot(second, "whatsapp-numbers-own-customer");
  });

  it("disconnects after confirmation; its conversation stays", async () => {
    await second.getByRole("link", { name: "Settings" }).click();
    await second.getByRole("link", { name: "WhatsApp numbers" }).click();
    const number = second.locator(`li[data-phone-number-id="${SECOND.phoneNumberId}"]`);
    await number.getByRole("button", { name: "Disconnect" }).click();
    const dialog = second.getByRole("dialog", { name: "Disconnect Mehta Sweets?" });
    // Cancel is focused first: Escape or Enter there changes nothing.
    await second.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    await number.getByRole("button", { name: "Disconnect" }).click();
    await dialog.getByRole("button", { name: "Disconnect" }).click();
    await number.getByText("Disconnected").waitFor();
    await second.getByRole("link", { name: "Inbox" }).click();
    await option(second, /^Kavya Rao/).waitFor();
    await second.getByRole("region", { name: "WhatsApp setup" }).waitFor();
  });
});
