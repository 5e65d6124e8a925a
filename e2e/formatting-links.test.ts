import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, screenshot } from "./browser.ts";
import { logIn, startWhatsAppTestBed, type WhatsAppTestBed } from "./whatsapp-harness.ts";

// What a newcomer tripped over (issue 22, items 8 and 9), at phone and desktop sizes: numbers
// as people write them, chats without a name, contact ↔ conversation links, labels, the reports'
// dates and a single day's rates, and page columns that keep their width.

const SIZES = [
  { name: "desktop", viewport: { width: 1280, height: 900 } },
  { name: "phone", viewport: { width: 390, height: 844 } },
] as const;

let bed: WhatsAppTestBed;
let browser: Browser;
/** The admin's session, logged in once: login attempts are rate-limited, and every test here needs one. */
let session: Awaited<ReturnType<BrowserContext["storageState"]>>;
let workspaceId = "";
/** The calendar day (UTC) of the seeded report messages, "2025-11-25". */
let reportDay = "";

beforeAll(async () => {
  bed = await startWhatsAppTestBed();
  const { db } = bed.server.app;
  workspaceId = (await db.workspace.findFirstOrThrow()).id;
  // Noon in India two days ago: the same calendar day in UTC and in India.
  const base = new Date(Date.now() - 2 * 86_400_000);
  base.setUTCHours(6, 30, 0, 0);
  reportDay = base.toISOString().slice(0, 10);
  const reported = await db.conversation.create({ data: { workspaceId, waId: "919811100000", profileName: "Report Customer", lastMessageAt: base } });
  const common = { workspaceId, conversationId: reported.id, type: "text", preview: "…", timestamp: base };
  await db.whatsAppMessage.createMany({
    data: [
      { ...common, direction: "OUTBOUND", status: "READ" },
      { ...common, direction: "OUTBOUND", status: "DELIVERED" },
    ],
  });
  browser = await launchBrowser();
  const first = await browser.newPage();
  await logIn(first, `${bed.server.url}/inbox`);
  await first.getByRole("heading", { name: "Inbox" }).waitFor();
  session = await first.context().storageState();
  await first.close();
});
afterAll(async () => {
  await browser?.close();
  await bed?.stop();
});

async function signedIn(path: string, viewport: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, locale: "en-IN", storageState: session });
  const page = await context.newPage();
  await page.goto(`${bed.server.url}${path}`);
  return { context, page };
}

/** A customer WhatsApp gave no profile name (the webhook's `contacts` may lack one). */
async function namelessCustomer(waId: string) {
  const now = new Date();
  return bed.server.app.db.conversation.create({ data: { workspaceId, waId, lastMessageAt: now, lastInboundAt: now, lastMessagePreview: "hello?" } });
}

/** How often a number appears in a text, however it is written there (E.164 or with spaces). */
function timesShown(text: string, waId: string) {
  return text.replace(/\D/g, "").split(waId).length - 1;
}

async function detailsOf(page: Page) {
  const toggle = page.getByRole("button", { name: "Contact details", exact: true });
  if ((await toggle.getAttribute("aria-expanded")) !== "true") await toggle.click();
  const details = page.getByRole("complementary", { name: "Contact details" });
  await details.waitFor();
  return details;
}

describe.each(SIZES)("at $name size", ({ name, viewport }) => {
  it("shows a nameless chat by its number in international format, once, with one avatar initial", async () => {
    const waId = name === "phone" ? "919812300001" : "919812300002";
    const shown = name === "phone" ? "+91 98123 00001" : "+91 98123 00002";
    await namelessCustomer(waId);
    const { context, page } = await signedIn("/inbox", viewport);
    await page.getByRole("option", { name: new RegExp(`^\\${shown}`) }).click();
    const chat = page.getByRole("region", { name: `Chat with ${shown}` });
    await chat.getByRole("heading", { name: shown }).waitFor();
    const header = chat.locator("header").first();
    expect(timesShown(await header.innerText(), waId)).toBe(1);
    expect((await header.locator(".avatar").innerText()).trim()).toHaveLength(1);

    const details = await detailsOf(page);
    expect(timesShown(await details.innerText(), waId)).toBe(1);
    expect((await details.locator(".avatar").innerText()).trim()).toHaveLength(1);
    await screenshot(page, `nameless-chat-${name}`);
    await context.close();
  });

  it("offers Create contact prefilled from a conversation, then links the contact and the conversation both ways", async () => {
    const waId = name === "phone" ? "919876500001" : "919876500002";
    const shown = name === "phone" ? "+91 98765 00001" : "+91 98765 00002";
    const customer = `Kavya ${name}`;
    await bed.simulator.sendInbound({ from: waId, name: customer, type: "text", text: "Is the blue saree in stock?" });
    const { context, page } = await signedIn("/inbox", viewport);
    await page.getByRole("option", { name: new RegExp(`^${customer}`) }).click();
    await page.getByRole("log", { name: "Messages" }).waitFor();
    let details = await detailsOf(page);
    expect(await details.innerText()).toContain(shown);
    await details.getByRole("link", { name: "Create contact" }).click();

    await page.getByRole("heading", { name: "New contact" }).waitFor();
    expect(await page.getByLabel("Name").inputValue()).toBe(customer);
    expect(await page.getByLabel("WhatsApp number").inputValue()).toBe(shown);
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("heading", { name: customer, level: 1 }).waitFor();
    await page.getByText(shown, { exact: true }).first().waitFor();
    const stored = await bed.server.app.db.contact.findFirstOrThrow({ where: { name: customer } });
    expect(stored.whatsappNumber).toBe(`+${waId}`);
    await screenshot(page, `contact-with-conversation-${name}`);

    await page.getByRole("link", { name: "Open conversation" }).click();
    await page.getByRole("region", { name: `Chat with ${customer}` }).waitFor();
    details = await detailsOf(page);
    await details.getByRole("link", { name: "Open CRM contact" }).click();
    await page.getByRole("heading", { name: customer, level: 1 }).waitFor();
    expect(page.url()).toMatch(new RegExp(`/contacts/${stored.id}$`));
    await context.close();
  });

  it("refuses a label name over 40 characters under its field, and starts each new label in another colour", async () => {
    const { context, page } = await signedIn("/settings/workflow", viewport);
    const labels = page.getByRole("list", { name: "Labels" });
    const nameField = page.getByLabel("Label name");
    const colour = page.getByLabel("Colour");
    await expect.poll(() => page.getByText("Loading labels…").count()).toBe(0);
    const long = `${name} wholesale buyers from the northern states`;
    expect(long.length).toBeGreaterThan(40);
    await nameField.fill(long);
    expect(await nameField.inputValue()).toBe(long);
    await page.getByRole("button", { name: "Add label" }).click();
    await page.getByText("Must be at most 40 characters").waitFor();
    expect(await nameField.getAttribute("aria-invalid")).toBe("true");
    expect(await bed.server.app.db.label.count({ where: { name: { startsWith: name } } })).toBe(0);
    await screenshot(page, `label-too-long-${name}`);

    const colours: string[] = [];
    for (const label of [`${name} VIP`, `${name} Wholesale`, `${name} Follow-up`]) {
      colours.push(await colour.inputValue());
      await nameField.fill(label);
      await page.getByRole("button", { name: "Add label" }).click();
      await labels.getByText(label, { exact: true }).waitFor();
    }
    expect(new Set(colours).size).toBe(3);
    const stored = await bed.server.app.db.label.findMany({ where: { name: { startsWith: name } } });
    expect(new Set(stored.map((label) => label.color)).size).toBe(3);
    await context.close();
  });

  it("keeps the contacts column as wide as the page, so the search placeholder shows whole", async () => {
    const { context, page } = await signedIn("/contacts", viewport);
    const search = page.getByRole("searchbox", { name: "Search contacts" });
    await search.fill("zz");
    await page.getByText("No match for “zz”").waitFor();
    const fits = await search.evaluate((input: HTMLInputElement) => {
      const style = getComputedStyle(input);
      const context2d = document.createElement("canvas").getContext("2d")!;
      context2d.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      const contentWidth = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      return { text: context2d.measureText(input.placeholder).width, contentWidth };
    });
    expect(fits.text).toBeLessThanOrEqual(fits.contentWidth);
    const mainWidth = await page.locator("main").evaluate((main) => main.getBoundingClientRect().width);
    expect(mainWidth).toBeGreaterThanOrEqual(Math.min(viewport.width, 72 * 16) - 1);
    await screenshot(page, `contacts-no-match-${name}`);
    await context.close();
  });

  /** What the From field shows (Chromium draws it in the browser's own locale): read from its accessibility tree. */
  async function shownInDateField(page: Page): Promise<string> {
    const cdp = await page.context().newCDPSession(page);
    const { nodes } = await cdp.send("Accessibility.getFullAXTree");
    const shown: string[] = [];
    let fields = 0;
    for (const node of nodes) {
      if (node.ignored) continue;
      const role = node.role?.value;
      if (role === "spinbutton") {
        shown.push(String(node.value?.value ?? "").padStart(String(node.name?.value) === "Year" ? 4 : 2, "0"));
        if (++fields === 3) break;
      } else if (fields > 0 && role === "StaticText") shown.push(String(node.name?.value ?? ""));
    }
    return shown.join("");
  }

  it.each([
    { locale: undefined, label: "the browser's own locale" },
    { locale: "en-IN", label: "en-IN" },
    { locale: "en-US", label: "en-US" },
  ])("writes the reports' days one way in $label (range, table, chart axis) and shows a single day's rates as points", async ({ locale }) => {
    const context = await browser.newContext({ viewport, storageState: session, ...(locale ? { locale } : {}) });
    // What the charts draw on their canvases: the axis labels are text drawn there.
    await context.addInitScript(() => {
      const drawn: string[] = [];
      Object.assign(globalThis, { drawnText: drawn });
      const fillText = CanvasRenderingContext2D.prototype.fillText;
      CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
        drawn.push(String(text));
        return fillText.call(this, text, ...rest);
      };
    });
    const page = await context.newPage();
    await page.goto(`${bed.server.url}/reports`);
    await page.getByRole("heading", { name: "Reports", level: 1 }).waitFor();
    await page.getByLabel("From", { exact: true }).fill(reportDay);
    await page.getByLabel("To", { exact: true }).fill(reportDay);
    const [year, month, date] = reportDay.split("-");
    // Playwright's locale emulation reaches the page's Intl but not how Chromium draws a date field:
    // only without it do the field and the page share a locale, as they do for a person.
    const day = locale === "en-IN" ? `${date}/${month}/${year}` : locale === "en-US" ? `${month}/${date}/${year}` : await shownInDateField(page);
    expect(day).toMatch(/^\d{2}\D\d{2}\D\d{4}$|^\d{4}\D\d{2}\D\d{2}$/);
    await page.getByText(`${day} to ${day}`).waitFor();
    await page.getByRole("table", { name: "Daily figures" }).getByRole("row", { name: new RegExp(`^${day}`) }).waitFor();
    await expect.poll(() => page.evaluate((label) => (globalThis as unknown as { drawnText: string[] }).drawnText.includes(label), day)).toBe(true);

    // Read rate 50 % in the read colour (#0b78b8): a point one can see, not a 2-pixel dot.
    const rates = page.getByRole("img", { name: /Delivery and read rates per day/ });
    await rates.scrollIntoViewIfNeeded();
    const readPixels = await rates.evaluate((canvas: HTMLCanvasElement) => {
      const { data } = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height);
      const ratio = window.devicePixelRatio || 1;
      let count = 0;
      // Above the x axis and the legend, whose swatch is drawn in the same colour.
      const plotArea = canvas.width * Math.floor(canvas.height * 0.7) * 4;
      for (let index = 0; index < plotArea; index += 4) {
        if (Math.abs(data[index] - 11) < 40 && Math.abs(data[index + 1] - 120) < 40 && Math.abs(data[index + 2] - 184) < 40 && data[index + 3] > 200) count++;
      }
      return count / (ratio * ratio);
    });
    // A disc of radius 4 CSS pixels or more covers about 50; radius 2 about 12.
    expect(readPixels).toBeGreaterThan(40);
    await screenshot(page, `reports-single-day-${locale ?? "browser"}-${name}`);
    await context.close();
  });
});
