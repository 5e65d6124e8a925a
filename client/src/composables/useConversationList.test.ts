import { flushPromises } from "@vue/test-utils";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ConversationSummaryFragment } from "../graphql/generated/graphql.ts";
import { connection, conversationSummary } from "../testing/fixtures.ts";
import { fakeGraphQLServer, fakeSubscriptions, withSetup } from "../testing/harness.ts";
import { SEARCH_DEBOUNCE_MS, useConversationList } from "./useConversationList.ts";

const names = (list: readonly ConversationSummaryFragment[]) => list.map((conversation) => conversation.displayName);
const priya = conversationSummary({ id: "c1", displayName: "Priya", lastMessageAt: "2025-11-25T10:05:00.000Z" });
const ravi = conversationSummary({ id: "c2", displayName: "Ravi", lastMessageAt: "2025-11-25T09:00:00.000Z" });

function setUp(respond: (search: unknown) => ConversationSummaryFragment[]) {
  const subscriptions = fakeSubscriptions();
  const server = fakeGraphQLServer((_operation, variables) => ({ conversations: connection(respond(variables.search)) }), subscriptions);
  const { result } = withSetup(() => useConversationList({ keepFresh: () => {} }), { client: server.client });
  return { list: result, subscriptions, server };
}

describe("useConversationList", () => {
  it("goes from idle through loading to done with the most recent conversation first", async () => {
    const { list } = setUp(() => [priya, ravi]);
    expect(list.status.value).toBe("loading");
    await flushPromises();
    expect(list.status.value).toBe("done");
    expect(names(list.conversations.value)).toEqual(["Priya", "Ravi"]);
  });

  it("moves a conversation with a new message to the top without duplicating it", async () => {
    const { list, subscriptions } = setUp(() => [priya, ravi]);
    await flushPromises();
    subscriptions.push("ConversationUpdated", {
      conversationUpdated: { ...ravi, lastMessageAt: "2025-11-25T10:10:00.000Z", lastMessagePreview: "Hello?", unreadCount: 1 },
    });
    expect(names(list.conversations.value)).toEqual(["Ravi", "Priya"]);
    expect(list.conversations.value[0]?.unreadCount).toBe(1);
  });

  it("keeps the entries it already had as the same objects, so that only the changed row re-renders", async () => {
    const { list, subscriptions } = setUp(() => [priya, ravi]);
    await flushPromises();
    const before = list.conversations.value.find((conversation) => conversation.id === "c1");
    subscriptions.push("ConversationUpdated", { conversationUpdated: { ...ravi, unreadCount: 2 } });
    expect(list.conversations.value.find((conversation) => conversation.id === "c1")).toBe(before);
  });

  it("merges a refetch by id: nothing shown twice, changes applied", async () => {
    let onServer = [priya, ravi];
    const { list } = setUp(() => onServer);
    await flushPromises();
    onServer = [{ ...priya, unreadCount: 3 }, ravi];
    await list.refresh();
    expect(names(list.conversations.value)).toEqual(["Priya", "Ravi"]);
    expect(list.conversations.value[0]?.unreadCount).toBe(3);
  });

  describe("while searching", () => {
    beforeEach(() => vi.useFakeTimers());
    afterEach(() => vi.useRealTimers());

    it("does not add pushed conversations that may not match the search", async () => {
      const { list, subscriptions } = setUp((search) => (search === "pri" ? [priya] : [priya, ravi]));
      await flushPromises();
      list.search.value = "pri";
      await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS);
      await flushPromises();
      subscriptions.push("ConversationUpdated", { conversationUpdated: { ...ravi, lastMessageAt: "2025-11-25T11:00:00.000Z" } });
      expect(names(list.conversations.value)).toEqual(["Priya"]);
    });
  });
});
