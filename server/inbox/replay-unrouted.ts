/**
 * `npm run webhooks:replay-unrouted`: stores the messages and statuses the unrouted log kept
 * because they could not be read then — above all those of customers without a visible number,
 * which versions before business-scoped user IDs could not store. Replayed through the same
 * parser and ingest as a webhook, so a replay stores exactly what a delivery would; a row is
 * removed once what it holds is stored. Idempotent: messages are stored once (by wamid),
 * statuses only move forward, and rows still unreadable, or for numbers no workspace owns, stay.
 */
import type { Database } from "../db/client.ts";
import { parseWebhook } from "../whatsapp/webhook.ts";
import type { WebhookEvent } from "../whatsapp/webhook-events.ts";
import { createIngest, type TemplateStatusStore } from "./ingest.ts";

/** Rows read per round; each round is one ingest transaction. */
const REPLAY_BATCH_SIZE = 200;

export interface ReplayResult {
  /** Rows whose message or status is now stored (or was already). */
  replayed: number;
  /** Messages stored by this run (not stored before). */
  stored: number;
  /** Rows left in the log: still unreadable, or for a number no workspace owns. */
  kept: number;
  /** Conversations that got messages or statuses: their files are due for a rewrite. */
  conversationIds: Set<string>;
}

export async function replayUnroutedWebhooks(db: Database, templateStatuses?: TemplateStatusStore): Promise<ReplayResult> {
  const ingest = createIngest(db, templateStatuses);
  const owned = new Set((await db.whatsAppPhoneNumber.findMany({ where: { status: "CONNECTED" }, select: { phoneNumberId: true } })).map((number) => number.phoneNumberId));
  const result: ReplayResult = { replayed: 0, stored: 0, kept: 0, conversationIds: new Set() };
  let cursor: string | undefined;
  for (;;) {
    const rows = await db.unroutedWebhook.findMany({
      orderBy: { id: "asc" },
      take: REPLAY_BATCH_SIZE,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    if (rows.length === 0) break;
    cursor = rows.at(-1)!.id;
    const replayable: Array<{ id: string; event: WebhookEvent }> = [];
    for (const row of rows) {
      const event = owned.has(row.phoneNumberId) ? readableEvent(row.phoneNumberId, row.payload) : null;
      if (event) replayable.push({ id: row.id, event });
      else result.kept++;
    }
    if (replayable.length === 0) continue;
    const stored = await ingest(replayable.map(({ event }) => event));
    await db.unroutedWebhook.deleteMany({ where: { id: { in: replayable.map(({ id }) => id) } } });
    result.replayed += replayable.length;
    result.stored += stored.received.length;
    for (const { conversationId } of [...stored.received, ...stored.statusChanges]) result.conversationIds.add(conversationId);
  }
  return result;
}

/**
 * The message or status a row holds, read as a webhook would read it now; null when it still
 * cannot be read. Rows hold the parsed event with Meta's object under `raw` (the current format)
 * or, written by older versions, Meta's object itself.
 */
function readableEvent(phoneNumberId: string, payload: string): WebhookEvent | null {
  const item = metaItemOf(payload);
  if (!item) return null;
  const list = "status" in item ? "statuses" : "messages";
  const value = { messaging_product: "whatsapp", metadata: { display_phone_number: "", phone_number_id: phoneNumberId }, [list]: [item] };
  try {
    const [event] = parseWebhook({ object: "whatsapp_business_account", entry: [{ id: "", changes: [{ field: "messages", value }] }] });
    return event && (event.kind === "message" || event.kind === "status") ? event : null;
  } catch {
    return null;
  }
}

function metaItemOf(payload: string): Record<string, unknown> | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return null;
  }
  if (!isObject(parsed)) return null;
  // The current format: the parsed event. Only unreadable items hold a message or status.
  if (typeof parsed.kind === "string") return parsed.kind === "unreadable" && isObject(parsed.raw) ? parsed.raw : null;
  return typeof parsed.id === "string" ? parsed : null;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
