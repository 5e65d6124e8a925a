import { v7 as uuidv7 } from "uuid";
import { providerOf, type Database } from "../db/client.ts";
import { driverTransaction, insertRows, queryChunks, type DriverTransaction, type InsertRow } from "../db/driver-transaction.ts";
import { isUniqueViolation } from "../db/unique-violation.ts";
import { sqlValues, statementChunks, type SqlValues } from "../db/sql-values.ts";
import { groupCommits } from "../db/group-commit.ts";
import { serializedWrite } from "../db/write-queue.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { MessageStatus } from "../generated/prisma/enums.ts";
import type { MessageEvent, StatusEvent, WebhookEvent } from "../whatsapp/webhook.ts";
import { describeInboundMessage, oneLine, type MessageContent } from "./message-content.ts";
import { REOPENED_BY_CUSTOMER } from "./conversations.service.ts";
import { isStatusAdvance, statusesBelow, statusRankSql, toMessageStatus } from "./message-status.ts";

type Transaction = Prisma.TransactionClient;

export interface StoredMessageRef {
  workspaceId: string;
  conversationId: string;
  messageId: string;
}

export interface ReceivedMessage extends StoredMessageRef {
  waId: string;
  preview: string;
}

export interface StatusChange extends StoredMessageRef {
  status: MessageStatus;
}

export interface IngestResult {
  received: ReceivedMessage[];
  statusChanges: StatusChange[];
  /** Conversations whose list entry changed (preview, unread count, window). */
  conversations: Array<{ workspaceId: string; conversationId: string; waId: string }>;
  duplicates: number;
  /** Statuses for messages not known yet, kept until the message appears. */
  pendingStatuses: number;
  /** Changes for business numbers no workspace owns, kept in the unrouted log. */
  unrouted: number;
}

/**
 * Stores one webhook POST — every message, status and conversation change in it — so that the
 * caller can acknowledge Meta once all of it is durable. Re-delivered messages (same wamid) are
 * stored once; statuses only ever move forward. POSTs arriving together are committed together.
 *
 * The statements go to the database driver, not through Prisma's client: it costs ten times the
 * statement itself, and this is the path every message of every customer takes.
 */
export function ingestWebhookEvents(db: Database, events: WebhookEvent[]): Promise<IngestResult> {
  let ingest = ingestors.get(db);
  if (!ingest) {
    ingest = groupCommits((deliveries: WebhookEvent[][]) => storeRetryingConflicts(db, deliveries), {
      maxSize: GROUP_MAX_EVENTS,
      sizeOf: (events) => events.length,
    });
    ingestors.set(db, ingest);
  }
  return ingest(events);
}

const ingestors = new WeakMap<Database, (events: WebhookEvent[]) => Promise<IngestResult>>();

/** Bounds one group's transaction, and so the wait of the POSTs behind it. */
const GROUP_MAX_EVENTS = 1_000;

async function storeRetryingConflicts(db: Database, deliveries: WebhookEvent[][]): Promise<IngestResult[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await serializedWrite(db, () => driverTransaction(db, (tx) => store(tx, sqlValues(providerOf(db)), deliveries)));
    } catch (error) {
      // Another instance stored the same message or conversation at the same moment: run again,
      // and this time find it stored (PostgreSQL; SQLite's writes never race).
      if (attempt >= UNIQUE_CONFLICT_RETRIES || !isUniqueViolation(error)) throw error;
    }
  }
}

const UNIQUE_CONFLICT_RETRIES = 3;

/** An event and the delivery (webhook POST) it came in: results are reported per delivery. */
interface Delivered<E extends WebhookEvent = WebhookEvent> {
  delivery: number;
  event: E;
}

async function store(tx: DriverTransaction, sql: SqlValues, deliveries: WebhookEvent[][]): Promise<IngestResult[]> {
  const results = deliveries.map((): IngestResult => ({ received: [], statusChanges: [], conversations: [], duplicates: 0, pendingStatuses: 0, unrouted: 0 }));
  const all = deliveries.flatMap((events, delivery) => events.map((event) => ({ delivery, event })));
  const owners = await ownersOf(tx, all.map(({ event }) => event));
  const isRouted = (event: WebhookEvent) => !!event.phoneNumberId && owners.has(event.phoneNumberId);

  // Kept, shown to no one: changes for numbers nobody owns, and items we cannot read. Changes
  // that name no business number at all (account updates…) are only logged by the route.
  const unrouted = all.filter(({ event }) => event.kind === "unreadable" || (!isRouted(event) && event.phoneNumberId));
  const receivedAt = new Date();
  await insertRows(
    tx,
    "UnroutedWebhook",
    unrouted.map(({ event }) => ({ id: uuidv7(), phoneNumberId: event.phoneNumberId ?? "", payload: JSON.stringify(event), receivedAt })),
  );
  for (const { delivery } of unrouted) results[delivery]!.unrouted++;

  const routed = all.filter(({ event }) => isRouted(event));
  const messages = routed.filter((item): item is Delivered<MessageEvent> => item.event.kind === "message");
  const statuses = routed.filter((item): item is Delivered<StatusEvent> => item.event.kind === "status");
  await storeInboundMessages(tx, sql, owners, messages, results);
  await applyStatuses(tx, sql, owners, statuses, results);
  return results;
}

async function ownersOf(tx: DriverTransaction, events: WebhookEvent[]) {
  const ids = [...new Set(events.map((event) => event.phoneNumberId).filter((id): id is string => !!id))];
  const numbers = await queryChunks<{ phoneNumberId: string; workspaceId: string }, string>(
    tx,
    ids,
    (chunk) => Prisma.sql`SELECT "phoneNumberId", "workspaceId" FROM "WhatsAppPhoneNumber" WHERE "phoneNumberId" IN (${Prisma.join(chunk)})`,
  );
  return new Map(numbers.map((number) => [number.phoneNumberId, number.workspaceId]));
}

/** A customer's message that is new to us, with where it goes. */
interface NewMessage {
  delivery: number;
  workspaceId: string;
  event: MessageEvent;
  content: MessageContent;
  timestamp: Date;
  conversationKey: string;
}

async function storeInboundMessages(tx: DriverTransaction, sql: SqlValues, owners: Map<string, string>, messages: Delivered<MessageEvent>[], results: IngestResult[]) {
  if (messages.length === 0) return;
  const known = await knownWamids(tx, messages.map(({ event }) => event.message.id));
  const fresh: NewMessage[] = [];
  for (const { delivery, event } of messages) {
    if (known.has(event.message.id)) {
      results[delivery]!.duplicates++;
      continue;
    }
    known.add(event.message.id);
    const workspaceId = owners.get(event.phoneNumberId)!;
    fresh.push({
      delivery,
      workspaceId,
      event,
      content: describeInboundMessage(event.message),
      timestamp: new Date(Number(event.message.timestamp) * 1000),
      conversationKey: conversationKey(workspaceId, event.message.from),
    });
  }
  if (fresh.length === 0) return;
  await describeReactions(tx, fresh);
  const conversationIds = await touchConversations(tx, sql, fresh);

  const now = new Date();
  const ids = new Map(fresh.map(({ event }) => [event.message.id, uuidv7()]));
  await insertRows(
    tx,
    "WhatsAppMessage",
    fresh.map(({ workspaceId, event, content, timestamp, conversationKey }) => ({
      ...content,
      id: ids.get(event.message.id)!,
      workspaceId,
      conversationId: conversationIds.get(conversationKey)!,
      wamid: event.message.id,
      direction: "INBOUND",
      status: "RECEIVED",
      raw: JSON.stringify(event.message),
      timestamp,
      // The bytes are fetched after the commit by the media worker, never on the webhook's path.
      ...(content.mediaId ? { mediaState: "PENDING", mediaNextAttemptAt: now } : {}),
      createdAt: now,
      updatedAt: now,
    })),
  );

  const touchedBy = results.map(() => new Set<string>());
  for (const { delivery, workspaceId, event, content, conversationKey } of fresh) {
    const result = results[delivery]!;
    const conversationId = conversationIds.get(conversationKey)!;
    const waId = event.message.from;
    result.received.push({ workspaceId, conversationId, messageId: ids.get(event.message.id)!, waId, preview: content.preview });
    if (!touchedBy[delivery]!.has(conversationId)) {
      touchedBy[delivery]!.add(conversationId);
      result.conversations.push({ workspaceId, conversationId, waId });
    }
  }
}

function conversationKey(workspaceId: string, waId: string) {
  return `${workspaceId}\u0000${waId}`;
}

async function knownWamids(tx: DriverTransaction, wamids: string[]) {
  const rows = await queryChunks<{ wamid: string }, string>(tx, wamids, (chunk) => Prisma.sql`SELECT "wamid" FROM "WhatsAppMessage" WHERE "wamid" IN (${Prisma.join(chunk)})`);
  return new Set(rows.map((row) => row.wamid));
}

/** "👍 reacted to “…”": the preview names the message reacted to, when it is the workspace's. */
async function describeReactions(tx: DriverTransaction, fresh: NewMessage[]) {
  const reactions = fresh.filter(({ content }) => content.reactionToWamid && content.reactionEmoji);
  if (reactions.length === 0) return;
  const targets = await queryChunks<{ wamid: string; preview: string; workspaceId: string }, string>(
    tx,
    reactions.map(({ content }) => content.reactionToWamid!),
    (chunk) => Prisma.sql`SELECT "wamid", "preview", "workspaceId" FROM "WhatsAppMessage" WHERE "wamid" IN (${Prisma.join(chunk)})`,
  );
  const previews = new Map(targets.map((target) => [target.wamid, target]));
  // A reaction may follow its message within the same delivery.
  for (const { event, content, workspaceId } of fresh) {
    const target = content.reactionEmoji && content.reactionToWamid ? previews.get(content.reactionToWamid) : undefined;
    if (target?.workspaceId === workspaceId) content.preview = `${content.reactionEmoji} reacted to “${oneLine(target.preview, 60)}”`;
    previews.set(event.message.id, { wamid: event.message.id, preview: content.preview, workspaceId });
  }
}

/** What the new messages of one customer change in their conversation. */
interface ConversationTouch {
  workspaceId: string;
  waId: string;
  count: number;
  latest: { timestamp: Date; preview: string };
  latestInboundAt: Date;
  profileName: string | null;
  businessPhoneNumberId: string;
}

/** A stored conversation as the driver answers it: DateTime columns as ISO text. */
interface StoredConversation {
  id: string;
  workspaceId: string;
  waId: string;
  contactId: string | null;
  profileName: string | null;
  lastMessageAt: string | null;
  lastInboundAt: string | null;
}

/**
 * Creates or updates each customer's conversation for their new messages: unread count, the
 * 24-hour window, and the list preview — unless Meta re-delivered an older message late.
 * Answers the conversation id of each customer.
 */
async function touchConversations(tx: DriverTransaction, sql: SqlValues, fresh: NewMessage[]) {
  const touches = new Map<string, ConversationTouch>();
  for (const { workspaceId, event, content, timestamp, conversationKey } of fresh) {
    const touch = touches.get(conversationKey);
    if (!touch) {
      touches.set(conversationKey, {
        workspaceId,
        waId: event.message.from,
        count: 1,
        latest: { timestamp, preview: content.preview },
        latestInboundAt: timestamp,
        profileName: event.profileName,
        businessPhoneNumberId: event.phoneNumberId,
      });
      continue;
    }
    touch.count++;
    if (timestamp >= touch.latest.timestamp) touch.latest = { timestamp, preview: content.preview };
    if (timestamp > touch.latestInboundAt) touch.latestInboundAt = timestamp;
    touch.profileName = event.profileName ?? touch.profileName;
    touch.businessPhoneNumberId = event.phoneNumberId;
  }

  const existing = await queryChunks<StoredConversation, Customer>(
    tx,
    [...touches.values()],
    (chunk) =>
      Prisma.sql`SELECT "id", "workspaceId", "waId", "contactId", "profileName", "lastMessageAt", "lastInboundAt" FROM "Conversation"
        WHERE ${customersCondition(chunk, { column: "waId", value: (customer) => customer.waId })}`,
  );
  const existingOf = new Map(existing.map((conversation) => [conversationKey(conversation.workspaceId, conversation.waId), conversation]));
  const contactIds = await contactIdsFor(
    tx,
    [...touches].filter(([key]) => !existingOf.get(key)?.contactId).map(([, touch]) => touch),
  );

  const ids = new Map<string, string>();
  const now = new Date();
  const created: Array<InsertRow<"Conversation">> = [];
  const updated: ConversationUpdate[] = [];
  for (const [key, touch] of touches) {
    const current = existingOf.get(key);
    const lastMessageAt = current?.lastMessageAt ? new Date(current.lastMessageAt) : null;
    const lastInboundAt = current?.lastInboundAt ? new Date(current.lastInboundAt) : null;
    const isLatest = !lastMessageAt || touch.latest.timestamp >= lastMessageAt;
    const isLatestInbound = !lastInboundAt || touch.latestInboundAt >= lastInboundAt;
    const data = {
      contactId: current?.contactId ?? contactIds.get(key) ?? null,
      profileName: touch.profileName ?? current?.profileName ?? null,
      businessPhoneNumberId: touch.businessPhoneNumberId,
      lastMessageAt: isLatest ? touch.latest.timestamp : null,
      lastMessagePreview: isLatest ? touch.latest.preview : null,
      lastInboundAt: isLatestInbound ? touch.latestInboundAt : null,
    };
    if (current) {
      ids.set(key, current.id);
      // A customer writing again reopens a resolved conversation (not a late re-delivery).
      updated.push({ ...data, id: current.id, newMessages: touch.count, reopen: isLatestInbound });
    } else {
      const id = uuidv7();
      ids.set(key, id);
      created.push({ ...data, id, workspaceId: touch.workspaceId, waId: touch.waId, unreadCount: touch.count, createdAt: now, updatedAt: now });
    }
  }
  await updateConversations(tx, sql, updated);
  await insertRows(tx, "Conversation", created);
  return ids;
}

/** New values of an existing conversation; null leaves the stored value. */
interface ConversationUpdate {
  id: string;
  newMessages: number;
  contactId: string | null;
  profileName: string | null;
  businessPhoneNumberId: string;
  lastMessageAt: Date | null;
  lastMessagePreview: string | null;
  lastInboundAt: Date | null;
  reopen: boolean;
}

/**
 * All of a group's existing conversations in one statement: an UPDATE per conversation would be
 * one more round trip each, and a busy group touches dozens. Unread counts are added to, never
 * overwritten.
 */
async function updateConversations(tx: DriverTransaction, sql: SqlValues, updates: ConversationUpdate[]) {
  for (const chunk of statementChunks(updates)) await updateConversationChunk(tx, sql, chunk);
}

async function updateConversationChunk(tx: DriverTransaction, sql: SqlValues, updates: ConversationUpdate[]) {
  const rows = updates.map(
    (row) =>
      Prisma.sql`(${sql.text(row.id)}, ${sql.integer(row.newMessages)}, ${sql.text(row.contactId)}, ${sql.text(row.profileName)}, ${sql.text(row.businessPhoneNumberId)}, ${sql.dateTime(row.lastMessageAt)}, ${sql.text(row.lastMessagePreview)}, ${sql.dateTime(row.lastInboundAt)}, ${sql.integer(row.reopen ? 1 : 0)})`,
  );
  const open = sql.enumValue(REOPENED_BY_CUSTOMER.status, "ConversationStatus");
  await tx.execute(Prisma.sql`
    WITH touched (id, new_messages, contact_id, profile_name, business_phone_number_id, last_message_at, last_message_preview, last_inbound_at, reopen)
      AS (VALUES ${Prisma.join(rows)})
    UPDATE "Conversation" SET
      "unreadCount" = "unreadCount" + touched.new_messages,
      "contactId" = touched.contact_id,
      "profileName" = touched.profile_name,
      "businessPhoneNumberId" = touched.business_phone_number_id,
      "lastMessageAt" = COALESCE(touched.last_message_at, "lastMessageAt"),
      "lastMessagePreview" = COALESCE(touched.last_message_preview, "lastMessagePreview"),
      "lastInboundAt" = COALESCE(touched.last_inbound_at, "lastInboundAt"),
      "status" = CASE WHEN touched.reopen = 1 THEN ${open} ELSE "status" END,
      "resolvedAt" = CASE WHEN touched.reopen = 1 THEN NULL ELSE "resolvedAt" END,
      "updatedAt" = ${sql.dateTime(new Date())}
    FROM touched
    WHERE "Conversation"."id" = touched.id`);
}

type Customer = { workspaceId: string; waId: string };

/** `("workspaceId" = … AND <column> IN (…)) OR …`: one branch per workspace of these customers. */
function customersCondition(customers: Customer[], match: { column: string; value: (customer: Customer) => string }) {
  const valuesOf = new Map<string, string[]>();
  for (const customer of customers) valuesOf.set(customer.workspaceId, [...(valuesOf.get(customer.workspaceId) ?? []), match.value(customer)]);
  const column = Prisma.raw(`"${match.column}"`);
  return Prisma.join(
    [...valuesOf].map(([workspaceId, values]) => Prisma.sql`("workspaceId" = ${workspaceId} AND ${column} IN (${Prisma.join(values)}))`),
    " OR ",
  );
}

/** The contacts saved with these customers' numbers, by conversation key. */
async function contactIdsFor(tx: DriverTransaction, customers: Customer[]) {
  const contacts = await queryChunks<{ id: string; workspaceId: string; whatsappNumber: string }, Customer>(
    tx,
    customers,
    (chunk) =>
      Prisma.sql`SELECT "id", "workspaceId", "whatsappNumber" FROM "Contact"
        WHERE ${customersCondition(chunk, { column: "whatsappNumber", value: (customer) => `+${customer.waId}` })}`,
  );
  return new Map(contacts.map((contact) => [conversationKey(contact.workspaceId, contact.whatsappNumber.slice(1)), contact.id]));
}

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
  advance: { status: MessageStatus; statusAt: Date; error: NonNullable<StatusEvent["status"]["errors"]>[number] | undefined } | null;
  pricing: NonNullable<StatusEvent["status"]["pricing"]> | null;
}

/**
 * Moves outgoing messages forward — never back — and records what Meta charges for them.
 * Statuses for messages not stored yet are kept as pending (see applyPendingStatuses).
 */
async function applyStatuses(tx: DriverTransaction, sql: SqlValues, owners: Map<string, string>, statuses: Delivered<StatusEvent>[], results: IngestResult[]) {
  if (statuses.length === 0) return;
  const messages = await queryChunks<StatusTarget, string>(
    tx,
    [...new Set(statuses.map(({ event }) => event.status.id))],
    (chunk) => Prisma.sql`SELECT "id", "wamid", "status", "workspaceId", "conversationId" FROM "WhatsAppMessage" WHERE "wamid" IN (${Prisma.join(chunk)})`,
  );
  const messageOf = new Map(messages.map((message) => [message.wamid, message]));
  const pending: Array<InsertRow<"PendingStatus">> = [];
  const plans = new Map<string, StatusPlan>();
  const now = new Date();
  for (const { delivery, event } of statuses) {
    const { status } = event;
    const next = toMessageStatus(status.status);
    const timestamp = new Date(Number(status.timestamp) * 1000);
    const error = status.errors?.[0];
    const message = messageOf.get(status.id);
    if (!message) {
      pending.push({ id: uuidv7(), wamid: status.id, status: next, timestamp, errorCode: error?.code, errorTitle: error?.title, raw: JSON.stringify(status), createdAt: now });
      results[delivery]!.pendingStatuses++;
      continue;
    }
    if (message.workspaceId !== owners.get(event.phoneNumberId)) continue;
    const plan = plans.get(message.id) ?? { delivery, message, advance: null, pricing: null };
    plans.set(message.id, plan);
    if (status.pricing) plan.pricing = status.pricing;
    if (isStatusAdvance(plan.advance?.status ?? message.status, next)) {
      plan.advance = { status: next, statusAt: timestamp, error };
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
      ${sql.text(failed ? (error?.error_data?.details ?? null) : null)}, ${sql.integer(pricing ? 1 : 0)}, ${sql.text(pricing?.category ?? null)},
      ${sql.boolean(pricing?.billable ?? null)}, ${sql.text(pricing?.pricing_model ?? null)})`;
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
 * Applies the statuses that arrived before their message was stored (an outbound message's
 * "sent" can overtake the answer that gave us its wamid). Call in the transaction storing it.
 */
export async function applyPendingStatuses(tx: Transaction, wamid: string): Promise<MessageStatus | null> {
  const pending = await tx.pendingStatus.findMany({ where: { wamid } });
  if (pending.length === 0) return null;
  const message = await tx.whatsAppMessage.findUniqueOrThrow({ where: { wamid } });
  let best = message.status;
  let winner: (typeof pending)[number] | null = null;
  for (const status of pending) {
    if (isStatusAdvance(best, status.status)) {
      best = status.status;
      winner = status;
    }
  }
  if (winner) {
    await tx.whatsAppMessage.updateMany({
      where: { id: message.id, status: { in: statusesBelow(winner.status) } },
      data: {
        status: winner.status,
        statusAt: winner.timestamp,
        ...(winner.status === "FAILED" ? { errorCode: winner.errorCode, errorTitle: winner.errorTitle } : {}),
      },
    });
  }
  await tx.pendingStatus.deleteMany({ where: { wamid } });
  return winner ? winner.status : null;
}

const STRANDED_WINDOW_MS = 10 * 60_000;
const FOREIGN_STATUS_RETENTION_MS = 7 * 24 * 3_600_000;

/**
 * Statuses can be stranded as pending when they arrive while their message's wamid is being
 * committed on another connection (PostgreSQL). Applied later by the outbox worker's sweep.
 *
 * Only recent ones are looked at: a status still pending after STRANDED_WINDOW_MS belongs to a
 * message we never had (sent by another tool through the same number). Left in the sweep, a
 * hundred of those would hide every real one behind them; they are deleted after a week.
 * @default older than 5 s
 */
export async function applyStrandedPendingStatuses(db: Database, olderThanMs = 5_000, now = Date.now()) {
  await db.pendingStatus.deleteMany({ where: { createdAt: { lt: new Date(now - FOREIGN_STATUS_RETENTION_MS) } } });
  const stranded = await db.pendingStatus.findMany({
    where: { createdAt: { lt: new Date(now - olderThanMs), gte: new Date(now - STRANDED_WINDOW_MS) } },
    select: { wamid: true },
    distinct: ["wamid"],
    take: 100,
  });
  if (stranded.length === 0) return [];
  const known = await db.whatsAppMessage.findMany({
    where: { wamid: { in: stranded.map((status) => status.wamid) } },
    select: { id: true, wamid: true, workspaceId: true, conversationId: true },
  });
  const changes: StatusChange[] = [];
  for (const message of known) {
    const status = await serializedWrite(db, () => db.$transaction((tx) => applyPendingStatuses(tx, message.wamid!)));
    if (status) changes.push({ workspaceId: message.workspaceId, conversationId: message.conversationId, messageId: message.id, status });
  }
  return changes;
}
