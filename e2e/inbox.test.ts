import type { Browser, Page, WebSocketRoute } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_API_TOKEN, graphql } from "../server/tests/support/harness.ts";
import { launchBrowser, screenshot } from "./browser.ts";
import { logIn, startWhatsAppTestBed, type WhatsAppTestBed } from "./whatsapp-harness.ts";

const PRIYA = "919876543210";
const RAVI = "919812345678";
const ASHA = "919900011122";

let bed: WhatsAppTestBed;
let browser: Browser;
let page: Page;
/** Every page socket goes through the test: passed to the server, or refused while `blocked`. */
const sockets = { blocked: false, open: new Map<WebSocketRoute, WebSocketRoute>() };

beforeAll(async () => {
  bed = await startWhatsAppTestBed();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.routeWebSocket("**/graphql", (socket) => {
    // Refused as a proxy without WebSocket support would: closed before the handshake completes.
    if (sockets.blocked) return socket.close();
    const server = socket.connectToServer();
    sockets.open.set(socket, server);
    // A close handler turns off Playwright's forwarding of the page's close: forward it here.
    socket.onClose((code, reason) => {
      sockets.open.delete(socket);
      void server.close({ code, reason });
    });
  });
  // Priya wrote a moment ago (window open); Ravi wrote two days ago (window closed).
  await bed.simulator.sendInbound({ from: PRIYA, name: "Priya Sharma", type: "text", text: "Namaste! Has my saree order shipped?" });
  const twoDaysAgo = Math.floor(Date.now() / 1000) - 48 * 3600;
  await bed.simulator.sendInbound({ from: RAVI, name: "Ravi Kumar", type: "text", text: "Please call me back", timestamp: twoDaysAgo });
  await logIn(page, `${bed.server.url}/inbox`);
  await page.getByRole("heading", { name: "Inbox" }).waitFor();
});
afterAll(async () => {
  await browser?.close();
  await bed?.stop();
});

const connection = () => page.getByRole("status").filter({ hasText: /^(Live|Polling|Connecting…)$/ });
const option = (name: RegExp) => page.getByRole("option", { name });
const conversationOptions = () => page.getByRole("listbox", { name: "Conversations" }).getByRole("option");
const chat = () => page.getByRole("log", { name: "Messages" });

async function openConversation(name: RegExp) {
  await option(name).click();
  await page.getByRole("log", { name: "Messages" }).waitFor();
}

describe("the inbox", () => {
  it("shows a customer's new message in the open chat within a second, without a reload", async () => {
    await openConversation(/^Priya Sharma/);
    await chat().getByText("Namaste! Has my saree order shipped?").waitFor();
    await expect.poll(() => connection().textContent()).toBe("Live");
    // Opening it read it: the unread badge is gone.
    await expect.poll(() => option(/^Priya Sharma/).getAttribute("aria-label")).not.toContain("unread");

    const started = Date.now();
    await bed.simulator.sendInbound({ from: PRIYA, name: "Priya Sharma", type: "text", text: "Also, can I change the colour?" });
    await chat().getByText("Also, can I change the colour?").waitFor({ timeout: 1_000 });
    expect(Date.now() - started).toBeLessThan(1_000);
    await screenshot(page, "inbox-desktop");
  });

  it("shows ✓, then ✓✓, then blue ✓✓ on the agent's reply as WhatsApp reports sent, delivered and read", async () => {
    const reply = "Yes, it left our Surat warehouse today.";
    // Every label the reply's ticks take, recorded in the page as it changes.
    await page.evaluate((text) => {
      const seen: string[] = [];
      (window as unknown as { ticksSeen: string[] }).ticksSeen = seen;
      const record = () => {
        const bubble = Array.from(document.querySelectorAll(".bubble--out")).find((element) => element.textContent?.includes(text));
        const label = bubble?.querySelector(".ticks")?.getAttribute("aria-label");
        if (label && seen.at(-1) !== label) seen.push(label);
      };
      new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["aria-label"] });
    }, reply);

    const composer = page.getByRole("textbox", { name: "Type a message" });
    await composer.fill(reply);
    await composer.press("Enter");
    const ticks = page.locator(".bubble--out", { hasText: reply }).getByRole("img", { name: "Read" });
    await ticks.waitFor({ timeout: 5_000 });
    const seen = await page.evaluate(() => (window as unknown as { ticksSeen: string[] }).ticksSeen);
    expect(seen.filter((label) => ["Sent", "Delivered", "Read"].includes(label))).toEqual(["Sent", "Delivered", "Read"]);
    expect(await ticks.evaluate((element) => getComputedStyle(element).color)).toBe("rgb(11, 120, 184)");
    expect(await composer.inputValue()).toBe("");
    const sent = bed.simulator.sentMessages().at(-1);
    expect(sent?.body).toBe(reply);
    expect(sent?.to).toBe(PRIYA);
  });

  it("says Polling while the socket is blocked, still shows new messages, and goes Live again on its own", async () => {
    sockets.blocked = true;
    // 1011 is a close code graphql-ws gives up on: the app must subscribe again by itself.
    for (const [socket, server] of sockets.open) {
      await socket.close({ code: 1011, reason: "Network lost (test)" });
      await server.close();
    }
    sockets.open.clear();
    await expect.poll(() => connection().textContent(), { timeout: 3_000 }).toBe("Polling");
    await screenshot(page, "inbox-polling");

    const started = Date.now();
    await bed.simulator.sendInbound({ from: PRIYA, name: "Priya Sharma", type: "text", text: "Are you still there?" });
    await chat().getByText("Are you still there?").waitFor({ timeout: 5_000 });
    expect(Date.now() - started).toBeLessThan(5_000);

    sockets.blocked = false;
    await expect.poll(() => connection().textContent(), { timeout: 10_000 }).toBe("Live");
    // The refetch on reconnecting merged by id: the message is there once.
    await expect.poll(() => chat().getByText("Are you still there?").count()).toBe(1);
  });

  it("offers the template picker when the 24-hour window is closed, and sends a template", async () => {
    await openConversation(/^Ravi Kumar/);
    await page.getByText("Template needed.").waitFor();
    expect(await page.getByRole("textbox", { name: "Type a message" }).count()).toBe(0);

    await page.getByLabel("Template", { exact: true }).selectOption({ label: "order_update (en) · utility" });
    await page.getByLabel("Parameter 1").fill("Ravi");
    await page.getByLabel("Parameter 2").fill("#BH-2041");
    const preview = page.getByRole("region", { name: "Preview" });
    expect(await preview.textContent()).toContain("Hi Ravi, your order #BH-2041 has shipped.");
    await screenshot(page, "inbox-template-picker");
    await page.getByRole("button", { name: "Send template" }).click();

    await chat().getByText("Hi Ravi, your order #BH-2041 has shipped.").waitFor();
    const sent = bed.simulator.sentMessages().at(-1);
    expect(sent?.type).toBe("template");
    expect(sent?.to).toBe(RAVI);
  });

  it("shows media, locations, shared contacts, quoted replies and reactions readably", async () => {
    await openConversation(/^Priya Sharma/);
    const agentReply = bed.simulator.sentMessages().find((message) => message.body === "Yes, it left our Surat warehouse today.");
    const customer = { from: PRIYA, name: "Priya Sharma" } as const;
    await bed.simulator.sendInbound({ ...customer, type: "image", image: { caption: "This one, in blue" } });
    await bed.simulator.sendInbound({ ...customer, type: "location", location: { latitude: 21.1702, longitude: 72.8311, name: "Surat Textile Market" } });
    await bed.simulator.sendInbound({ ...customer, type: "contacts", contacts: [{ name: { formatted_name: "Anil Mehta" }, phones: [{ phone: "+919811112222" }] }] });
    await bed.simulator.sendInbound({ ...customer, type: "text", text: "Great, thank you!", context: { id: agentReply?.wamid } });
    await bed.simulator.sendInbound({ ...customer, type: "reaction", reaction: { message_id: agentReply!.wamid, emoji: "🙏" } });

    await chat().getByText("Photo").waitFor();
    expect(await chat().getByText("This one, in blue").count()).toBe(1);
    const map = chat().getByRole("link", { name: /Surat Textile Market/ });
    expect(await map.getAttribute("href")).toBe("https://www.google.com/maps?q=21.1702,72.8311");
    expect(await map.getAttribute("target")).toBe("_blank");
    await chat().getByText("Anil Mehta").waitFor();
    const reply = chat().locator(".bubble", { hasText: "Great, thank you!" });
    expect(await reply.locator("blockquote").textContent()).toContain("Yes, it left our Surat warehouse today.");
    await chat().locator(".bubble--out", { hasText: "Surat warehouse" }).getByLabel("Reactions: 🙏").waitFor();
    await screenshot(page, "inbox-message-types");
  });

  it("marks a message Meta refused as failed with its reason, and Retry sends it again", async () => {
    bed.simulator.forceFailures({ kind: "meta", code: 131026 });
    const composer = page.getByRole("textbox", { name: "Type a message" });
    await composer.fill("Shall I send the invoice?");
    await composer.press("Enter");
    const failed = chat().locator(".bubble--out", { hasText: "Shall I send the invoice?" }).getByRole("img", { name: /^Failed/ });
    await failed.waitFor();
    expect(await failed.getAttribute("aria-label")).toBe("Failed: Message Undeliverable (131026)");
    // Written out under the text, for mouse, keyboard and touch alike.
    await chat().locator(".bubble--out", { hasText: "Shall I send the invoice?" }).getByText("Not sent: Message Undeliverable (131026)").waitFor();
    await screenshot(page, "inbox-failed");

    await chat().getByRole("button", { name: "Retry" }).click();
    await chat().locator(".bubble--out", { hasText: "Shall I send the invoice?" }).getByRole("img", { name: /^(Sent|Delivered|Read)$/ }).waitFor();
    expect(await chat().getByRole("button", { name: "Retry" }).count()).toBe(0);
    expect(bed.simulator.sentMessages().at(-1)?.body).toBe("Shall I send the invoice?");
  });

  it("keeps the agent's place while older messages load above and new ones arrive below", async () => {
    // One more page and four: the first four are older history. Timestamps fix the order.
    const start = Math.floor(Date.now() / 1000) - 3600;
    await Promise.all(
      Array.from({ length: 34 }, (_, index) =>
        bed.simulator.sendInbound({
          from: ASHA,
          name: "Asha Rao",
          type: "text",
          text: `Asha message ${String(index + 1).padStart(2, "0")}`,
          timestamp: start + (index + 1) * 60,
        }),
      ),
    );
    await openConversation(/^Asha Rao/);
    await chat().getByText("Asha message 34").waitFor();
    expect(await chat().getByText("Asha message 01").count()).toBe(0);
    const scroller = chat();
    expect(await scroller.evaluate((box) => box.scrollHeight - box.scrollTop - box.clientHeight)).toBeLessThan(5);

    // Reading further up: a new message must not move what the agent is reading.
    await scroller.evaluate((box) => (box.scrollTop = box.scrollHeight / 2));
    const reading = await scroller.evaluate((box) => box.scrollTop);
    await bed.simulator.sendInbound({ from: ASHA, name: "Asha Rao", type: "text", text: "Asha message 35" });
    await page.getByRole("button", { name: /1 new message/ }).waitFor();
    expect(await scroller.evaluate((box) => box.scrollTop)).toBe(reading);

    // At the top the previous page loads above, and the message that was first stays put on screen.
    const firstShownTop = await scroller.evaluate((box) => {
      box.scrollTop = 0;
      const first = Array.from(box.querySelectorAll(".bubble")).find((bubble) => bubble.textContent?.includes("Asha message 05"));
      return first?.getBoundingClientRect().top ?? Number.NaN;
    });
    await chat().getByText("Asha message 01").waitFor();
    const firstShownTopAfter = await chat().locator(".bubble", { hasText: "Asha message 05" }).evaluate((bubble) => bubble.getBoundingClientRect().top);
    expect(Math.abs(firstShownTopAfter - firstShownTop)).toBeLessThanOrEqual(2);

    await page.getByRole("button", { name: /1 new message/ }).click();
    expect(await scroller.evaluate((box) => box.scrollHeight - box.scrollTop - box.clientHeight)).toBeLessThan(5);
  });

  it("starts a new chat by number with a template, refusing an invalid number next to its field", async () => {
    await page.getByRole("button", { name: "New chat" }).click();
    const dialog = page.getByRole("dialog", { name: "New chat" });
    const number = dialog.getByLabel("Phone number");
    await number.fill("12345");
    await dialog.getByLabel("Template", { exact: true }).selectOption({ label: "hello_world (en_US) · utility" });
    await dialog.getByRole("button", { name: "Send template" }).click();
    await dialog.getByText("Invalid phone number").waitFor();
    expect(await number.getAttribute("aria-invalid")).toBe("true");
    await screenshot(page, "inbox-new-chat-invalid");

    await number.fill("98000 12345");
    await dialog.getByRole("button", { name: "Send template" }).click();
    await page.getByRole("heading", { name: "+91 98000 12345" }).waitFor();
    expect(page.url()).toMatch(/\/inbox\/[\w-]+$/);
    expect(bed.simulator.sentMessages().at(-1)).toMatchObject({ to: "919800012345", type: "template" });
  });

  it("can be used from the keyboard alone: arrows through the list, Enter opens, typing goes to the composer", async () => {
    await page.getByRole("searchbox", { name: "Search conversations" }).focus();
    await page.keyboard.press("ArrowDown");
    // The list's own options: the label filter above it is a <select> with options too.
    const first = conversationOptions().first();
    expect(await first.evaluate((option) => option === document.activeElement)).toBe(true);
    await page.keyboard.press("ArrowDown");
    const second = conversationOptions().nth(1);
    expect(await second.evaluate((option) => option === document.activeElement)).toBe(true);
    const name = (await second.getAttribute("aria-label"))?.split(",")[0] ?? "";
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name, exact: true }).waitFor();
    // Straight into the composer, or into the template picker when the window is closed.
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute("aria-label") ?? document.activeElement?.tagName);
    await expect.poll(focused).toMatch(/^(Type a message|SELECT)$/);
  });

  it("works at phone width: the list and the chat are separate screens", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${bed.server.url}/inbox`);
    await option(/^Priya Sharma/).waitFor();
    await screenshot(page, "inbox-phone-list");
    await option(/^Priya Sharma/).click();
    await page.getByRole("textbox", { name: "Type a message" }).waitFor();
    expect(await page.getByRole("listbox", { name: "Conversations" }).isVisible()).toBe(false);
    await screenshot(page, "inbox-phone-chat");
    await page.getByRole("link", { name: "Back to conversations" }).click();
    await option(/^Priya Sharma/).waitFor();
    // The chat that had the focus is gone: the conversation it showed takes it.
    expect(await option(/^Priya Sharma/).evaluate((element) => element === document.activeElement)).toBe(true);
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});

describe("opening the inbox", () => {
  it("asks for the list's first page while the page's scripts download, and shows it without asking again", async () => {
    // A new context with the agent's session: a cold visit, as after opening the browser.
    const context = await browser.newContext({ storageState: await page.context().storageState(), viewport: { width: 1280, height: 800 } });
    const tab = await context.newPage();
    try {
      const listQueries: string[] = [];
      tab.on("request", (request) => {
        const url = new URL(request.url());
        const operation = url.searchParams.get("operationName") ?? (request.postData()?.includes('"operationName":"Conversations"') ? "Conversations" : null);
        if (url.pathname === "/graphql" && operation === "Conversations") listQueries.push(request.method());
      });
      await tab.goto(`${bed.server.url}/inbox`);
      await tab.getByRole("listbox", { name: "Conversations" }).getByRole("option").first().waitFor();
      // The preload's GET, used by the page rather than asked again (the POSTs after it, if any,
      // are the list's refresh once the live socket is up).
      expect(listQueries[0]).toBe("GET");
      expect(listQueries.filter((method) => method === "GET")).toHaveLength(1);
      const timing = await tab.evaluate(() => {
        const entries = performance.getEntriesByType("resource") as PerformanceResourceTiming[];
        const list = entries.find((entry) => entry.name.includes("/graphql?operationName=Conversations"));
        const entryScript = entries.find((entry) => entry.initiatorType === "script" && /\/assets\/index-[^/]+\.js$/.test(entry.name));
        return { initiator: list?.initiatorType, listStart: list?.startTime, scriptsDone: entryScript?.responseEnd };
      });
      // Asked for by the HTML, before the entry script had even arrived, let alone started.
      expect(timing.initiator).toBe("link");
      expect(timing.listStart).toBeLessThan(timing.scriptsDone!);
    } finally {
      await context.close();
    }
  });
});

describe("the contact page", () => {
  it("sends a WhatsApp message from the Send dialog and shows the confirmation with the message id", async () => {
    const created = await graphql<{ createContact: { contact: { id: string } } }>(
      bed.server,
      `mutation { createContact(input: {name: "Priya Sharma", whatsappNumber: "+${PRIYA}"}) { ... on MutationCreateContactSuccess { contact { id } } } }`,
      {},
      { token: ADMIN_API_TOKEN },
    );
    await page.goto(`${bed.server.url}/contacts/${created.data.createContact.contact.id}`);
    const panel = page.getByRole("region", { name: "WhatsApp" });
    await panel.getByText(/^Window open until \d\d:\d\d/).waitFor();
    await screenshot(page, "contact-whatsapp-panel");
    await panel.getByRole("button", { name: "Send", exact: true }).click();

    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Message").fill("Your saree ships tomorrow.");
    expect(await dialog.getByText("26 / 4096").count()).toBe(1);
    await screenshot(page, "contact-send-dialog-compose");
    await dialog.getByRole("button", { name: "Send", exact: true }).click();
    await dialog.getByText("Message sent successfully").waitFor();
    const wamid = bed.simulator.sentMessages().at(-1)?.wamid;
    expect(wamid).toMatch(/^wamid\./);
    expect(await dialog.getByRole("status").textContent()).toContain(wamid);
    await screenshot(page, "contact-send-dialog");
  });
});
