import { flushPromises } from "@vue/test-utils";
import { describe, expect, it } from "vitest";
import { createTestRouter, fakeGraphQLServer, withSetup } from "../testing/harness.ts";
import { contactFormValues, toContactInput, useContactForm, type ContactFormValues } from "./useContactForm.ts";

const typed: ContactFormValues = {
  name: "  Priya Sharma ",
  whatsappNumber: "98765 43210",
  email: "",
  company: "Sharma Textiles",
  notes: "   ",
};

const savedContact = {
  id: "c42",
  name: "Priya Sharma",
  company: "Sharma Textiles",
  email: null,
  notes: null,
  whatsappNumber: "+919876543210",
  formattedWhatsappNumber: "+91 98765 43210",
  conversation: null,
  whatsappLink: "https://wa.me/919876543210",
  marketingConsent: "UNKNOWN" as const,
  marketingConsentAt: null,
  marketingConsentSource: null,
  createdAt: "2025-11-25T10:00:00.000Z",
  updatedAt: "2025-11-25T10:00:00.000Z",
  removedFromPhoneAt: null,
  customFields: [],
  labels: [],
};

async function setUp(answer: unknown, contactId: string | null = null, fromConversationId: string | null = null) {
  const server = fakeGraphQLServer(() => answer);
  const router = createTestRouter();
  await router.push("/contacts/new");
  const { result } = withSetup(() => useContactForm(contactId, fromConversationId), { router, client: server.client });
  return { form: result, router, server };
}

describe("toContactInput", () => {
  it("trims what was typed and sends emptied optional fields as null, so they are cleared", () => {
    expect(toContactInput(typed)).toEqual({
      name: "Priya Sharma",
      whatsappNumber: "98765 43210",
      email: null,
      company: "Sharma Textiles",
      notes: null,
    });
  });

  it("starts an edit from the stored contact, and a new contact from empty fields", () => {
    expect(contactFormValues(savedContact).whatsappNumber).toBe("+91 98765 43210");
    expect(contactFormValues(null)).toEqual({ name: "", whatsappNumber: "", email: "", company: "", notes: "" });
  });
});

describe("useContactForm", () => {
  it("creates the contact and opens its page", async () => {
    const { form, router, server } = await setUp({
      createContact: { __typename: "MutationCreateContactSuccess", contact: savedContact },
    });
    await form.save(typed);
    await flushPromises();
    expect(server.requests[0]?.operationName).toBe("CreateContact");
    expect(server.requests[0]?.variables).toEqual({ input: toContactInput(typed) });
    expect(router.currentRoute.value.fullPath).toBe("/contacts/c42");
  });

  it("links a contact made from a conversation to it, whether or not the number is known", async () => {
    const { form, server } = await setUp({ createContact: { __typename: "MutationCreateContactSuccess", contact: savedContact } }, null, "conv-7");
    await form.save(typed);
    await flushPromises();
    expect(server.requests[0]?.variables).toEqual({ input: toContactInput(typed), conversationId: "conv-7" });
  });

  it("updates the contact it was given instead of creating one", async () => {
    const { form, router, server } = await setUp(
      { updateContact: { __typename: "MutationUpdateContactSuccess", contact: savedContact } },
      "c42",
    );
    await form.save(typed);
    await flushPromises();
    expect(server.requests[0]?.operationName).toBe("UpdateContact");
    expect(server.requests[0]?.variables).toMatchObject({ id: "c42" });
    expect(router.currentRoute.value.fullPath).toBe("/contacts/c42");
  });

  it("puts the server's refusal under the number field and stays on the form", async () => {
    const { form, router } = await setUp({
      createContact: {
        __typename: "ValidationError",
        message: "Invalid phone number",
        fieldErrors: [{ field: "whatsappNumber", message: "Invalid phone number" }],
      },
    });
    await form.save({ ...typed, whatsappNumber: "12345" });
    await flushPromises();
    expect(form.fieldErrors.value).toEqual({ whatsappNumber: "Invalid phone number" });
    expect(form.formError.value).toBeNull();
    expect(form.saving.value).toBe(false);
    expect(router.currentRoute.value.fullPath).toBe("/contacts/new");
  });

  it("says so when the contact being edited was deleted meanwhile", async () => {
    const { form, router } = await setUp(
      { updateContact: { __typename: "NotFoundError", message: "Contact not found" } },
      "gone",
    );
    await form.save(typed);
    await flushPromises();
    expect(form.formError.value).toMatch(/no longer exists/);
    expect(router.currentRoute.value.fullPath).toBe("/contacts/new");
  });

  it("is saving until the server answers, and ignores a second click meanwhile", async () => {
    const { form, server } = await setUp({
      createContact: { __typename: "MutationCreateContactSuccess", contact: savedContact },
    });
    const first = form.save(typed);
    expect(form.saving.value).toBe(true);
    await form.save(typed);
    await first;
    await flushPromises();
    expect(server.requests).toHaveLength(1);
    expect(form.saving.value).toBe(false);
  });
});
