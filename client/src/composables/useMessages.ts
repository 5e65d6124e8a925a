import { useClientHandle } from "@urql/vue";
import { onScopeDispose, ref, shallowRef } from "vue";
import type { ChatMessageFragment, MessageStatus } from "../graphql/generated/graphql.ts";
import { MessageAddedSubscription, MessagesQuery, MessageStatusChangedSubscription, MessageUpdatedSubscription } from "../graphql/inbox.ts";
import { STATUS_RANK as SHARED_STATUS_RANK, type StatusRank } from "../../../server/inbox/status-rank.ts";
import { compareStrings, mergeById } from "./mergeById.ts";
import { CHAT_POLL_MS, type LiveConnection } from "./useLiveConnection.ts";
import type { ConversationListStatus } from "./useConversationList.ts";

export const MESSAGES_PAGE_SIZE = 30;

/**
 * The server's order of progress: a status only ever moves up, so a refetch answered before a
 * push arrived cannot turn blue ticks grey again.
 */
const STATUS_RANK: StatusRank<MessageStatus> = SHARED_STATUS_RANK;

/** Oldest first, as the server pages them: by timestamp, then id. */
export function chronological(a: ChatMessageFragment, b: ChatMessageFragment): number {
  return compareStrings(a.timestamp, b.timestamp) || compareStrings(a.id, b.id);
}

/** Of two versions of one message, the one further along. */
export function furtherAlong(current: ChatMessageFragment, arriving: ChatMessageFragment): ChatMessageFragment {
  return STATUS_RANK[arriving.status] >= STATUS_RANK[current.status] ? arriving : current;
}

/** Merges messages from pages, refetches, pushes and send answers: one bubble per id, in order. */
export function mergeMessages(existing: readonly ChatMessageFragment[], incoming: readonly ChatMessageFragment[]) {
  return mergeById(existing, incoming, { order: chronological, pick: furtherAlong });
}

/**
 * One conversation's messages: the newest page first, older pages on demand (`before` the
 * oldest shown), and live additions and status changes merged by id.
 */
export function useMessages(conversationId: string, live: Pick<LiveConnection, "keepFresh">) {
  const { client } = useClientHandle();
  const messages = shallowRef<ChatMessageFragment[]>([]);
  const status = ref<ConversationListStatus>("idle");
  const hasOlder = ref(false);
  const loadingOlder = ref(false);
  let startCursor: string | null = null;

  const fetchPage = (before: string | null) =>
    client
      .query(MessagesQuery, { conversationId, last: MESSAGES_PAGE_SIZE, before }, { requestPolicy: "network-only" })
      .toPromise()
      .then((result) => result.data?.messages ?? null);

  async function load() {
    status.value = "loading";
    const page = await fetchPage(null);
    if (!page) {
      status.value = "error";
      return;
    }
    messages.value = mergeMessages(messages.value, page.edges.map((edge) => edge.node));
    startCursor = page.pageInfo.startCursor;
    hasOlder.value = page.pageInfo.hasPreviousPage;
    status.value = "done";
  }

  async function loadOlder() {
    if (!hasOlder.value || loadingOlder.value || !startCursor) return;
    loadingOlder.value = true;
    const page = await fetchPage(startCursor).finally(() => (loadingOlder.value = false));
    if (!page) return;
    messages.value = mergeMessages(messages.value, page.edges.map((edge) => edge.node));
    startCursor = page.pageInfo.startCursor;
    hasOlder.value = page.pageInfo.hasPreviousPage;
  }

  /** The newest page again, merged; when more arrived than a page holds, it replaces the rest. */
  async function refresh() {
    if (status.value === "loading") return;
    if (status.value !== "done") return load();
    const page = await fetchPage(null);
    if (!page) return;
    const fresh = page.edges.map((edge) => edge.node);
    const newestShown = messages.value.at(-1);
    const oldestFresh = fresh[0];
    const gap = page.pageInfo.hasPreviousPage && newestShown && oldestFresh && chronological(oldestFresh, newestShown) > 0;
    if (gap) {
      // Messages between the two are not loaded: start again from this page rather than show a hole.
      messages.value = fresh;
      startCursor = page.pageInfo.startCursor;
      hasOlder.value = true;
      return;
    }
    messages.value = mergeMessages(messages.value, fresh);
  }

  /**
   * A message as the server now has it (a push, a send's answer). A reaction also brings the
   * reactions now on the message it is on: that bubble's badge changes at once.
   */
  function apply(message: ChatMessageFragment) {
    if (message.conversationId !== conversationId) return;
    const target = message.reactedTo && messages.value.find((shown) => shown.id === message.reactedTo?.id);
    messages.value = mergeMessages(messages.value, target ? [message, { ...target, reactions: message.reactedTo!.reactions }] : [message]);
  }

  // Subscribed first, then loaded: whatever happens after the page's query is read reaches the chat.
  const added = client.subscription(MessageAddedSubscription, { conversationId }).subscribe((result) => {
    if (result.data) apply(result.data.messageAdded);
  });
  const changed = client.subscription(MessageStatusChangedSubscription, { conversationId }).subscribe((result) => {
    if (result.data) apply(result.data.messageStatusChanged);
  });
  // A photo downloaded after its message arrived: the bubble swaps its placeholder for it.
  const updated = client.subscription(MessageUpdatedSubscription, { conversationId }).subscribe((result) => {
    if (result.data) apply(result.data.messageUpdated);
  });
  onScopeDispose(() => {
    added.unsubscribe();
    changed.unsubscribe();
    updated.unsubscribe();
  });
  void load();
  live.keepFresh(refresh, CHAT_POLL_MS);

  return { messages, status, hasOlder, loadingOlder, load, loadOlder, refresh, apply };
}
