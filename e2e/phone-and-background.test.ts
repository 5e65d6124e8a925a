// What a newcomer tripped over (issue 22): the inbox on a phone and on a desktop, nothing covering
// a message's text, and an inbox in a background tab that still gets the agent's attention.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql } from "../server/tests/support/harness.ts";
import { launchBrowser, screenshot } from "./browser.ts";
import { logIn, startWhatsAppTestBed, type WhatsAppTestBed } from "./whatsapp-harness.ts";

const PRIYA = "919876543210";
const KIRAN = "919845678901";
const PHONE = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true };
const DESKTOP = { viewport: { width: 1440, height: 900 } };
/** One row of the top bar: the brand and a button, with their padding. Three rows measured 170 px. */
const ONE_ROW_PX = 64;

let bed: WhatsAppTestBed;
let browser: Browser;

beforeAll(async () => {
  bed = await startWhatsAppTestBed();
  browser = await launchBrowser();
  const twoDaysAgo = Math.floor(Date.now() / 1000) - 48 * 3600;
  // Yesterday's message puts a date separator between it and today's.
  await bed.simulator.sendInbound({ from: PRIYA, name: "Priya Sharma", type: "text", text: "Hello, are you open on Sunday?", timestamp: twoDaysAgo });
  await bed.simulator.sendInbound({
    from: PRIYA,
    name: "Priya Sharma",
    type: "text",
    text: "Namaste! Has my saree order shipped? I ordered the blue silk one with the golden border last week.",
  });
});
afterAll(async () => {
  await browser?.close();
  await bed?.stop();
});

async function openPage(options: Parameters<Browser["newContext"]>[0]): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  await logIn(page, `${bed.server.url}/inbox`);
  await page.getByRole("heading", { name: "Inbox" }).waitFor();
  return { context, page };
}

async function openPriya(page: Page) {
  await page.getByRole("option", { name: /^Priya Sharma/ }).click();
  await page.getByRole("log", { name: "Messages" }).getByText("Has my saree order shipped?").waitFor();
}

/**
 * Every piece of text in the chat that something else lies over: each line box of each text is
 * probed at its middle and near both ends, and the element on top there must be the text's own.
 */
function coveredTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const scroller = document.querySelector('[role="log"]');
    if (!scroller) throw new Error("no chat");
    const view = scroller.getBoundingClientRect();
    const covered: string[] = [];
    const walker = document.createTreeWalker(scroller, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const owner = node.parentElement;
      if (!owner || !node.textContent?.trim() || owner.closest(".message-actions")) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const line of Array.from(range.getClientRects())) {
        if (line.width < 4 || line.top < view.top || line.bottom > view.bottom) continue;
        const y = line.top + line.height / 2;
        for (const x of [line.left + 2, line.left + line.width / 2, line.right - 2]) {
          const top = document.elementFromPoint(x, y);
          if (top && top !== owner && !owner.contains(top)) covered.push(`${node.textContent.trim().slice(0, 30)} under ${top.className || top.tagName}`);
        }
      }
    }
    return covered;
  });
}

/** The visible action buttons that intersect a bubble or a date separator. */
function actionsOverMessages(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const boxes = (selector: string) => Array.from(document.querySelectorAll<HTMLElement>(selector)).map((element) => element.getBoundingClientRect());
    const shown = Array.from(document.querySelectorAll<HTMLElement>(".message-actions button")).filter((button) => {
      const box = button.getBoundingClientRect();
      return box.width > 0 && Number(getComputedStyle(button.closest(".message-actions")!).opacity) > 0;
    });
    const messages = [...boxes(".bubble"), ...boxes(".day span")];
    const meets = (a: DOMRect, b: DOMRect) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    return shown.filter((button) => messages.some((box) => meets(button.getBoundingClientRect(), box))).map((button) => button.getAttribute("aria-label") ?? "?");
  });
}

const visibleActions = (page: Page) =>
  page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLElement>(".message-actions button"))
      .filter((button) => button.getBoundingClientRect().width > 0 && Number(getComputedStyle(button.closest(".message-actions")!).opacity) > 0)
      .map((button) => button.getAttribute("aria-label")),
  );

const topBarHeight = (page: Page) => page.locator("header.top-bar").evaluate((bar) => bar.getBoundingClientRect().height);

describe("on a desktop (1440 × 900)", () => {
  let page: Page;
  beforeAll(async () => {
    ({ page } = await openPage(DESKTOP));
    await openPriya(page);
  });

  it("keeps the top bar to one row with every section in sight", async () => {
    expect(await topBarHeight(page)).toBeLessThan(ONE_ROW_PX);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Contacts" }).waitFor();
    expect(await page.getByRole("button", { name: "Menu" }).isVisible()).toBe(false);
  });

  it("shows React and Reply beside the hovered bubble, covering no message", async () => {
    const bubble = page.locator(".bubble", { hasText: "Has my saree order shipped?" });
    await bubble.hover();
    await expect.poll(() => visibleActions(page)).toEqual(["React", "Reply"]);
    expect(await actionsOverMessages(page)).toEqual([]);
    expect(await coveredTexts(page)).toEqual([]);
    await screenshot(page, "desktop-chat");
  });

  it("writes a failed message's reason under its text, with no tooltip over the bubble", async () => {
    bed.simulator.forceFailures({ kind: "meta", code: 131026 });
    const composer = page.getByRole("textbox", { name: "Type a message" });
    await composer.fill("Shall I send the invoice?");
    await composer.press("Enter");
    const failed = page.locator(".bubble--out", { hasText: "Shall I send the invoice?" });
    await failed.getByText("Not sent: Message Undeliverable (131026)").waitFor();
    await failed.getByRole("img", { name: "Failed: Message Undeliverable (131026)" }).hover();
    expect(await coveredTexts(page)).toEqual([]);
    await failed.hover();
    expect(await actionsOverMessages(page)).toEqual([]);
    expect(await coveredTexts(page)).toEqual([]);
  });
});

describe("on a phone (390 × 844, touch)", () => {
  let context: BrowserContext;
  let page: Page;
  beforeAll(async () => {
    ({ context, page } = await openPage(PHONE));
  });
  afterAll(() => context.close());

  it("keeps the top bar to one row; the sections open from its Menu button", async () => {
    expect(await page.evaluate(() => matchMedia("(hover: none)").matches)).toBe(true);
    expect(await topBarHeight(page)).toBeLessThan(ONE_ROW_PX);
    expect(await page.getByRole("link", { name: "Contacts" }).isVisible()).toBe(false);
    await page.getByRole("button", { name: "Menu" }).tap();
    await screenshot(page, "phone-menu");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Contacts" }).tap();
    await page.waitForURL(/\/contacts$/);
    expect(await page.getByRole("button", { name: "Menu" }).getAttribute("aria-expanded")).toBe("false");
    expect(await topBarHeight(page)).toBeLessThan(ONE_ROW_PX);
    // A tap outside closes it, as any menu.
    await page.getByRole("button", { name: "Menu" }).tap();
    await page.getByRole("navigation", { name: "Main" }).waitFor();
    await page.touchscreen.tap(200, 700);
    await page.getByRole("navigation", { name: "Main" }).waitFor({ state: "hidden" });
    await page.getByRole("button", { name: "Menu" }).tap();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Inbox" }).tap();
    await page.getByRole("heading", { name: "Inbox" }).waitFor();
  });

  it("puts a message's actions behind a small menu button beside it: nothing covers the text or the date", async () => {
    await openPriya(page);
    await page.locator(".day").first().waitFor();
    // One menu button per message the agent can act on, React and Reply folded away.
    await expect.poll(async () => new Set(await visibleActions(page))).toEqual(new Set(["Message actions"]));
    expect(await actionsOverMessages(page)).toEqual([]);
    expect(await coveredTexts(page)).toEqual([]);
    await screenshot(page, "phone-chat");

    const bubble = page.locator(".bubble", { hasText: "Has my saree order shipped?" });
    await bubble.getByRole("button", { name: "Message actions" }).tap();
    await screenshot(page, "phone-message-actions");
    await bubble.getByRole("button", { name: "Reply", exact: true }).tap();
    await page.getByRole("region", { name: "Replying to Priya Sharma" }).waitFor();
    expect(await bubble.getByRole("button", { name: "Reply", exact: true }).isVisible()).toBe(false);
  });

  it("opens a message's actions on a long press", async () => {
    const bubble = page.locator(".bubble", { hasText: "Has my saree order shipped?" });
    const box = (await bubble.boundingBox())!;
    const touch = await context.newCDPSession(page);
    const point = { x: box.x + 20, y: box.y + 12 };
    await touch.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [point] });
    // Held until the menu shows (half a second): the finger is still down.
    await bubble.getByRole("button", { name: "React", exact: true }).waitFor();
    await touch.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
    expect(await bubble.getByRole("button", { name: "Message actions" }).getAttribute("aria-expanded")).toBe("true");
  });

  it("brings the chat back when the phone turns with the contact details open", async () => {
    const details = page.getByRole("complementary", { name: "Contact details" });
    const log = page.getByRole("log", { name: "Messages" });
    /** Whether the chat's messages are what the agent sees in the middle of them. */
    const chatOnTop = () =>
      log.evaluate((element) => {
        const box = element.getBoundingClientRect();
        const top = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
        return box.width > 0 && !!top && element.contains(top);
      });

    await page.getByRole("button", { name: "Contact details" }).tap();
    await details.waitFor();
    expect(await chatOnTop()).toBe(false);

    await page.setViewportSize({ width: 844, height: 390 });
    await expect.poll(chatOnTop).toBe(true);
    expect(await details.count()).toBe(0);

    // And turned back, with the details opened again there.
    await page.getByRole("button", { name: "Contact details" }).tap();
    await details.waitFor();
    await page.setViewportSize(PHONE.viewport);
    await expect.poll(chatOnTop).toBe(true);
  });
});

/** Stands in for the browser's Notification API and counts the chimes: the boundary the page talks to. */
function recordAttention() {
  const record = { requested: 0, shown: [] as Array<{ title: string; body?: string; tag?: string }>, chimes: 0 };
  Object.assign(window, { attention: record });
  class RecordedNotification {
    static permission: NotificationPermission = "default";
    static async requestPermission() {
      record.requested++;
      RecordedNotification.permission = "granted";
      return "granted";
    }
    onclick: (() => void) | null = null;
    constructor(title: string, options?: NotificationOptions) {
      record.shown.push({ title, body: options?.body, tag: options?.tag });
    }
    close() {}
  }
  Object.assign(window, { Notification: RecordedNotification });
  const createOscillator = AudioContext.prototype.createOscillator;
  AudioContext.prototype.createOscillator = function (this: AudioContext) {
    record.chimes++;
    return createOscillator.call(this);
  };
}

type Attention = { requested: number; shown: Array<{ title: string; body?: string; tag?: string }>; chimes: number };
const attention = (page: Page) => page.evaluate(() => (window as unknown as { attention: Attention }).attention);
const setHidden = (page: Page, hidden: boolean) =>
  page.evaluate((hidden) => {
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => (hidden ? "hidden" : "visible") });
    Object.defineProperty(document, "hidden", { configurable: true, get: () => hidden });
    document.dispatchEvent(new Event("visibilitychange"));
  }, hidden);
const unreadInTitle = async (page: Page) => Number(/^\((\d+)\) /.exec(await page.title())?.[1] ?? 0);

describe("an inbox in a background tab", () => {
  let context: BrowserContext;
  let page: Page;
  beforeAll(async () => {
    context = await browser.newContext({ ...DESKTOP });
    await context.addInitScript(recordAttention);
    page = await context.newPage();
    await logIn(page, `${bed.server.url}/inbox`);
    await page.getByRole("heading", { name: "Inbox" }).waitFor();
    await page.getByRole("status").filter({ hasText: /^Live$/ }).waitFor();
  });
  afterAll(() => context.close());

  it("counts the unread messages in the tab's title", async () => {
    const before = await unreadInTitle(page);
    await bed.simulator.sendInbound({ from: KIRAN, name: "Kiran Desai", type: "text", text: "Is the shop open today?" });
    await expect.poll(() => unreadInTitle(page)).toBe(before + 1);
    expect(await page.title()).toBe(`(${before + 1}) Inbox · Bharat CRM`);
  });

  it("asks for the notification permission only when the agent turns notifications on", async () => {
    expect((await attention(page)).requested).toBe(0);
    await page.getByRole("button", { name: "Alerts" }).click();
    const panel = page.getByRole("group", { name: /Alerts while the inbox is in the background/ });
    await panel.getByRole("button", { name: "Turn on" }).click();
    await panel.getByRole("button", { name: "Turn off" }).waitFor();
    expect((await attention(page)).requested).toBe(1);
    await panel.getByLabel("Sound for new messages").check();
    expect(await page.evaluate(() => localStorage.getItem("bharat.sound"))).toBe("on");
    await screenshot(page, "desktop-alerts");
  });

  it("notifies, with a chime, of a customer's message while the tab is hidden", async () => {
    await setHidden(page, true);
    await bed.simulator.sendInbound({ from: KIRAN, name: "Kiran Desai", type: "text", text: "Hello? Anyone there?" });
    await expect.poll(async () => (await attention(page)).shown).toContainEqual({ title: "Kiran Desai", body: "Hello? Anyone there?", tag: expect.any(String) });
    expect((await attention(page)).chimes).toBeGreaterThan(0);
  });

  it("notifies of a conversation assigned to the agent while the tab is hidden", async () => {
    const me = await page.evaluate(async () => ((await (await fetch("/api/auth/session")).json()) as { user: { id: string } }).user.id);
    const conversations = await graphql<{ conversations: { edges: Array<{ node: { id: string; displayName: string } }> } }>(
      bed.server,
      "{ conversations(first: 10) { edges { node { id displayName } } } }",
    );
    const conversationId = conversations.data.conversations.edges.find((edge) => edge.node.displayName === "Priya Sharma")!.node.id;
    const assigned = await graphql(bed.server, "mutation($c: ID!, $a: ID) { assignConversation(conversationId: $c, assigneeId: $a) { __typename } }", {
      c: conversationId,
      a: me,
    });
    expect(assigned.data.assignConversation.__typename).toBe("MutationAssignConversationSuccess");
    await expect.poll(async () => (await attention(page)).shown.map((shown) => shown.title)).toContain("Assigned to you: Priya Sharma");
  });

  it("ships a web app manifest the browser reads without errors, with icons it can load", async () => {
    await setHidden(page, false);
    const cdp = await context.newCDPSession(page);
    const manifest = await cdp.send("Page.getAppManifest");
    expect(manifest.errors).toEqual([]);
    const parsed = JSON.parse(manifest.data ?? "{}") as { name: string; start_url: string; display: string; icons: Array<{ src: string; sizes: string }> };
    expect(parsed).toMatchObject({ name: "Bharat CRM WhatsApp Inbox", start_url: "/inbox", display: "standalone" });
    expect(parsed.icons.map((icon) => icon.sizes)).toEqual(expect.arrayContaining(["192x192", "512x512"]));
    for (const icon of [...parsed.icons.map((entry) => entry.src), "/icons/apple-touch-icon.png"]) {
      const response = await page.request.get(`${bed.server.url}${icon}`);
      expect(response.status()).toBe(200);
      expect(response.headers()["content-type"]).toBe("image/png");
    }
    expect(await page.locator('meta[name="theme-color"]').getAttribute("content")).toBe("#075E54");
  });
});
