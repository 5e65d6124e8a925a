import type { Client } from "@urql/vue";
import type { ConversationsQueryVariables } from "../graphql/generated/graphql.ts";
import { ConversationsQuery } from "../graphql/inbox.ts";
import { DEFAULT_WORKFLOW_LIST_TAB, workflowListVariables } from "./useWorkflowListFilter.ts";

export const CONVERSATIONS_PAGE_SIZE = 30;

/** One page of the conversation list, always from the server; null when the query failed. */
export function fetchConversationsPage(client: Client, variables: ConversationsQueryVariables) {
  return client
    .query(ConversationsQuery, variables, { requestPolicy: "network-only" })
    .toPromise()
    .then((result) => result.data?.conversations ?? null);
}

type ConversationsPage = Awaited<ReturnType<typeof fetchConversationsPage>>;

/** What the inbox asks for first: the first page of its default tab, unsearched. */
const firstPageVariables = (): ConversationsQueryVariables => ({
  first: CONVERSATIONS_PAGE_SIZE,
  after: null,
  search: null,
  ...workflowListVariables(DEFAULT_WORKFLOW_LIST_TAB, null),
});

let prefetched: { userId: string; variables: ConversationsQueryVariables; page: Promise<ConversationsPage> } | null = null;

/**
 * Asks for the inbox's first page as soon as the session is known, while the page's code is
 * still loading and starting: the query's round trip then overlaps the page's start-up
 * instead of following it.
 */
export function prefetchConversationList(client: Client, userId: string) {
  const variables = firstPageVariables();
  prefetched = { userId, variables, page: fetchConversationsPage(client, variables) };
}

const sameVariables = (a: ConversationsQueryVariables, b: ConversationsQueryVariables) =>
  Object.keys({ ...a, ...b }).every((key) => a[key as keyof typeof a] === b[key as keyof typeof b]);

/**
 * The prefetched page, if it was asked for this user with these variables. Taken once: the
 * list's first load takes it or drops it, and every later load asks the server itself.
 */
export function takePrefetchedConversations(userId: string | null, variables: ConversationsQueryVariables): Promise<ConversationsPage> | null {
  const taken = prefetched;
  prefetched = null;
  return taken && taken.userId === userId && sameVariables(taken.variables, variables) ? taken.page : null;
}
