// Coexistence webhooks authored from Meta's reference pages (history, smb_app_state_sync).
import { TEST_DISPLAY_NUMBER, TEST_PHONE_NUMBER_ID, TEST_WABA_ID } from "./webhook-fixtures.ts";

const businessNumber = (phoneNumberId = TEST_PHONE_NUMBER_ID) => ({
  messaging_product: "whatsapp",
  metadata: { display_phone_number: TEST_DISPLAY_NUMBER, phone_number_id: phoneNumberId },
});

export interface HistoryThread {
  /** The customer's number. */
  id: string;
  messages: Array<Record<string, unknown>>;
}

/** One `history` webhook: a chunk of a phase, with its threads. */
export function historyChunk(chunk: { phase: number; chunkOrder: number; progress: number; threads: HistoryThread[] }, phoneNumberId?: string) {
  return envelopeOf("history", {
    ...businessNumber(phoneNumberId),
    history: [{ metadata: { phase: chunk.phase, chunk_order: chunk.chunkOrder, progress: chunk.progress }, threads: chunk.threads }],
  });
}

/** The `history` webhook Meta sends when the business declines to share its chat history. */
export function historyDeclined(phoneNumberId?: string) {
  const text = "History sync is turned off by the business from the WhatsApp Business App";
  return envelopeOf("history", {
    ...businessNumber(phoneNumberId),
    history: [{ errors: [{ code: 2593109, title: text, message: text, error_data: { details: text } }] }],
  });
}

/** A history message from the customer (from: their number) or from the business (from: its number, to: the customer). */
export function historyMessage(from: "customer" | "business", customer: string, id: string, timestamp: number, body: Record<string, unknown>, status = "READ") {
  return {
    from: from === "customer" ? customer : TEST_DISPLAY_NUMBER,
    ...(from === "business" ? { to: customer } : {}),
    id,
    timestamp: String(timestamp),
    ...body,
    history_context: { status },
  };
}

/** `smb_app_state_sync`: contacts added (or edited) and removed in the business app. */
export function appContacts(changes: Array<{ action: "add" | "remove"; phone: string; fullName?: string; firstName?: string; timestamp?: number; userId?: string; username?: string }>, phoneNumberId?: string) {
  return envelopeOf("smb_app_state_sync", {
    ...businessNumber(phoneNumberId),
    state_sync: changes.map((change) => ({
      type: "contact",
      contact: {
        ...(change.fullName ? { full_name: change.fullName } : {}),
        ...(change.firstName ? { first_name: change.firstName } : {}),
        phone_number: change.phone,
        ...(change.userId ? { user_id: change.userId } : {}),
        ...(change.username ? { username: change.username } : {}),
      },
      action: change.action,
      metadata: { timestamp: String(change.timestamp ?? Math.floor(Date.now() / 1000)) },
    })),
  });
}

function envelopeOf(field: string, value: unknown) {
  return { object: "whatsapp_business_account", entry: [{ id: TEST_WABA_ID, changes: [{ field, value }] }] };
}
