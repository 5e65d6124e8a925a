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
export const firstPageVariables = (): ConversationsQueryVariables => ({
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
  const preloaded = preloadedFirstPage(variables);
  const page = preloaded ? preloaded.then((ready) => ready ?? fetchConversationsPage(client, variables)) : fetchConversationsPage(client, variables);
  prefetched = { userId, variables, page };
}

/** Marks the `<link rel="preload">` of the first page in the inbox's HTML. */
export const FIRST_PAGE_PRELOAD_ATTRIBUTE = "data-inbox-first-page";

/**
 * The first page as a GraphQL GET, which a `<link rel="preload">` can ask for: the server's
 * HTML for /inbox carries one (client/vite.config.ts), so the query runs while the scripts
 * download instead of after they have started. `document` is the query's text.
 */
export function firstPageUrl(document: string) {
  return `/graphql?${new URLSearchParams({ operationName: "Conversations", query: document, variables: JSON.stringify(firstPageVariables()) })}`;
}

/**
 * The answer to the HTML's preload, if it asked for these variables — fetched with the same URL
 * and credentials, so the browser hands over the response it already has. Null when there is no
 * such preload; resolves to null when it failed (the caller then asks itself).
 */
function preloadedFirstPage(variables: ConversationsQueryVariables): Promise<ConversationsPage> | null {
  const href = document.querySelector(`link[rel="preload"][${FIRST_PAGE_PRELOAD_ATTRIBUTE}]`)?.getAttribute("href");
  if (!href) return null;
  let asked: ConversationsQueryVariables;
  try {
    asked = JSON.parse(new URL(href, location.href).searchParams.get("variables") ?? "null") as ConversationsQueryVariables;
  } catch {
    return null;
  }
  if (!asked || !sameVariables(asked, variables)) return null;
  return fetch(href, { credentials: "same-origin" })
    .then((response) => (response.ok ? (response.json() as Promise<{ data?: { conversations?: ConversationsPage } }>) : null))
    .then((body) => body?.data?.conversations ?? null)
    .catch(() => null);
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
