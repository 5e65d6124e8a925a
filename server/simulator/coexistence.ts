/**
 * Coexistence in the simulator: the business keeps the WhatsApp Business app on its phone while
 * the number is on the Cloud API. What Meta then sends, in the shapes of Meta's reference pages:
 * `smb_message_echoes` when the "phone" sends, `history` after onboarding (three phases, each in
 * chunks that may arrive out of order, with progress; media as placeholders first, the media of
 * the last 14 days in follow-up webhooks with the same message ids; or the "declined" error), and
 * `smb_app_state_sync` when the app's address book changes.
 */
import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { WebhookPayload } from "../whatsapp/webhook.ts";
import { buildInbound, inboundInputSchema, type MediaStore } from "./inbound.ts";

/** Meta's limit for a number on the WhatsApp Business app and the Cloud API at once. @default 20 */
export const COEXISTENCE_MESSAGES_PER_SECOND = 20;
/** Meta's error when the business declined to share its chat history. */
export const HISTORY_DECLINED_CODE = 2593109;
const DAY_SECONDS = 24 * 3600;
/** Media sent within this many days of onboarding gets a follow-up webhook with its media id. */
const MEDIA_FOLLOW_UP_DAYS = 14;

/** The phone sends: described like a customer's message (inbound.ts), `from` naming the customer it goes to. */
export type PhoneSendsInput = z.input<typeof inboundInputSchema>;

export const historyInputSchema = z.object({
  /** The business declined to share its chat history: one webhook with Meta's error, nothing else. */
  declined: z.boolean().default(false),
  /** Customers with past chats. */
  threads: z.number().int().min(0).max(100_000).default(5),
  /** Messages per thread, spread over 180 days, both directions. */
  messagesPerThread: z.number().int().min(1).max(100_000).default(10),
  /** Every n-th message is a photo (0: none). */
  mediaEvery: z.number().int().min(0).default(5),
  /** Messages per webhook at most (Meta's chunks; bodies stay under 3 MB). */
  chunkSize: z.number().int().min(1).max(10_000).default(500),
  /** Deliver each phase's chunks in reverse order, as Meta may. */
  outOfOrder: z.boolean().default(true),
  /** First customer number (digits); the others follow it. */
  firstCustomer: z.string().regex(/^\d{6,20}$/).default("919700000000"),
  /** Wait this long between webhooks, as Meta spreads an onboarding's history over minutes: to watch an import move. */
  pauseMs: z.number().int().min(0).max(60_000).default(0),
});
export type HistoryInput = z.input<typeof historyInputSchema>;

export const appContactsInputSchema = z.object({
  changes: z
    .array(
      z.object({
        action: z.enum(["add", "remove"]),
        phone_number: z.string().regex(/^\+?\d{6,20}$/),
        full_name: z.string().min(1).optional(),
        first_name: z.string().min(1).optional(),
      }),
    )
    .min(1),
});
export type AppContactsInput = z.input<typeof appContactsInputSchema>;

interface BusinessNumber {
  businessAccountId: string;
  phoneNumberId: string;
  displayPhoneNumber: string;
}

function envelope(number: BusinessNumber, field: string, value: Record<string, unknown>): WebhookPayload {
  return {
    object: "whatsapp_business_account",
    entry: [
      {
        id: number.businessAccountId,
        changes: [
          { field, value: { messaging_product: "whatsapp", metadata: { display_phone_number: number.displayPhoneNumber, phone_number_id: number.phoneNumberId }, ...value } },
        ],
      },
    ],
  };
}

/** `smb_message_echoes`: from the business's number to the customer's. */
export function echoPayload(number: BusinessNumber, input: PhoneSendsInput, storeMedia: MediaStore) {
  const parsed = inboundInputSchema.parse(input);
  const built = buildInbound(parsed, number.displayPhoneNumber, storeMedia);
  const { from, from_user_id: toUserId, ...message } = built.message;
  const echo = { ...message, from: number.displayPhoneNumber, ...(from ? { to: from } : {}), ...(toUserId ? { to_user_id: toUserId } : {}) };
  return { wamid: echo.id, payload: envelope(number, "smb_message_echoes", { message_echoes: [echo] }) };
}

/** `smb_app_state_sync`: an add is also an edit; a removal names only the number. */
export function appContactsPayload(number: BusinessNumber, input: AppContactsInput) {
  const { changes } = appContactsInputSchema.parse(input);
  const timestamp = String(Math.floor(Date.now() / 1000));
  return envelope(number, "smb_app_state_sync", {
    state_sync: changes.map(({ action, phone_number, full_name, first_name }) => ({
      type: "contact",
      contact: { ...(action === "add" && full_name ? { full_name } : {}), ...(action === "add" && first_name ? { first_name } : {}), phone_number: phone_number.replace(/^\+/, "") },
      action,
      metadata: { timestamp },
    })),
  });
}

/**
 * The history webhooks of an onboarding, in the order they are to be delivered: phases 0, 1, 2
 * (each chunk's progress is the share of all messages delivered so far), then the media
 * follow-ups. Generated lazily: a 100,000-message history is never held in memory at once.
 */
export function* historyPayloads(number: BusinessNumber, input: HistoryInput, storeMedia: MediaStore, nowSeconds = Math.floor(Date.now() / 1000)): Generator<WebhookPayload> {
  const options = historyInputSchema.parse(input);
  if (options.declined) {
    const text = "History sync is turned off by the business from the WhatsApp Business App";
    yield envelope(number, "history", { history: [{ errors: [{ code: HISTORY_DECLINED_CODE, title: text, message: text, error_data: { details: text } }] }] });
    return;
  }
  const total = options.threads * options.messagesPerThread;
  const first = BigInt(options.firstCustomer);
  const customerOf = (thread: number) => String(first + BigInt(thread));
  // Message i of a thread is (messagesPerThread - i) steps before onboarding, spread over 180 days.
  const ageOf = (index: number) => Math.max(60, Math.floor(((options.messagesPerThread - index) / options.messagesPerThread) * 180 * DAY_SECONDS));
  const phaseOf = (ageSeconds: number) => (ageSeconds <= DAY_SECONDS ? 0 : ageSeconds <= 90 * DAY_SECONDS ? 1 : 2);
  const idOf = (thread: number, index: number) => `wamid.HIST${options.firstCustomer}${thread.toString(36)}x${index.toString(36)}${SALT}`;
  const isMedia = (index: number) => options.mediaEvery > 0 && index % options.mediaEvery === options.mediaEvery - 1;
  let delivered = 0;

  for (const phase of [0, 1, 2]) {
    const chunks: Array<Array<{ customer: string; message: Record<string, unknown> }>> = [];
    let current: Array<{ customer: string; message: Record<string, unknown> }> = [];
    for (let thread = 0; thread < options.threads; thread++) {
      const customer = customerOf(thread);
      for (let index = 0; index < options.messagesPerThread; index++) {
        const age = ageOf(index);
        if (phaseOf(age) !== phase) continue;
        const fromBusiness = index % 2 === 1;
        const message: Record<string, unknown> = {
          from: fromBusiness ? number.displayPhoneNumber : customer,
          ...(fromBusiness ? { to: customer } : {}),
          id: idOf(thread, index),
          timestamp: String(nowSeconds - age),
          ...(isMedia(index) ? { type: "media_placeholder" } : { type: "text", text: { body: fromBusiness ? `Reply ${index} from the shop` : `Message ${index} from the customer` } }),
          history_context: { status: fromBusiness ? "READ" : "DELIVERED" },
        };
        current.push({ customer, message });
        if (current.length === options.chunkSize) {
          chunks.push(current);
          current = [];
        }
      }
    }
    if (current.length > 0) chunks.push(current);
    const order = chunks.map((_chunk, index) => index);
    if (options.outOfOrder) order.reverse();
    for (const index of order) {
      const chunk = chunks[index]!;
      delivered += chunk.length;
      yield historyChunk(number, phase, index + 1, total === 0 ? 100 : Math.floor((delivered / total) * 100), chunk);
    }
    // A phase with no chat history sends no chunk (Meta's reference).
  }

  // The media of the last 14 days: same message ids, now with a media id the product can download.
  const followUps: Array<{ customer: string; message: Record<string, unknown> }> = [];
  for (let thread = 0; thread < options.threads; thread++) {
    for (let index = 0; index < options.messagesPerThread; index++) {
      const age = ageOf(index);
      if (!isMedia(index) || age > MEDIA_FOLLOW_UP_DAYS * DAY_SECONDS) continue;
      const { id, sha256 } = storeMedia(PHOTO, "image/png", null);
      const fromBusiness = index % 2 === 1;
      const customer = customerOf(thread);
      followUps.push({
        customer,
        message: {
          from: fromBusiness ? number.displayPhoneNumber : customer,
          ...(fromBusiness ? { to: customer } : {}),
          id: idOf(thread, index),
          timestamp: String(nowSeconds - age),
          type: "image",
          image: { id, mime_type: "image/png", sha256 },
          history_context: { status: fromBusiness ? "READ" : "DELIVERED" },
        },
      });
    }
  }
  for (let start = 0; start < followUps.length; start += options.chunkSize) {
    yield historyChunk(number, 0, start / options.chunkSize + 1, 100, followUps.slice(start, start + options.chunkSize));
  }
}

function historyChunk(number: BusinessNumber, phase: number, chunkOrder: number, progress: number, messages: Array<{ customer: string; message: Record<string, unknown> }>) {
  const threads = new Map<string, Array<Record<string, unknown>>>();
  for (const { customer, message } of messages) threads.set(customer, [...(threads.get(customer) ?? []), message]);
  return envelope(number, "history", {
    history: [{ metadata: { phase, chunk_order: chunkOrder, progress }, threads: [...threads].map(([id, threadMessages]) => ({ id, messages: threadMessages })) }],
  });
}

/** Makes each simulator run's history ids its own, so that two runs against one database do not collide. */
const SALT = randomBytes(4).toString("hex");
/** A 1×1 PNG: a simulated photo renders in the inbox. */
const PHOTO = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", "base64");
