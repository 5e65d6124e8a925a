import { useMutation, useQuery } from "@urql/vue";
import { computed, ref, toValue, type MaybeRefOrGetter } from "vue";
import { ContactQuery, DeleteContactMutation } from "../graphql/contacts.ts";

/** One contact by id: `missing` when the server knows no such contact in this workspace. */
export function useContact(id: MaybeRefOrGetter<string>) {
  const query = useQuery({
    query: ContactQuery,
    variables: () => ({ id: toValue(id) }),
    // Shown at once from the cache when coming back from the form, then refreshed.
    requestPolicy: "cache-and-network",
  });
  const contact = computed(() => query.data.value?.contact ?? null);
  const missing = computed(() => query.data.value !== undefined && contact.value === null);
  const failed = computed(() => !contact.value && query.error.value !== undefined);
  return { contact, missing, failed, fetching: query.fetching, retry: () => query.executeQuery({ requestPolicy: "network-only" }) };
}

/** Deletes a contact; `error` says why it did not happen. */
export function useDeleteContact() {
  const mutation = useMutation(DeleteContactMutation);
  const error = ref<string | null>(null);

  async function deleteContact(id: string): Promise<boolean> {
    error.value = null;
    // The answer names no Contact type, so tell the cache which cached queries it makes stale.
    const result = await mutation.executeMutation({ id }, { additionalTypenames: ["Contact"] });
    const answer = result.data?.deleteContact;
    if (answer?.__typename === "MutationDeleteContactSuccess") return true;
    // Already gone is what the agent wanted; anything else is worth saying.
    if (answer?.__typename === "NotFoundError") return true;
    error.value = "Could not delete the contact. Try again.";
    return false;
  }

  return { deleteContact, deleting: mutation.fetching, error };
}
