import { useClientHandle, type CombinedError } from "@urql/vue";
import { ref } from "vue";
import type { ChatMessageFragment, SendWhatsAppMutation, SendWhatsAppTemplateMutation } from "../graphql/generated/graphql.ts";
import { SendWhatsAppMutation as SendText, SendWhatsAppTemplateMutation as SendTemplate } from "../graphql/whatsapp.ts";
import type { FieldError } from "./useFieldErrors.ts";

/** The Cloud API's limit for a text body, counted as the server counts it (UTF-16 units). @default 4096 */
export const TEXT_MAX_LENGTH = 4096;

/** Who a message goes to: a CRM contact, or any number (the server reads and checks it). */
/** A customer whose number is hidden behind a username is sent to by their business-scoped user ID. */
/** A reply in a conversation names its business number, so that it leaves from it. */
export type SendRecipient = ({ contactId: string } | { phoneNumber: string } | { userId: string }) & { fromPhoneNumberId?: string | null };

export interface TemplateChoice {
  templateName: string;
  languageCode: string;
  bodyParameters: string[];
}

/** Every way a send can end, each with the sentence to show the agent. */
export type SendOutcome =
  | { kind: "sent"; confirmation: string; wamid: string | null; queued: boolean; message: ChatMessageFragment }
  | { kind: "windowClosed"; reason: string }
  | { kind: "failed"; reason: string; messageId: string }
  | { kind: "notConfigured"; reason: string; missing: string[] }
  | { kind: "invalidPhone"; reason: string }
  | { kind: "invalid"; reason: string; fieldErrors: FieldError[] }
  | { kind: "notFound"; reason: string }
  /** No answer: the message may or may not have been stored. Only the same key may try again. */
  | { kind: "unknown"; reason: string };

type SendAnswer = SendWhatsAppMutation["sendWhatsApp"] | SendWhatsAppTemplateMutation["sendWhatsAppTemplate"];

export const WINDOW_CLOSED_REASON =
  "The customer has not written in the last 24 hours, so WhatsApp only allows an approved template.";

/** What the server's typed answer (or the lack of one) means for the agent. */
export function toSendOutcome(answer: SendAnswer | undefined, error?: CombinedError): SendOutcome {
  switch (answer?.__typename) {
    case "SendWhatsAppSuccess":
      return { kind: "sent", confirmation: answer.message, wamid: answer.messageId, queued: answer.queued, message: answer.whatsAppMessage };
    case "WindowClosedError":
      return { kind: "windowClosed", reason: WINDOW_CLOSED_REASON };
    case "SendFailedError":
      return {
        kind: "failed",
        reason: `Failed to send message: ${answer.title}${answer.code === null ? "" : ` (${answer.code})`}`,
        messageId: answer.failedMessageId,
      };
    case "WhatsAppNotConfiguredError":
      // Numbers are connected in the product now: the server's message says where.
      return {
        kind: "notConfigured",
        reason: answer.missing.length > 0 ? `WhatsApp is not configured: set ${answer.missing.join(", ")}` : answer.message,
        missing: answer.missing,
      };
    case "InvalidPhoneNumberError":
      return { kind: "invalidPhone", reason: answer.reason || answer.message };
    case "ValidationError":
      return { kind: "invalid", reason: answer.message, fieldErrors: answer.fieldErrors };
    case "NotFoundError":
      return { kind: "notFound", reason: "This contact no longer exists." };
    default:
      return {
        kind: "unknown",
        reason: error?.networkError
          ? "Could not reach the server. Check your connection and try again."
          : "Something went wrong while sending. Try again.",
      };
  }
}

/**
 * A fresh key for one composed message. `crypto.randomUUID` exists only in secure contexts,
 * and the product may be opened over plain HTTP on a LAN address: fall back to random bytes.
 */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * Keeps one idempotency key per composed message: the same key while the outcome is unknown
 * (trying again can then never send twice), a new one once the server has answered, since
 * the server binds a key to the message it stored — a refused one included.
 */
export function useIdempotencyKey() {
  let key: string | null = null;
  return {
    current: () => (key ??= newIdempotencyKey()),
    settle(outcome: SendOutcome) {
      if (outcome.kind !== "unknown") key = null;
    },
    reset: () => (key = null),
  };
}

/** Sends texts and templates; `sending` is true while a request is under way. */
export function useWhatsAppSend() {
  const { client } = useClientHandle();
  const sending = ref(false);

  async function run(request: () => Promise<{ answer?: SendAnswer; error?: CombinedError }>): Promise<SendOutcome> {
    sending.value = true;
    try {
      const { answer, error } = await request();
      return toSendOutcome(answer, error);
    } finally {
      sending.value = false;
    }
  }

  function sendText(recipient: SendRecipient, message: string, idempotencyKey: string, replyToWamid?: string | null) {
    return run(async () => {
      const input = { ...recipient, message, idempotencyKey, replyToWamid: replyToWamid ?? null };
      const result = await client.mutation(SendText, { input }).toPromise();
      return { answer: result.data?.sendWhatsApp, error: result.error };
    });
  }

  function sendTemplate(recipient: SendRecipient, template: TemplateChoice, idempotencyKey: string) {
    return run(async () => {
      const result = await client.mutation(SendTemplate, { input: { ...recipient, ...template, idempotencyKey } }).toPromise();
      return { answer: result.data?.sendWhatsAppTemplate, error: result.error };
    });
  }

  return { sendText, sendTemplate, sending };
}
