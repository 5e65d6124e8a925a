/**
 * Meta's `history` webhook (coexistence): up to 180 days of the WhatsApp Business app's chats,
 * sent after onboarding in three phases (0: the first day, 1: days 1–90, 2: days 90–180), each
 * in chunks that may arrive out of order, with the overall progress in percent. Media messages
 * come first without their media (a placeholder); a later history webhook carries the same
 * message id with the media, for media sent within 14 days of onboarding only. An owner who
 * declines to share the history gets one webhook with `errors` instead of threads.
 *
 * Meta's reference shows phase, chunk_order and progress as numbers; solution providers' copies
 * show them as strings: both are read. A message is the business's when it names a recipient
 * (`to`, "only included if SMB message echo"), when it comes from the business's own number, or
 * when `history_context.from_me` says so.
 */
import { z } from "zod";
import { BSUID_PATTERN } from "./customer-id.ts";
import { MEDIA_PLACEHOLDER_TYPE } from "./message-content.ts";
import { metaErrorSchema, messageBodySchema, messageEvent } from "./webhook.ts";
import { describeIssues, metaPath } from "./webhook-issues.ts";
import type { DeliveryError, DeliveryStatus, MessageEvent } from "./webhook-events.ts";

/** Meta's error code for "the business declined to share its chat history". */
export const HISTORY_DECLINED_CODE = 2593109;

/** Media older than this before onboarding never gets its follow-up webhook. */
export const HISTORY_MEDIA_WINDOW_MS = 14 * 24 * 3_600_000;

const count = z.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,9}$/).transform(Number)]);

const historyMessageSchema = messageBodySchema.extend({
  to: z.string().optional(),
  history_context: z
    .looseObject({ status: z.string().optional(), from_me: z.boolean().optional() })
    .optional(),
});

const threadSchema = z.looseObject({
  /** The customer's number. */
  id: z.string().min(1).max(160),
  user_id: z.string().regex(BSUID_PATTERN).optional().catch(undefined),
  messages: z.array(z.unknown()).default([]),
});

const chunkSchema = z.looseObject({
  metadata: z.looseObject({ phase: count.optional(), chunk_order: count.optional(), progress: count.optional() }).optional(),
  threads: z.array(z.unknown()).optional(),
  errors: z.array(metaErrorSchema).optional(),
});

const valueSchema = z.looseObject({
  metadata: z.looseObject({ display_phone_number: z.string(), phone_number_id: z.string() }),
  history: z.array(z.unknown()),
});

/** One message of the history, in the product's words. */
export interface HistoryMessage extends MessageEvent {
  /** Where it stood on the phone: sent, delivered, read, played or failed (the business's), else null. */
  status: DeliveryStatus | null;
  /** A media message whose media comes later (or never, when older than 14 days). */
  mediaPlaceholder: boolean;
  /** The customer's number, from the thread. */
  threadId: string;
}

export interface HistoryChunk {
  phase: number | null;
  chunkOrder: number | null;
  progress: number | null;
  messages: HistoryMessage[];
  /** The owner declined to share the history (or another error stopped it). */
  error: (DeliveryError & { declined: boolean }) | null;
  /** Messages not matching Meta's documented shape: counted, not stored. */
  unreadable: Array<{ reason: string; raw: unknown }>;
}

/** Reads a `history` change's value (checked loosely when it arrived: HistoryEvent). */
export function readHistory(value: unknown): HistoryChunk[] {
  const parsed = valueSchema.safeParse(value);
  if (!parsed.success) return [];
  const businessNumber = parsed.data.metadata.display_phone_number.replace(/\D/g, "");
  const phoneNumberId = parsed.data.metadata.phone_number_id;
  return parsed.data.history.map((item, chunkIndex) => {
    const where = metaPath(["history", chunkIndex]);
    const chunk = chunkSchema.safeParse(item);
    if (!chunk.success) return { phase: null, chunkOrder: null, progress: null, messages: [], error: null, unreadable: [{ reason: describeIssues(chunk.error, item, where), raw: item }] };
    const { metadata, threads = [], errors = [] } = chunk.data;
    const result: HistoryChunk = {
      phase: metadata?.phase ?? null,
      chunkOrder: metadata?.chunk_order ?? null,
      progress: metadata?.progress ?? null,
      messages: [],
      error: errorOf(errors[0]),
      unreadable: [],
    };
    threads.forEach((rawThread, threadIndex) => {
      const thread = threadSchema.safeParse(rawThread);
      if (!thread.success) {
        result.unreadable.push({ reason: describeIssues(thread.error, rawThread, metaPath(["threads", threadIndex], where)), raw: rawThread });
        return;
      }
      const waId = /^\d{1,20}$/.test(thread.data.id) ? thread.data.id : null;
      const userId = thread.data.user_id ?? null;
      if (!waId && !userId) {
        result.unreadable.push({ reason: `${metaPath(["threads", threadIndex, "id"], where)} is not a phone number`, raw: rawThread });
        return;
      }
      thread.data.messages.forEach((rawMessage, messageIndex) => {
        const message = historyMessageSchema.safeParse(rawMessage);
        if (!message.success) {
          result.unreadable.push({ reason: describeIssues(message.error, rawMessage, metaPath(["threads", threadIndex, "messages", messageIndex], where)), raw: rawMessage });
          return;
        }
        const body = message.data;
        const fromBusiness = body.to !== undefined || body.history_context?.from_me === true || (body.from !== undefined && body.from === businessNumber);
        const customer = { waId, userId, parentUserId: null, username: null, profileName: null };
        const event = messageEvent(phoneNumberId, body, customer, fromBusiness ? "businessApp" : "customer");
        result.messages.push({
          ...event,
          status: fromBusiness ? statusOf(body.history_context?.status) : null,
          mediaPlaceholder: isPlaceholder(body),
          threadId: thread.data.id,
        });
      });
    });
    return result;
  });
}

function isPlaceholder(message: z.infer<typeof historyMessageSchema>): boolean {
  return message.type === MEDIA_PLACEHOLDER_TYPE;
}

/** Meta's history statuses are upper case (DELIVERED, READ, PLAYED, ERROR, PENDING, SENT); some copies lower. */
function statusOf(value: string | undefined): DeliveryStatus | null {
  switch (value?.toLowerCase()) {
    case "delivered":
      return "delivered";
    case "read":
      return "read";
    case "played":
      return "played";
    case "error":
    case "failed":
      return "failed";
    default:
      return "sent";
  }
}

function errorOf(error: z.infer<typeof metaErrorSchema> | undefined): HistoryChunk["error"] {
  if (!error) return null;
  return {
    code: error.code,
    title: error.title ?? null,
    message: error.message ?? null,
    details: error.error_data?.details ?? null,
    declined: error.code === HISTORY_DECLINED_CODE,
  };
}

/**
 * Cuts a `history` change's value into values of at most `size` messages each — same metadata,
 * the errors in the first only — so that a chunk of thousands of messages is read (and held)
 * a batch at a time. A value not shaped like Meta's is returned whole, for readHistory to judge.
 */
export function splitHistory(value: unknown, size: number): unknown[] {
  const parsed = valueSchema.safeParse(value);
  if (!parsed.success) return [value];
  const parts: unknown[] = [];
  let current: Array<Record<string, unknown>> = [];
  let count = 0;
  const flush = () => {
    if (current.length > 0) parts.push({ ...parsed.data, history: current });
    current = [];
    count = 0;
  };
  for (const chunk of parsed.data.history) {
    const record = typeof chunk === "object" && chunk !== null ? (chunk as Record<string, unknown>) : null;
    const threads = Array.isArray(record?.threads) ? (record.threads as unknown[]) : null;
    if (!record || !threads) {
      flush();
      parts.push({ ...parsed.data, history: [chunk] });
      continue;
    }
    let first = true;
    let pieces: unknown[] = [];
    const emit = () => {
      current.push({ ...record, threads: pieces, ...(first ? {} : { errors: undefined }) });
      first = false;
      pieces = [];
    };
    for (const thread of threads) {
      const messages = typeof thread === "object" && thread !== null && Array.isArray((thread as { messages?: unknown }).messages) ? ((thread as { messages: unknown[] }).messages) : null;
      if (!messages) {
        pieces.push(thread);
        continue;
      }
      for (let start = 0; start < messages.length; ) {
        const room = size - count;
        const take = messages.slice(start, start + room);
        pieces.push({ ...(thread as object), messages: take });
        count += take.length;
        start += take.length;
        if (count >= size) {
          emit();
          flush();
        }
      }
    }
    if (pieces.length > 0 || first) emit();
  }
  flush();
  return parts;
}
