import { useClientHandle, useQuery } from "@urql/vue";
import { computed, ref, toValue, type MaybeRefOrGetter } from "vue";
import { countOf } from "../../../server/plural.ts";
import { SyncWhatsAppTemplatesMutation, WhatsAppStatusQuery, WhatsAppTemplatesQuery, WhatsAppWindowQuery } from "../graphql/whatsapp.ts";

/** Whether the server can send at all: the banner's source. Null until known. */
export function useWhatsAppStatus() {
  const query = useQuery({ query: WhatsAppStatusQuery, requestPolicy: "cache-and-network" });
  return computed(() => query.data.value?.whatsappStatus ?? null);
}

/**
 * The business's approved templates, from the server's copy (kept current by Meta's status
 * webhooks); `sync()` is "Sync now": the server asks Meta for the whole list again. Templates
 * belong to a business account: `phoneNumberId` (the conversation's number) picks its account's,
 * none the workspace's default number's.
 */
export function useWhatsAppTemplates(phoneNumberId: MaybeRefOrGetter<string | null | undefined> = null) {
  const query = useQuery({
    query: WhatsAppTemplatesQuery,
    variables: () => ({ phoneNumberId: toValue(phoneNumberId) ?? null }),
    requestPolicy: "cache-and-network",
  });
  const { client } = useClientHandle();
  const syncing = ref(false);
  /** What the last sync did, for the agent: "12 templates" or why it failed. */
  const syncNote = ref<{ ok: boolean; text: string } | null>(null);

  async function sync() {
    if (syncing.value) return;
    syncing.value = true;
    syncNote.value = null;
    const result = await client.mutation(SyncWhatsAppTemplatesMutation, { phoneNumberId: toValue(phoneNumberId) ?? null }).toPromise().finally(() => (syncing.value = false));
    const answer = result.data?.syncWhatsAppTemplates;
    if (answer?.__typename === "MutationSyncWhatsAppTemplatesSuccess") {
      const { count } = answer.sync;
      syncNote.value = { ok: true, text: `Synced: ${countOf(count, "template")} in WhatsApp Manager` };
      await query.executeQuery({ requestPolicy: "network-only" });
    } else {
      syncNote.value = { ok: false, text: answer && "message" in answer ? answer.message : "Could not sync the templates. Try again." };
    }
  }

  return {
    templates: computed(() => query.data.value?.whatsappTemplates ?? []),
    fetching: query.fetching,
    failed: computed(() => query.error.value !== undefined),
    sync,
    syncing,
    syncNote,
  };
}

/** A contact's 24-hour window as the server sees it now: null until known. */
export function useContactWindow(contactId: MaybeRefOrGetter<string>) {
  const query = useQuery({
    query: WhatsAppWindowQuery,
    variables: () => ({ contactId: toValue(contactId) }),
    requestPolicy: "network-only",
  });
  const window = computed(() => {
    const answer = query.data.value?.whatsappWindow;
    return answer?.__typename === "QueryWhatsappWindowSuccess" ? answer.data : null;
  });
  return { window, refresh: () => query.executeQuery({ requestPolicy: "network-only" }) };
}
