import { useMutation, type CombinedError } from "@urql/vue";
import { ref, toValue, type MaybeRefOrGetter } from "vue";
import { useRouter } from "vue-router";
import { CreateContactMutation, UpdateContactMutation } from "../graphql/contacts.ts";
import type { ContactDetailsFragment, ContactInput } from "../graphql/generated/graphql.ts";
import { useFieldErrors, type FieldError } from "./useFieldErrors.ts";

/** The form's fields, in the order they are shown; also the names the server's fieldErrors use. */
export const CONTACT_FIELDS = ["name", "whatsappNumber", "email", "company", "notes"] as const;
export type ContactField = (typeof CONTACT_FIELDS)[number];
export type ContactFormValues = Record<ContactField, string>;

export function contactFormValues(contact?: ContactDetailsFragment | null): ContactFormValues {
  return {
    name: contact?.name ?? "",
    // As people read it; the server reads any format back to the same E.164.
    whatsappNumber: contact?.formattedWhatsappNumber ?? "",
    email: contact?.email ?? "",
    company: contact?.company ?? "",
    notes: contact?.notes ?? "",
  };
}

/** An emptied field clears the stored value: the form always sends every field. */
export function toContactInput(values: ContactFormValues): ContactInput {
  const optional = (value: string) => value.trim() || null;
  return {
    name: values.name.trim(),
    whatsappNumber: optional(values.whatsappNumber),
    email: optional(values.email),
    company: optional(values.company),
    notes: optional(values.notes),
  };
}

/** What createContact and updateContact answer, as far as the form cares. */
type SaveAnswer =
  | { __typename: "MutationCreateContactSuccess" | "MutationUpdateContactSuccess"; contact: { id: string } }
  | { __typename: "ValidationError"; message: string; fieldErrors: readonly FieldError[] }
  | { __typename: "NotFoundError"; message: string };

const UNREACHABLE = "Could not save: the server did not answer. Your changes are still here; try again.";
const FAILED = "Something went wrong while saving. Your changes are still here; try again.";
const GONE = "This contact no longer exists; it may have been deleted by someone else.";
const CONVERSATION_GONE = "The conversation this contact was made from no longer exists.";

/**
 * Saves the contact form (create when `contactId` is null, else update; a new contact made from
 * a conversation is linked to it, `fromConversationId`). On success it opens the contact; on
 * refusal it keeps the agent on the form with each message under its field.
 */
export function useContactForm(contactId: MaybeRefOrGetter<string | null>, fromConversationId: MaybeRefOrGetter<string | null> = null) {
  const errors = useFieldErrors(CONTACT_FIELDS);
  const saving = ref(false);
  const create = useMutation(CreateContactMutation);
  const update = useMutation(UpdateContactMutation);
  const router = useRouter();

  async function send(input: ContactInput): Promise<{ answer?: SaveAnswer; error?: CombinedError }> {
    const id = toValue(contactId);
    if (id) {
      const result = await update.executeMutation({ id, input });
      return { answer: result.data?.updateContact, error: result.error };
    }
    const conversationId = toValue(fromConversationId);
    const result = await create.executeMutation({ input, ...(conversationId ? { conversationId } : {}) });
    return { answer: result.data?.createContact, error: result.error };
  }

  async function save(values: ContactFormValues) {
    if (saving.value) return;
    saving.value = true;
    try {
      const { answer, error } = await send(toContactInput(values));
      switch (answer?.__typename) {
        case "MutationCreateContactSuccess":
        case "MutationUpdateContactSuccess":
          errors.clear();
          // replace: Back from the contact should lead to where the agent came from, not to the form.
          await router.replace({ name: "contact", params: { id: answer.contact.id } });
          return;
        case "ValidationError":
          errors.apply(answer.fieldErrors, answer.message);
          return;
        case "NotFoundError":
          errors.fail(toValue(contactId) ? GONE : CONVERSATION_GONE);
          return;
        default:
          errors.fail(error?.networkError ? UNREACHABLE : FAILED);
      }
    } finally {
      // Still saving while the contact page opens: a second click must not create a twin.
      saving.value = false;
    }
  }

  return { save, saving, fieldErrors: errors.byField, formError: errors.formError };
}
