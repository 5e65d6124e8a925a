import { useClientHandle } from "@urql/vue";
import { computed, reactive, ref } from "vue";
import type { ChatMessageFragment, SendWhatsAppInteractiveInput } from "../graphql/generated/graphql.ts";
import { SendWhatsAppContactsMutation, SendWhatsAppInteractiveMutation, SendWhatsAppLocationMutation } from "../graphql/interactive.ts";
import type { FieldError } from "./useFieldErrors.ts";
import { toSendOutcome, useIdempotencyKey, type SendOutcome, type SendRecipient } from "./useWhatsAppSend.ts";

/** What the composer's "+" menu offers, in its order. */
export const RICH_KINDS = [
  { kind: "buttons", label: "Buttons" },
  { kind: "list", label: "List" },
  { kind: "ctaUrl", label: "Link button" },
  { kind: "locationRequest", label: "Ask for location" },
  { kind: "location", label: "Location" },
  { kind: "contacts", label: "Contact card" },
  { kind: "flow", label: "Flow" },
] as const;
export type RichKind = (typeof RICH_KINDS)[number]["kind"];

/** Meta's limits, shown as counters while typing (the server checks them too, before storing anything). */
export const LIMITS = { header: 60, footer: 60, body: 1024, listBody: 4096, buttonTitle: 20, listButton: 20, rowTitle: 24, rowDescription: 72, sectionTitle: 24, ctaText: 20, flowCta: 20 };
export const MAX_BUTTONS = 3;
export const MAX_ROWS = 10;

/** An id WhatsApp hands back with the tap, made from the title: "Reschedule" → "reschedule". */
export function idFor(title: string, index: number): string {
  const slug = title.trim().toLowerCase().replace(/[^\p{Letter}\p{Number}]+/gu, "_").replace(/^_|_$/g, "");
  return slug || `option_${index + 1}`;
}

export const characters = (text: string) => [...text].length;

/** "12 / 20", and by how much it is over: a field's hint. */
export function counter(text: string, limit: number) {
  const used = characters(text);
  return used > limit ? `${used} / ${limit} — too long by ${used - limit}` : `${used} / ${limit}`;
}

export interface RichDraft {
  header: string;
  body: string;
  footer: string;
  buttons: string[];
  /** Ids given with a title (a canned response's buttons), kept rather than made from the title. */
  buttonIds: Record<string, string>;
  listButton: string;
  sectionTitle: string;
  rows: Array<{ title: string; description: string }>;
  ctaText: string;
  ctaUrl: string;
  flowId: string;
  flowCta: string;
  flowScreen: string;
  flowMode: "NAVIGATE" | "DATA_EXCHANGE";
  latitude: string;
  longitude: string;
  placeName: string;
  placeAddress: string;
  cardName: string;
  cardPhone: string;
  cardEmail: string;
  cardOrganization: string;
}

function blankDraft(): RichDraft {
  return {
    header: "",
    body: "",
    footer: "",
    buttons: ["", ""],
    buttonIds: {},
    listButton: "",
    sectionTitle: "",
    rows: [{ title: "", description: "" }],
    ctaText: "",
    ctaUrl: "https://",
    flowId: "",
    flowCta: "",
    flowScreen: "",
    flowMode: "NAVIGATE",
    latitude: "",
    longitude: "",
    placeName: "",
    placeAddress: "",
    cardName: "",
    cardPhone: "",
    cardEmail: "",
    cardOrganization: "",
  };
}

const optional = (text: string) => (text.trim() ? text.trim() : null);

/** The interactive message the draft makes, as a bubble would show it (also the live preview). */
export function interactiveOf(kind: RichKind, draft: RichDraft): NonNullable<ChatMessageFragment["interactive"]> | null {
  const frame = { header: optional(draft.header), body: draft.body, footer: optional(draft.footer), buttons: null, list: null, ctaUrl: null, flow: null };
  const filled = (texts: string[]) => texts.filter((text) => text.trim());
  switch (kind) {
    case "buttons":
      return { ...frame, kind: "BUTTONS", buttons: filled(draft.buttons).map((title, index) => ({ id: draft.buttonIds[title.trim()] ?? idFor(title, index), title: title.trim() })) };
    case "list":
      return {
        ...frame,
        kind: "LIST",
        list: {
          button: draft.listButton,
          sections: [{ title: optional(draft.sectionTitle), rows: draft.rows.filter((row) => row.title.trim()).map((row, index) => ({ id: idFor(row.title, index), title: row.title.trim(), description: optional(row.description) })) }],
        },
      };
    case "ctaUrl":
      return { ...frame, kind: "CTA_URL", ctaUrl: { displayText: draft.ctaText, url: draft.ctaUrl.trim() } };
    case "locationRequest":
      return { ...frame, header: null, footer: null, kind: "LOCATION_REQUEST" };
    case "flow":
      return { ...frame, kind: "FLOW", flow: { flowCta: draft.flowCta } };
    default:
      return null;
  }
}

function interactiveInput(kind: RichKind, draft: RichDraft): Omit<SendWhatsAppInteractiveInput, "contactId" | "phoneNumber" | "userId"> {
  const message = interactiveOf(kind, draft)!;
  const base = { header: message.header, body: message.body, footer: message.footer };
  switch (kind) {
    case "buttons":
      return { ...base, buttons: message.buttons };
    case "list":
      return { ...base, list: message.list };
    case "ctaUrl":
      return { ...base, ctaUrl: message.ctaUrl };
    case "locationRequest":
      return { body: message.body, locationRequest: true };
    default:
      return { ...base, flow: { flowId: draft.flowId.trim(), flowCta: draft.flowCta.trim(), mode: draft.flowMode, screen: draft.flowMode === "NAVIGATE" ? optional(draft.flowScreen) : null } };
  }
}

/** What a Buttons form can open with: a canned response's text and buttons. */
export interface ButtonsPrefill {
  body: string;
  buttons: ReadonlyArray<{ id: string; title: string }>;
}

/**
 * One rich message being composed: the draft behind the form and its live preview, and sending
 * it through the matching mutation with one idempotency key per message. The server's refusals
 * come back by field (`buttons.1.title`…), shown under the field they name.
 */
export function useRichMessage(recipient: () => SendRecipient, prefill?: ButtonsPrefill) {
  const { client } = useClientHandle();
  const draft = reactive(blankDraft());
  if (prefill) {
    draft.body = prefill.body;
    draft.buttons = prefill.buttons.map((button) => button.title);
    draft.buttonIds = Object.fromEntries(prefill.buttons.map((button) => [button.title, button.id]));
  }
  const key = useIdempotencyKey();
  const sending = ref(false);
  const reason = ref<string | null>(null);
  const fieldErrors = ref<FieldError[]>([]);

  function errorFor(field: string): string | null {
    return fieldErrors.value.find((error) => error.field === field)?.message ?? null;
  }

  async function answer(kind: RichKind) {
    const idempotencyKey = key.current();
    if (kind === "location") {
      const input = { ...recipient(), latitude: Number(draft.latitude), longitude: Number(draft.longitude), name: optional(draft.placeName), address: optional(draft.placeAddress), idempotencyKey };
      const result = await client.mutation(SendWhatsAppLocationMutation, { input }).toPromise();
      return toSendOutcome(result.data?.sendWhatsAppLocation, result.error);
    }
    if (kind === "contacts") {
      const card = { name: draft.cardName, phones: [draft.cardPhone].filter((phone) => phone.trim()), emails: [draft.cardEmail].filter((email) => email.trim()), organization: optional(draft.cardOrganization) };
      const result = await client.mutation(SendWhatsAppContactsMutation, { input: { ...recipient(), contacts: [card], idempotencyKey } }).toPromise();
      return toSendOutcome(result.data?.sendWhatsAppContacts, result.error);
    }
    const result = await client.mutation(SendWhatsAppInteractiveMutation, { input: { ...recipient(), ...interactiveInput(kind, draft), idempotencyKey } }).toPromise();
    return toSendOutcome(result.data?.sendWhatsAppInteractive, result.error);
  }

  async function send(kind: RichKind): Promise<SendOutcome | null> {
    if (sending.value) return null;
    sending.value = true;
    reason.value = null;
    fieldErrors.value = [];
    try {
      const outcome = await answer(kind);
      key.settle(outcome);
      if (outcome.kind === "invalid") fieldErrors.value = outcome.fieldErrors;
      if (outcome.kind !== "sent") reason.value = outcome.reason;
      return outcome;
    } finally {
      sending.value = false;
    }
  }

  return { draft, send, sending, reason, fieldErrors, errorFor, busy: computed(() => sending.value) };
}
