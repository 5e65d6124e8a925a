import { useQuery } from "@urql/vue";
import { computed, toValue, type MaybeRefOrGetter } from "vue";
import { WhatsAppStatusQuery, WhatsAppTemplatesQuery, WhatsAppWindowQuery } from "../graphql/whatsapp.ts";

/** Whether the server can send at all: the banner's source. Null until known. */
export function useWhatsAppStatus() {
  const query = useQuery({ query: WhatsAppStatusQuery, requestPolicy: "cache-and-network" });
  return computed(() => query.data.value?.whatsappStatus ?? null);
}

/** The business's approved templates (the server caches Meta's list for a minute). */
export function useWhatsAppTemplates() {
  const query = useQuery({ query: WhatsAppTemplatesQuery, requestPolicy: "cache-and-network" });
  return {
    templates: computed(() => query.data.value?.whatsappTemplates ?? []),
    fetching: query.fetching,
    failed: computed(() => query.error.value !== undefined),
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
