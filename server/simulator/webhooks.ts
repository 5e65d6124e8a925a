/**
 * Sends webhooks to the product as Meta does: serialised once with Meta's escaping, signed over
 * exactly those bytes, retried with backoff until the product answers 200.
 */
import { createHmac } from "node:crypto";
import type { MessagesValue, WebhookPayload } from "../whatsapp/webhook.ts";
import type { DeliveryKind, Scheduler, SimulatorState, WebhookAttempt } from "./state.ts";

export interface WebhookSenderOptions {
  appSecret: string;
  businessAccountId: string;
  /** Waits after failed attempts 1, 2, 3…; once used up, the delivery is given up. */
  retryDelaysMs: readonly number[];
  /** How long the product may take to answer one POST. */
  timeoutMs: number;
}

/** What a raw (hostile-input) delivery should carry in X-Hub-Signature-256. */
export type RawSignature = "valid" | "wrong" | "missing" | { header: string };

export interface RawDeliveryResult {
  httpStatus: number | null;
  responseBody: string;
}

export type WebhookSender = ReturnType<typeof createWebhookSender>;

/**
 * JSON as Meta serialises it: non-ASCII characters as `\uXXXX` and `/` as `\/`. Both parse to the
 * same value, so a receiver that re-serialises before verifying the signature fails — as it would
 * with Meta.
 */
export function metaJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`)
    .replace(/\//g, "\\/");
}

/** The envelope of a `messages` change for one business number. */
export function messagesEnvelope(businessAccountId: string, value: MessagesValue): WebhookPayload {
  return { object: "whatsapp_business_account", entry: [{ id: businessAccountId, changes: [{ field: "messages", value }] }] };
}

/** The envelope of a change of the business account itself (template statuses, quality updates…). */
export function accountChangeEnvelope(businessAccountId: string, field: string, value: Record<string, unknown>): WebhookPayload {
  return { object: "whatsapp_business_account", entry: [{ id: businessAccountId, time: Math.floor(Date.now() / 1000), changes: [{ field, value }] }] };
}

/** The envelope of a `message_template_status_update` change of the business account. */
export function templateStatusEnvelope(businessAccountId: string, value: Record<string, unknown>): WebhookPayload {
  return accountChangeEnvelope(businessAccountId, "message_template_status_update", value);
}

export function createWebhookSender(state: SimulatorState, scheduler: Scheduler, options: WebhookSenderOptions) {
  const sign = (body: string) => `sha256=${createHmac("sha256", options.appSecret).update(body).digest("hex")}`;
  // First attempts go out one at a time, in the order they were asked for: that is what lets
  // the status modes promise an order (Meta promises none). Retries go out of band, as Meta's do.
  let queue: Promise<unknown> = Promise.resolve();
  function inTurn<T>(task: () => Promise<T>): Promise<T> {
    const turn = queue.then(task);
    queue = turn.catch(() => undefined);
    return turn;
  }

  /** One POST, logged. `stale`: reset() happened meanwhile, so it is neither logged nor retried. */
  async function post(record: Omit<WebhookAttempt, "atMs" | "httpStatus" | "error">): Promise<{ httpStatus: number | null; responseBody: string; stale: boolean }> {
    const atMs = Date.now();
    const generation = scheduler.generation;
    const headers: Record<string, string> = { "content-type": "application/json", "user-agent": "facebookexternalua" };
    if (record.signature !== null) headers["x-hub-signature-256"] = record.signature;
    let result: { httpStatus: number | null; responseBody: string; error: string | null };
    try {
      const response = await fetch(state.settings.webhookUrl, {
        method: "POST",
        headers,
        body: record.body,
        signal: AbortSignal.any([scheduler.signal, AbortSignal.timeout(options.timeoutMs)]),
      });
      result = { httpStatus: response.status, responseBody: await response.text(), error: null };
    } catch (error) {
      result = { httpStatus: null, responseBody: "", error: error instanceof Error ? error.message : String(error) };
    }
    // An attempt cut short by reset() belongs to the forgotten past, not to the new log.
    const stale = scheduler.generation !== generation;
    if (!stale) state.attempts.push({ ...record, atMs, httpStatus: result.httpStatus, error: result.error });
    return { httpStatus: result.httpStatus, responseBody: result.responseBody, stale };
  }

  function retryLater(record: Omit<WebhookAttempt, "atMs" | "httpStatus" | "error">) {
    const delayMs = options.retryDelaysMs[record.attempt - 1];
    if (delayMs === undefined) return;
    scheduler.after(delayMs, () => {
      const next = { ...record, attempt: record.attempt + 1 };
      void post(next).then(({ httpStatus, stale }) => {
        if (httpStatus !== 200 && !stale) retryLater(next);
      });
    });
  }

  return {
    /**
     * Delivers a payload, signed; resolves with the product's answer to the first attempt (null if
     * none). Any answer but 200 is retried in the background, as Meta retries.
     */
    async deliver(kind: DeliveryKind, payload: WebhookPayload): Promise<number | null> {
      const body = metaJson(payload);
      const record = { deliveryId: state.nextDeliveryId++, kind, attempt: 1, body, signature: sign(body) };
      const { httpStatus, stale } = await inTurn(() => post(record));
      if (httpStatus !== 200 && !stale) retryLater(record);
      return httpStatus;
    },

    /** One POST of arbitrary bytes with the chosen signature; never retried. */
    async deliverRaw(body: string, signature: RawSignature): Promise<RawDeliveryResult> {
      const header =
        signature === "valid" ? sign(body)
        : signature === "wrong" ? sign(`${body} `)
        : signature === "missing" ? null
        : signature.header;
      const record = { deliveryId: state.nextDeliveryId++, kind: "raw" as const, attempt: 1, body, signature: header };
      const { httpStatus, responseBody } = await inTurn(() => post(record));
      return { httpStatus, responseBody };
    },
  };
}
