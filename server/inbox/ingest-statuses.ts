import { v7 as uuidv7 } from "uuid";
import { insertRows, queryChunks, type DriverTransaction, type InsertRow } from "../db/driver-transaction.ts";
import { statementChunks, type SqlValues } from "../db/sql-values.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { MessageStatus } from "../generated/prisma/enums.ts";
import type { DeliveryError, Pricing, StatusEvent } from "../whatsapp/webhook-events.ts";
import type { Delivered, IngestResult } from "./ingest.ts";
import { isStatusAdvance, statusRankSql, toMessageStatus } from "./message-status.ts";
import { adoptByCallbackData } from "./outbox-callback-data.ts";

/** An outgoing message a status names, as stored. */
interface StatusTarget {
  id: string;
  wamid: string;
  conversationId: string;
  workspaceId: string;
  status: MessageStatus;
}

/** What the statuses of one delivery group do to one outgoing message. */
interface StatusPlan {
  delivery: number;
  message: StatusTarget;
  advance: { status: MessageStatus; statusAt: Date; error: DeliveryError | null } | null;
  pricing: Pricing | null;
}

/**
 * Moves outgoing messages forward — never back — and records what Meta charges for them.
 * Statuses for messages not stored yet are kept as pending (see applyPendingStatuses).
 */
export async function applyStatuses(tx: DriverTransaction, sql: SqlValues, owners: Map<string, string>, statuses: Delivered<StatusEvent>[], results: IngestResult[]) {
  if (statuses.length === 0) return;
  const messages = await queryChunks<StatusTarget, string>(
    tx,
    [...new Set(statuses.map(({ event }) => event.wamid))],
    (chunk) => Prisma.sql`SELECT "id", "wamid", "status", "workspaceId", "conversationId" FROM "WhatsAppMessage" WHERE "wamid" IN (${Prisma.join(chunk)})`,
  );
  const messageOf = new Map(messages.map((message) => [message.wamid, message]));
  // Not known by its wamid: perhaps an outbox row whose answer was never recorded, named by the callback data.
  const unknown = statuses.filter(({ event }) => event.callbackData !== null && !messageOf.has(event.wamid));
  for (const message of await adoptByCallbackData(tx, sql, owners, unknown)) messageOf.set(message.wamid, message);
  const pending: Array<InsertRow<"PendingStatus">> = [];
  const plans = new Map<string, StatusPlan>();
  const now = new Date();
  for (const { delivery, event } of statuses) {
    const { error } = event;
    const next = toMessageStatus(event.status);
    const message = messageOf.get(event.wamid);
    if (!message) {
      pending.push({ id: uuidv7(), wamid: event.wamid, status: next, timestamp: event.at, errorCode: error?.code, errorTitle: error?.title, raw: JSON.stringify(event.raw), createdAt: now });
      results[delivery]!.pendingStatuses++;
      continue;
    }
    if (message.workspaceId !== owners.get(event.phoneNumberId)) continue;
    const plan = plans.get(message.id) ?? { delivery, message, advance: null, pricing: null };
    plans.set(message.id, plan);
    if (event.pricing) plan.pricing = event.pricing;
    if (isStatusAdvance(plan.advance?.status ?? message.status, next)) {
      plan.advance = { status: next, statusAt: event.at, error };
      plan.delivery = delivery;
    }
  }
  await insertRows(tx, "PendingStatus", pending);

  const moved = await updateStatuses(tx, sql, [...plans.values()]);
  for (const { delivery, message, advance } of plans.values()) {
    if (!advance || moved.get(message.id) !== advance.status || message.status === advance.status) continue;
    results[delivery]!.statusChanges.push({ workspaceId: message.workspaceId, conversationId: message.conversationId, messageId: message.id, status: advance.status });
  }
}

/**
 * Every status and price of a group in one statement (one per status and price would be a round
 * trip each). Each status applies only when it ranks above the message's status at that moment, in
 * the statement itself: two instances applying statuses at once still never move a message back.
 * Answers the status of each message updated.
 */
async function updateStatuses(tx: DriverTransaction, sql: SqlValues, plans: StatusPlan[]): Promise<Map<string, MessageStatus>> {
  const updated = new Map<string, MessageStatus>();
  for (const chunk of statementChunks(plans.filter((plan) => plan.advance || plan.pricing))) {
    for (const row of await updateStatusChunk(tx, sql, chunk)) updated.set(row.id, row.status);
  }
  return updated;
}

async function updateStatusChunk(tx: DriverTransaction, sql: SqlValues, plans: StatusPlan[]) {
  const rows = plans.map(({ message, advance, pricing }) => {
    const failed = advance?.status === "FAILED";
    const error = advance?.error;
    return Prisma.sql`(${sql.text(message.id)}, ${sql.enumValue(advance?.status ?? null, "MessageStatus")}, ${sql.dateTime(advance?.statusAt ?? null)},
      ${sql.integer(failed ? 1 : 0)}, ${sql.integer(failed ? (error?.code ?? null) : null)}, ${sql.text(failed ? (error?.title ?? error?.message ?? null) : null)},
      ${sql.text(failed ? (error?.details ?? null) : null)}, ${sql.integer(pricing ? 1 : 0)}, ${sql.text(pricing?.category ?? null)},
      ${sql.boolean(pricing?.billable ?? null)}, ${sql.text(pricing?.model ?? null)})`;
  });
  const advances = Prisma.sql`(reported.status IS NOT NULL AND ${statusRankSql(Prisma.sql`reported.status`)} > ${statusRankSql(Prisma.sql`"WhatsAppMessage"."status"`)})`;
  const now = sql.dateTime(new Date());
  return tx.query<{ id: string; status: MessageStatus }>(Prisma.sql`
    WITH reported (id, status, status_at, failed, error_code, error_title, error_details, priced, pricing_category, pricing_billable, pricing_model)
      AS (VALUES ${Prisma.join(rows)})
    UPDATE "WhatsAppMessage" SET
      "status" = CASE WHEN ${advances} THEN reported.status ELSE "WhatsAppMessage"."status" END,
      "statusAt" = CASE WHEN ${advances} THEN reported.status_at ELSE "WhatsAppMessage"."statusAt" END,
      "errorCode" = CASE WHEN ${advances} AND reported.failed = 1 THEN reported.error_code ELSE "WhatsAppMessage"."errorCode" END,
      "errorTitle" = CASE WHEN ${advances} AND reported.failed = 1 THEN reported.error_title ELSE "WhatsAppMessage"."errorTitle" END,
      "errorDetails" = CASE WHEN ${advances} AND reported.failed = 1 THEN reported.error_details ELSE "WhatsAppMessage"."errorDetails" END,
      "pricingCategory" = CASE WHEN reported.priced = 1 THEN reported.pricing_category ELSE "WhatsAppMessage"."pricingCategory" END,
      "pricingBillable" = CASE WHEN reported.priced = 1 THEN reported.pricing_billable ELSE "WhatsAppMessage"."pricingBillable" END,
      "pricingModel" = CASE WHEN reported.priced = 1 THEN reported.pricing_model ELSE "WhatsAppMessage"."pricingModel" END,
      "updatedAt" = ${now}
    FROM reported
    WHERE "WhatsAppMessage"."id" = reported.id AND (${advances} OR reported.priced = 1)
    RETURNING "WhatsAppMessage"."id" AS id, "WhatsAppMessage"."status" AS status`);
}

/**
 * Statuses that overtook a message stored just now — an echo of the business app, whose "sent"
 * may come before Meta's echo of it — applied in the same transaction as the message.
 */
export async function applyPendingStatusesTo(tx: DriverTransaction, sql: SqlValues, owners: Map<string, string>, stored: Array<{ wamid: string; phoneNumberId: string }>, results: IngestResult[]) {
  if (stored.length === 0) return;
  const phoneNumberOf = new Map(stored.map((message) => [message.wamid, message.phoneNumberId]));
  const pending = await queryChunks<{ id: string; wamid: string; status: MessageStatus; timestamp: string; errorCode: number | null; errorTitle: string | null; raw: string }, string>(
    tx,
    [...phoneNumberOf.keys()],
    (chunk) => Prisma.sql`SELECT "id", "wamid", "status", "timestamp", "errorCode", "errorTitle", "raw" FROM "PendingStatus" WHERE "wamid" IN (${Prisma.join(chunk)})`,
  );
  if (pending.length === 0) return;
  const statuses: Delivered<StatusEvent>[] = pending.map((row) => ({
    delivery: 0,
    event: {
      kind: "status",
      phoneNumberId: phoneNumberOf.get(row.wamid)!,
      wamid: row.wamid,
      status: row.status.toLowerCase() as StatusEvent["status"],
      at: new Date(row.timestamp),
      error: row.errorCode === null ? null : { code: row.errorCode, title: row.errorTitle, message: null, details: null },
      pricing: null,
      callbackData: null,
      raw: JSON.parse(row.raw) as unknown,
    },
  }));
  await applyStatuses(tx, sql, owners, statuses, results);
  for (const chunk of statementChunks(pending)) await tx.execute(Prisma.sql`DELETE FROM "PendingStatus" WHERE "id" IN (${Prisma.join(chunk.map((row) => row.id))})`);
}
