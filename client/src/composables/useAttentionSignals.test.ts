import { flushPromises } from "@vue/test-utils";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { shallowRef } from "vue";
import type { ConversationSummaryFragment } from "../graphql/generated/graphql.ts";
import { conversationSummary } from "../testing/fixtures.ts";
import { createTestRouter, fakeGraphQLServer, fakeSubscriptions, withSetup } from "../testing/harness.ts";
import { NOTIFY_KEY, useAttentionSignals } from "./useAttentionSignals.ts";
import { useSession } from "./useSession.ts";

const me = { id: "u1", name: "Asha Agent", email: "asha@example.com", role: "AGENT" };
const priya = conversationSummary({ id: "c1", displayName: "Priya", unreadCount: 2, assignee: null });
const ravi = conversationSummary({ id: "c2", displayName: "Ravi", unreadCount: 1, assignee: { id: "u2", name: "Ravi Agent" } });

/** What the page showed the agent: notifications made, permission asked for. */
const shown: Array<{ title: string; body?: string; tag?: string }> = [];
let requested = 0;
class RecordedNotification {
  static permission: NotificationPermission = "default";
  static async requestPermission() {
    requested++;
    RecordedNotification.permission = "granted";
    return "granted" as const;
  }
  onclick: (() => void) | null = null;
  constructor(title: string, options?: NotificationOptions) {
    shown.push({ title, body: options?.body, tag: options?.tag });
  }
  close() {}
}

let focused = true;
async function setUp(conversations: ConversationSummaryFragment[]) {
  const subscriptions = fakeSubscriptions();
  const server = fakeGraphQLServer(() => ({}), subscriptions);
  const router = createTestRouter();
  await router.push("/inbox");
  const list = shallowRef(conversations);
  const { result, wrapper } = withSetup(() => useAttentionSignals(list), { client: server.client, router });
  return { signals: result, wrapper, list, subscriptions };
}

const message = (conversationId: string, overrides: Record<string, unknown> = {}) => ({
  messageAdded: { id: `m-${Math.random()}`, conversationId, direction: "INBOUND", type: "text", preview: "Is it shipped?", ...overrides },
});

describe("useAttentionSignals", () => {
  beforeEach(async () => {
    shown.length = 0;
    requested = 0;
    RecordedNotification.permission = "default";
    localStorage.clear();
    focused = true;
    vi.stubGlobal("Notification", RecordedNotification);
    vi.spyOn(document, "hasFocus").mockImplementation(() => focused);
    vi.stubGlobal("fetch", async () => Response.json({ success: true, csrfToken: "csrf", user: me }));
    await useSession().login(me.email, "password123");
    document.title = "Inbox · Bharat CRM";
  });
  afterEach(() => {
    useSession().clear();
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  it("puts the unread total in front of the page's title, and takes it away when the inbox closes", async () => {
    const { wrapper, list } = await setUp([priya, ravi]);
    expect(document.title).toBe("(3) Inbox · Bharat CRM");
    list.value = [{ ...priya, unreadCount: 0 }, ravi];
    await flushPromises();
    expect(document.title).toBe("(1) Inbox · Bharat CRM");
    wrapper.unmount();
    expect(document.title).toBe("Inbox · Bharat CRM");
  });

  it("asks for the permission only when the agent turns notifications on, and remembers the choice", async () => {
    const { signals } = await setUp([priya]);
    expect(requested).toBe(0);
    expect(signals.notifications.value).toBe("off");
    await signals.setNotifications(true);
    expect(requested).toBe(1);
    expect(signals.notifications.value).toBe("on");
    expect(localStorage.getItem(NOTIFY_KEY)).toBe("on");
  });

  it("notifies of a customer's message only while the agent is away, and never of a reaction or our own message", async () => {
    const { signals, subscriptions } = await setUp([priya]);
    await signals.setNotifications(true);
    subscriptions.push("IncomingMessage", message("c1"));
    expect(shown).toEqual([]);

    focused = false;
    subscriptions.push("IncomingMessage", message("c1", { type: "reaction", preview: "❤️" }));
    subscriptions.push("IncomingMessage", message("c1", { direction: "OUTBOUND" }));
    subscriptions.push("IncomingMessage", message("c1"));
    subscriptions.push("IncomingMessage", message("c9", { preview: "Hi, new here" }));
    expect(shown).toEqual([
      { title: "Priya", body: "Is it shipped?", tag: "c1" },
      { title: "New WhatsApp message", body: "Hi, new here", tag: "c9" },
    ]);
  });

  it("notifies when a conversation the inbox knew becomes the agent's, not when it is someone else's or already was", async () => {
    const { signals, subscriptions } = await setUp([priya, ravi]);
    await signals.setNotifications(true);
    focused = false;
    subscriptions.push("ConversationUpdated", { conversationUpdated: { ...ravi, assignee: { id: "u3", name: "Other" } } });
    subscriptions.push("ConversationUpdated", { conversationUpdated: { ...priya, assignee: { id: me.id, name: me.name } } });
    subscriptions.push("ConversationUpdated", { conversationUpdated: { ...priya, assignee: { id: me.id, name: me.name }, unreadCount: 3 } });
    // Never seen before: a page loaded later, not an assignment.
    subscriptions.push("ConversationUpdated", { conversationUpdated: { ...priya, id: "c7", assignee: { id: me.id, name: me.name } } });
    expect(shown.map((notification) => notification.title)).toEqual(["Assigned to you: Priya"]);
  });

  it("shows nothing while notifications are off, whatever the browser allows", async () => {
    RecordedNotification.permission = "granted";
    const { signals, subscriptions } = await setUp([priya]);
    expect(signals.notifications.value).toBe("off");
    focused = false;
    subscriptions.push("IncomingMessage", message("c1"));
    expect(shown).toEqual([]);
  });
});
