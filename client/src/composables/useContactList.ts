import { useClientHandle } from "@urql/vue";
import { computed, ref, shallowRef, watch } from "vue";
import { ContactsQuery } from "../graphql/contacts.ts";
import type { ContactSummaryFragment } from "../graphql/generated/graphql.ts";
import { useDebouncedRef } from "./useDebouncedRef.ts";

export const CONTACTS_PAGE_SIZE = 24;
/** Long enough to wait for the next keystroke, short enough to feel live. */
export const SEARCH_DEBOUNCE_MS = 300;

/** `loading`: the first page of a search; `loading-more`: the next page, under the shown ones. */
export type ContactListStatus = "loading" | "loading-more" | "ready" | "error";

/**
 * The contacts page's data: a debounced search and cursor paging ("Load more"). Answers to an
 * older search that arrive after a newer one started are dropped, so fast typing never shows
 * the results of a word the agent has already changed.
 */
export function useContactList() {
  const { client } = useClientHandle();
  const search = ref("");
  const term = useDebouncedRef(
    computed(() => search.value.trim()),
    SEARCH_DEBOUNCE_MS,
  );
  const contacts = shallowRef<ContactSummaryFragment[]>([]);
  const status = ref<ContactListStatus>("loading");
  const endCursor = ref<string | null>(null);
  const hasMore = ref(false);
  let latestRequest = 0;
  let retryLast: () => Promise<void> = () => Promise.resolve();

  async function fetchPage(after: string | null) {
    const request = ++latestRequest;
    const searching = term.value;
    status.value = after ? "loading-more" : "loading";
    retryLast = () => fetchPage(after);
    // network-only: a contact added or edited a moment ago must be in the list.
    const result = await client
      .query(ContactsQuery, { first: CONTACTS_PAGE_SIZE, after, search: searching || null }, { requestPolicy: "network-only" })
      .toPromise();
    if (request !== latestRequest) return;
    const connection = result.data?.contacts;
    if (!connection) {
      status.value = "error";
      return;
    }
    const page = connection.edges.map((edge) => edge.node);
    contacts.value = after ? [...contacts.value, ...page] : page;
    endCursor.value = connection.pageInfo.endCursor;
    hasMore.value = connection.pageInfo.hasNextPage;
    status.value = "ready";
  }

  function loadMore() {
    if (status.value !== "ready" || !hasMore.value || !endCursor.value) return Promise.resolve();
    return fetchPage(endCursor.value);
  }

  watch(term, () => fetchPage(null), { immediate: true });

  return {
    /** What the agent types; the list follows it after a short pause. */
    search,
    /** The search the shown list answers (trimmed, debounced). */
    term,
    contacts,
    status,
    hasMore,
    loadMore,
    retry: () => retryLast(),
    /** The first page again, e.g. after an import added contacts. */
    refresh: () => fetchPage(null),
  };
}
