import { flushPromises } from "@vue/test-utils";
import { describe, expect, it } from "vitest";
import type { ChatMessageFragment } from "../graphql/generated/graphql.ts";
import { chatMessage, connection } from "../testing/fixtures.ts";
import { fakeGraphQLServer, fakeSubscriptions, withSetup } from "../testing/harness.ts";
import { MESSAGES_PAGE_SIZE, mergeMessages, useMessages } from "./useMessages.ts";

const ids = (messages: readonly ChatMessageFragment[]) => messages.map((message) => message.id);
const at = (minute: number) => `2025-11-25T10:${String(minute).padStart(2, "0")}:00.000Z`;
/** keepFresh is useLiveConnection's business (tested there): here the test calls refresh itself. */
const noPolling = { keepFresh: () => {} };

describe("mergeMessages", () => {
  it("keeps one bubble per id, in the server's order, whether a message came by page, refetch or push", () => {
    const first = chatMessage({ id: "a", timestamp: at(1) });
    const second = chatMessage({ id: "b", timestamp: at(2) });
    const pushed = chatMessage({ id: "c", timestamp: at(3) });
    const merged = mergeMessages([first, second, pushed], [second, pushed, first]);
    expect(ids(merged)).toEqual(["a", "b", "c"]);
  });

  it("never lets an older answer turn a message's ticks back", () => {
    const read = chatMessage({ id: "a", direction: "OUTBOUND", status: "READ" });
    const staleRefetch = { ...read, status: "DELIVERED" as const };
    expect(mergeMessages([read], [staleRefetch])[0]?.status).toBe("READ");
    expect(mergeMessages([staleRefetch], [read])[0]?.status).toBe("READ");
  });

  it("orders messages of the same second by id, as the server pages them", () => {
    const merged = mergeMessages([chatMessage({ id: "b", timestamp: at(1) })], [chatMessage({ id: "a", timestamp: at(1) })]);
    expect(ids(merged)).toEqual(["a", "b"]);
  });
});

describe("useMessages", () => {
  function setUp(pages: (before: unknown) => ChatMessageFragment[], pageInfo: (before: unknown) => Record<string, unknown> = () => ({})) {
    const subscriptions = fakeSubscriptions();
    const server = fakeGraphQLServer((_operation, variables) => ({ messages: connection(pages(variables.before), pageInfo(variables.before)) }), subscriptions);
    const { result } = withSetup(() => useMessages("conv-1", noPolling), { client: server.client });
    return { chat: result, server, subscriptions };
  }

  it("shows a pushed message once even when the refetch while polling brings it again", async () => {
    let onServer = [chatMessage({ id: "a", timestamp: at(1) })];
    const { chat, subscriptions } = setUp(() => onServer);
    await flushPromises();
    const pushed = chatMessage({ id: "b", timestamp: at(2), text: "Are you there?" });
    subscriptions.push("MessageAdded", { messageAdded: pushed });
    onServer = [...onServer, pushed];
    await chat.refresh();
    expect(ids(chat.messages.value)).toEqual(["a", "b"]);
  });

  it("applies a pushed status change to the message it belongs to", async () => {
    const sent = chatMessage({ id: "a", direction: "OUTBOUND", status: "SENT" });
    const { chat, subscriptions } = setUp(() => [sent]);
    await flushPromises();
    subscriptions.push("MessageStatusChanged", { messageStatusChanged: { ...sent, status: "DELIVERED" } });
    expect(chat.messages.value.map((message) => message.status)).toEqual(["DELIVERED"]);
  });

  it("ignores messages of other conversations", async () => {
    const { chat, subscriptions } = setUp(() => []);
    await flushPromises();
    subscriptions.push("MessageAdded", { messageAdded: chatMessage({ id: "x", conversationId: "conv-2" }) });
    expect(chat.messages.value).toEqual([]);
  });

  it("loads the newest page first, then older pages before the oldest shown", async () => {
    const { chat, server } = setUp(
      (before) => (before ? [chatMessage({ id: "old", timestamp: at(0) })] : [chatMessage({ id: "new", timestamp: at(5) })]),
      (before) => (before ? { hasPreviousPage: false, startCursor: "c0" } : { hasPreviousPage: true, startCursor: "c5" }),
    );
    await flushPromises();
    expect(server.requests[0]?.variables).toEqual({ conversationId: "conv-1", last: MESSAGES_PAGE_SIZE, before: null });
    await chat.loadOlder();
    expect(server.requests[1]?.variables.before).toBe("c5");
    expect(ids(chat.messages.value)).toEqual(["old", "new"]);
    expect(chat.hasOlder.value).toBe(false);
  });

  it("starts again from the newest page when more arrived while away than a page holds, rather than show a gap", async () => {
    let page = [chatMessage({ id: "a", timestamp: at(1) })];
    let previous = false;
    const { chat } = setUp(
      () => page,
      () => ({ hasPreviousPage: previous, startCursor: "cursor" }),
    );
    await flushPromises();
    page = [chatMessage({ id: "y", timestamp: at(40) }), chatMessage({ id: "z", timestamp: at(41) })];
    previous = true;
    await chat.refresh();
    expect(ids(chat.messages.value)).toEqual(["y", "z"]);
    expect(chat.hasOlder.value).toBe(true);
  });
});
