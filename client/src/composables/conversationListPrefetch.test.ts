import { flushPromises } from "@vue/test-utils";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { connection, conversationSummary } from "../testing/fixtures.ts";
import { fakeGraphQLServer, fakeSubscriptions, withSetup } from "../testing/harness.ts";
import { prefetchConversationList } from "./conversationListPrefetch.ts";
import { useConversationList } from "./useConversationList.ts";
import { useSession } from "./useSession.ts";
import { useWorkflowListFilter } from "./useWorkflowListFilter.ts";

const agent = { id: "u1", name: "Asha Agent", email: "asha@example.com", role: "AGENT" };
const priya = conversationSummary({ id: "c1", displayName: "Priya", lastMessageAt: "2025-11-25T10:05:00.000Z" });

function inboxServer() {
  return fakeGraphQLServer(
    (operation) => (operation === "WorkflowLabels" ? { labels: [] } : { conversations: connection([priya]) }),
    fakeSubscriptions(),
  );
}

function openInbox(server: ReturnType<typeof inboxServer>) {
  const { result } = withSetup(() => useConversationList({ keepFresh: () => {} }, useWorkflowListFilter()), { client: server.client });
  return result;
}

const conversationQueries = (server: ReturnType<typeof inboxServer>) => server.requests.filter((request) => request.operationName === "Conversations");

describe("the inbox's first page, asked for while the page loads", () => {
  beforeEach(async () => {
    vi.stubGlobal("fetch", async () => Response.json({ success: true, csrfToken: "csrf", user: agent }));
    await useSession().login(agent.email, "password123");
  });
  afterEach(() => {
    useSession().clear();
    vi.unstubAllGlobals();
  });

  it("is what the list shows first, without asking the server again", async () => {
    const server = inboxServer();
    prefetchConversationList(server.client, agent.id);
    await flushPromises();
    const list = openInbox(server);
    await flushPromises();
    expect(list.conversations.value.map((conversation) => conversation.displayName)).toEqual(["Priya"]);
    expect(conversationQueries(server)).toHaveLength(1);
  });

  it("is not shown to another user, and serves one load only", async () => {
    const server = inboxServer();
    prefetchConversationList(server.client, "someone else");
    await flushPromises();
    const list = openInbox(server);
    await flushPromises();
    expect(conversationQueries(server)).toHaveLength(2);

    await list.retry();
    expect(conversationQueries(server)).toHaveLength(3);
  });
});
