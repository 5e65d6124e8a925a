import { useClientHandle } from "@urql/vue";
import { computed, onScopeDispose, ref, shallowRef, watch } from "vue";
import type { ConversationSummaryFragment, ConversationsQueryVariables } from "../graphql/generated/graphql.ts";
import { ConversationUpdatedSubscription } from "../graphql/inbox.ts";
import { CONVERSATIONS_PAGE_SIZE, fetchConversationsPage, takePrefetchedConversations } from "./conversationListPrefetch.ts";
import { compareStrings, mergeById } from "./mergeById.ts";
import { useDebouncedRef } from "./useDebouncedRef.ts";
import { LIST_POLL_MS, type LiveConnection } from "./useLiveConnection.ts";
import { useSession } from "./useSession.ts";
import type { WorkflowListFilter } from "./useWorkflowListFilter.ts";

/** A refetch asks again for everything shown, up to this many. */
const REFETCH_MAX = 100;
export const SEARCH_DEBOUNCE_MS = 300;

/** `loading`: a (new) first page is on its way; the list shown meanwhile is the previous one. */
export type ConversationListStatus = "idle" | "loading" | "done" | "error";

/** Most recent first, as the server orders them; a conversation without messages last. */
export function byRecentActivity(a: ConversationSummaryFragment, b: ConversationSummaryFragment): number {
  const at = (conversation: ConversationSummaryFragment) => conversation.lastMessageAt ?? "";
  return compareStrings(at(b), at(a)) || compareStrings(b.id, a.id);
}

/**
 * The inbox's conversation list: a debounced search, "Load more" paging, and live updates.
 * A pushed or refetched conversation replaces its entry by id and the list is re-sorted, so a
 * new message moves its conversation to the top while every other entry keeps its element
 * (keyed rendering: focus and scroll stay where the agent left them).
 */
export function useConversationList(live: Pick<LiveConnection, "keepFresh">, filter?: Pick<WorkflowListFilter, "variables" | "matches">) {
  const { client } = useClientHandle();
  const { user } = useSession();
  const search = ref("");
  const term = useDebouncedRef(
    computed(() => search.value.trim()),
    SEARCH_DEBOUNCE_MS,
  );
  const conversations = shallowRef<ConversationSummaryFragment[]>([]);
  const status = ref<ConversationListStatus>("idle");
  const hasMore = ref(false);
  const loadingMore = ref(false);
  let endCursor: string | null = null;
  let latestSearch = 0;

  const pageVariables = (first: number, after: string | null): ConversationsQueryVariables => ({
    first,
    after,
    search: term.value || null,
    ...filter?.variables.value,
  });
  const fetchPage = (first: number, after: string | null) => fetchConversationsPage(client, pageVariables(first, after));

  // An entry that no longer matches the tab (resolved, reassigned by another agent) leaves it.
  const merge = (incoming: readonly ConversationSummaryFragment[]) =>
    (conversations.value = mergeById(conversations.value, incoming, { order: byRecentActivity }).filter((entry) => filter?.matches(entry) ?? true));

  async function load() {
    const request = ++latestSearch;
    status.value = "loading";
    const firstPage = pageVariables(CONVERSATIONS_PAGE_SIZE, null);
    const page = await (takePrefetchedConversations(user.value?.id ?? null, firstPage) ?? fetchConversationsPage(client, firstPage));
    // An answer to a search the agent has typed over since is dropped.
    if (request !== latestSearch) return;
    if (!page) {
      status.value = "error";
      return;
    }
    conversations.value = page.edges.map((edge) => edge.node);
    endCursor = page.pageInfo.endCursor;
    hasMore.value = page.pageInfo.hasNextPage;
    status.value = "done";
  }

  async function loadMore() {
    if (status.value !== "done" || !hasMore.value || loadingMore.value) return;
    const request = latestSearch;
    loadingMore.value = true;
    const page = await fetchPage(CONVERSATIONS_PAGE_SIZE, endCursor).finally(() => (loadingMore.value = false));
    if (request !== latestSearch || !page) return;
    merge(page.edges.map((edge) => edge.node));
    endCursor = page.pageInfo.endCursor;
    hasMore.value = page.pageInfo.hasNextPage;
  }

  /** Asks again for what is shown; merged by id, so nothing flickers and nothing doubles. */
  async function refresh() {
    if (status.value === "loading") return;
    if (status.value !== "done") return load();
    const request = latestSearch;
    const page = await fetchPage(Math.min(REFETCH_MAX, Math.max(CONVERSATIONS_PAGE_SIZE, conversations.value.length)), null);
    if (request !== latestSearch || !page) return;
    merge(page.edges.map((edge) => edge.node));
  }

  /**
   * One conversation as the server now sees it (a push, a mutation's answer). While searching,
   * only conversations already shown are updated: a new one may not match the search.
   */
  function apply(conversation: ConversationSummaryFragment) {
    const shown = conversations.value.some((entry) => entry.id === conversation.id);
    if (shown || !term.value) merge([conversation]);
  }

  const subscription = client.subscription(ConversationUpdatedSubscription, {}).subscribe((result) => {
    if (result.data) apply(result.data.conversationUpdated);
  });
  onScopeDispose(() => subscription.unsubscribe());
  watch([term, () => filter?.variables.value], load, { immediate: true });
  live.keepFresh(refresh, LIST_POLL_MS);

  return { search, term, conversations, status, hasMore, loadingMore, loadMore, refresh, apply, retry: load };
}
