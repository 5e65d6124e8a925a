import { flushPromises } from "@vue/test-utils";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { connection, conversationSummary } from "../testing/fixtures.ts";
import { fakeGraphQLServer, fakeSubscriptions, withSetup } from "../testing/harness.ts";
import { FIRST_PAGE_PRELOAD_ATTRIBUTE, firstPageUrl, prefetchConversationList } from "./conversationListPrefetch.ts";
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

  describe("preloaded by the inbox's HTML", () => {
    const ravi = conversationSummary({ id: "c2", displayName: "Ravi", lastMessageAt: "2025-11-25T10:06:00.000Z" });
    const href = firstPageUrl("query Conversations { __typename }");
    let preloadAnswer: () => Response;
    beforeEach(() => {
      const link = document.createElement("link");
      Object.assign(link, { rel: "preload", href });
      link.setAttribute(FIRST_PAGE_PRELOAD_ATTRIBUTE, "");
      document.head.append(link);
      vi.stubGlobal("fetch", async (url: string) => (url === href ? preloadAnswer() : Response.json({ success: true, csrfToken: "csrf", user: agent })));
    });
    afterEach(() => document.head.querySelector(`[${FIRST_PAGE_PRELOAD_ATTRIBUTE}]`)?.remove());

    it("shows the preload's answer without querying the first page again", async () => {
      preloadAnswer = () => Response.json({ data: { conversations: connection([ravi]) } });
      const server = inboxServer();
      prefetchConversationList(server.client, agent.id);
      const list = openInbox(server);
      await flushPromises();
      expect(list.conversations.value.map((conversation) => conversation.displayName)).toEqual(["Ravi"]);
      expect(conversationQueries(server)).toHaveLength(0);
    });

    it("asks the server itself when the preload failed (a session expired meanwhile)", async () => {
      preloadAnswer = () => Response.json({ success: false, error: "Authentication required" }, { status: 401 });
      const server = inboxServer();
      prefetchConversationList(server.client, agent.id);
      const list = openInbox(server);
      await flushPromises();
      expect(list.conversations.value.map((conversation) => conversation.displayName)).toEqual(["Priya"]);
      expect(conversationQueries(server)).toHaveLength(1);
    });
  });
});
