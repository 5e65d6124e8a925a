import { useClientHandle } from "@urql/vue";
import { computed, onScopeDispose, ref, shallowRef, watch } from "vue";
import type { ConversationSummaryFragment } from "../graphql/generated/graphql.ts";
import { ConversationQuery, ConversationUpdatedSubscription, MarkConversationReadMutation } from "../graphql/inbox.ts";
import { CHAT_POLL_MS, type LiveConnection } from "./useLiveConnection.ts";

/**
 * The conversation open in the chat (whether or not the list shows it, e.g. while searching):
 * loaded, kept current by pushes or polling, and marked read while the agent looks at it —
 * also when a message arrives in it meanwhile. `onChange` hears every new version.
 */
export function useOpenConversation(
  conversationId: string,
  live: Pick<LiveConnection, "keepFresh">,
  onChange: (conversation: ConversationSummaryFragment) => void,
) {
  const { client } = useClientHandle();
  const conversation = shallowRef<ConversationSummaryFragment | null>(null);
  const missing = ref(false);
  const failed = ref(false);
  let marking = false;

  function apply(next: ConversationSummaryFragment) {
    if (next.id !== conversationId) return;
    conversation.value = next;
    onChange(next);
  }

  async function refresh() {
    const result = await client.query(ConversationQuery, { id: conversationId }, { requestPolicy: "network-only" }).toPromise();
    failed.value = !result.data;
    if (!result.data) return;
    missing.value = result.data.conversation === null;
    if (result.data.conversation) apply(result.data.conversation);
  }

  async function markRead() {
    if (marking) return;
    marking = true;
    try {
      const result = await client.mutation(MarkConversationReadMutation, { id: conversationId }).toPromise();
      const answer = result.data?.markConversationRead;
      if (answer?.__typename === "MutationMarkConversationReadSuccess") apply(answer.conversation);
    } finally {
      marking = false;
    }
  }

  const unread = computed(() => conversation.value?.unreadCount ?? 0);
  const visible = ref(document.visibilityState !== "hidden");
  const onVisibility = () => (visible.value = document.visibilityState !== "hidden");
  document.addEventListener("visibilitychange", onVisibility);
  // Read only while the agent can see it: a message arriving in a background tab stays unread.
  watch([unread, visible], ([count, shown]) => count > 0 && shown && void markRead(), { immediate: true });

  const updates = client.subscription(ConversationUpdatedSubscription, {}).subscribe((result) => {
    if (result.data) apply(result.data.conversationUpdated);
  });
  onScopeDispose(() => {
    updates.unsubscribe();
    document.removeEventListener("visibilitychange", onVisibility);
  });
  void refresh();
  live.keepFresh(refresh, CHAT_POLL_MS);

  return { conversation, missing, failed, refresh, apply };
}
