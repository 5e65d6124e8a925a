import { useClientHandle } from "@urql/vue";
import { onScopeDispose, ref, shallowRef } from "vue";
import type { WorkflowNoteFragment } from "../graphql/generated/graphql.ts";
import {
  AddConversationNoteMutation,
  ConversationNotesChangedSubscription,
  ConversationNotesQuery,
  DeleteConversationNoteMutation,
} from "../graphql/workflow.ts";
import { CHAT_POLL_MS, type LiveConnection } from "./useLiveConnection.ts";

/**
 * A conversation's internal notes: loaded, kept current by pushes (another agent's note shows
 * at once) or by polling while the socket is down. Writing one never touches the send path.
 */
export function useWorkflowNotes(conversationId: string, live: Pick<LiveConnection, "keepFresh">) {
  const { client } = useClientHandle();
  const notes = shallowRef<readonly WorkflowNoteFragment[]>([]);
  const saving = ref(false);
  const error = ref<string | null>(null);

  async function refresh() {
    const result = await client.query(ConversationNotesQuery, { id: conversationId }, { requestPolicy: "network-only" }).toPromise();
    if (result.data?.conversation) notes.value = result.data.conversation.notes;
  }

  /** Returns whether the note was kept, so that the form empties only then. */
  async function add(body: string): Promise<boolean> {
    saving.value = true;
    error.value = null;
    try {
      const result = await client.mutation(AddConversationNoteMutation, { conversationId, body }).toPromise();
      const answer = result.data?.addConversationNote;
      if (answer?.__typename === "MutationAddConversationNoteSuccess") {
        const { note } = answer;
        if (!notes.value.some((existing) => existing.id === note.id)) notes.value = [...notes.value, note];
        return true;
      }
      error.value = (answer && "message" in answer && answer.message) || "Could not save the note.";
      return false;
    } finally {
      saving.value = false;
    }
  }

  async function remove(id: string) {
    error.value = null;
    const result = await client.mutation(DeleteConversationNoteMutation, { id }).toPromise();
    const answer = result.data?.deleteConversationNote;
    if (answer?.__typename === "MutationDeleteConversationNoteSuccess") notes.value = notes.value.filter((note) => note.id !== id);
    else error.value = (answer && "message" in answer && answer.message) || "Could not delete the note.";
  }

  const updates = client.subscription(ConversationNotesChangedSubscription, { conversationId }).subscribe((result) => {
    if (result.data) notes.value = result.data.conversationNotesChanged.notes;
  });
  onScopeDispose(() => updates.unsubscribe());
  void refresh();
  live.keepFresh(refresh, CHAT_POLL_MS);

  return { notes, saving, error, add, remove, refresh };
}
