import { providerOf, type Database } from "../db/client.ts";
import { sqlValues, statementChunks, type SqlValues } from "../db/sql-values.ts";
import { groupCommits } from "../db/group-commit.ts";
import { serializedWrite } from "../db/write-queue.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { MessageStatus } from "../generated/prisma/enums.ts";
import type { MessageEvent, StatusEvent, WebhookEvent } from "../whatsapp/webhook.ts";
import { describeInboundMessage, oneLine, type MessageContent } from "./message-content.ts";
import { REOPENED_BY_CUSTOMER } from "../workflow/conversation-workflow.service.ts";
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
      return await serializedWrite(db, () => db.$transaction((tx) => store(tx, sqlValues(providerOf(db)), deliveries), { timeout: 30_000 }));
    } catch (error) {
      // Another instance stored the same message or conversation at the same moment: run again,
      // and this time find it stored (PostgreSQL; SQLite's writes never race).
      if (attempt >= UNIQUE_CONFLICT_RETRIES || !isUniqueConflict(error)) throw error;
    }
  }
}

const UNIQUE_CONFLICT_RETRIES = 3;

function isUniqueConflict(error: unknown) {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}

/** An event and the delivery (webhook POST) it came in: results are reported per delivery. */
interface Delivered<E extends WebhookEvent = WebhookEvent> {
  delivery: number;
  event: E;
}

async function store(tx: Transaction, sql: SqlValues, deliveries: WebhookEvent[][]): Promise<IngestResult[]> {
  const results = deliveries.map((): IngestResult => ({ received: [], statusChanges: [], conversations: [], duplicates: 0, pendingStatuses: 0, unrouted: 0 }));
  const all = deliveries.flatMap((events, delivery) => events.map((event) => ({ delivery, event })));
  const owners = await ownersOf(tx, all.map(({ event }) => event));
  const isRouted = (event: WebhookEvent) => !!event.phoneNumberId && owners.has(event.phoneNumberId);

  // Kept, shown to no one: changes for numbers nobody owns, and items we cannot read. Changes
  // that name no business number at all (account updates…) are only logged by the route.
  const unrouted = all.filter(({ event }) => event.kind === "unreadable" || (!isRouted(event) && event.phoneNumberId));
  if (unrouted.length > 0) {
    await tx.unroutedWebhook.createMany({
      data: unrouted.map(({ event }) => ({ phoneNumberId: event.phoneNumberId ?? "", payload: JSON.stringify(event) })),
    });
    for (const { delivery } of unrouted) results[delivery]!.unrouted++;
  }

  const routed = all.filter(({ event }) => isRouted(event));
  const messages = routed.filter((item): item is Delivered<MessageEvent> => item.event.kind === "message");
  const statuses = routed.filter((item): item is Delivered<StatusEvent> => item.event.kind === "status");
  await storeInboundMessages(tx, sql, owners, messages, results);
  await applyStatuses(tx, sql, owners, statuses, results);
  return results;
}

async function ownersOf(tx: Transaction, events: WebhookEvent[]) {
  const ids = [...new Set(events.map((event) => event.phoneNumberId).filter((id): id is string => !!id))];
  const numbers = await tx.whatsAppPhoneNumber.findMany({ where: { phoneNumberId: { in: ids } }, select: { phoneNumberId: true, workspaceId: true } });
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

async function storeInboundMessages(tx: Transaction, sql: SqlValues, owners: Map<string, string>, messages: Delivered<MessageEvent>[], results: IngestResult[]) {
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

  const downloadFrom = new Date();
  const stored = await tx.whatsAppMessage.createManyAndReturn({
    data: fresh.map(({ workspaceId, event, content, timestamp, conversationKey }) => ({
      ...content,
      workspaceId,
      conversationId: conversationIds.get(conversationKey)!,
      wamid: event.message.id,
      direction: "INBOUND" as const,
      status: "RECEIVED" as const,
      raw: JSON.stringify(event.message),
      timestamp,
      // The bytes are fetched after the commit by the media worker, never on the webhook's path.
      ...(content.mediaId ? { mediaState: "PENDING", mediaNextAttemptAt: downloadFrom } : {}),
    })),
    select: { id: true, wamid: true },
  });
  const idOf = new Map(stored.map((row) => [row.wamid, row.id]));

  const touchedBy = results.map(() => new Set<string>());
  for (const { delivery, workspaceId, event, content, conversationKey } of fresh) {
    const result = results[delivery]!;
    const conversationId = conversationIds.get(conversationKey)!;
    const waId = event.message.from;
    result.received.push({ workspaceId, conversationId, messageId: idOf.get(event.message.id)!, waId, preview: content.preview });
    if (!touchedBy[delivery]!.has(conversationId)) {
      touchedBy[delivery]!.add(conversationId);
      result.conversations.push({ workspaceId, conversationId, waId });
    }
  }
}

function conversationKey(workspaceId: string, waId: string) {
  return `${workspaceId}\u0000${waId}`;
}

async function knownWamids(tx: Transaction, wamids: string[]) {
  const rows = await tx.whatsAppMessage.findMany({ where: { wamid: { in: wamids } }, select: { wamid: true } });
  return new Set(rows.map((row) => row.wamid!));
}

/** "👍 reacted to “…”": the preview names the message reacted to, when it is the workspace's. */
async function describeReactions(tx: Transaction, fresh: NewMessage[]) {
  const reactions = fresh.filter(({ content }) => content.reactionToWamid && content.reactionEmoji);
  if (reactions.length === 0) return;
  const targets = await tx.whatsAppMessage.findMany({
    where: { wamid: { in: reactions.map(({ content }) => content.reactionToWamid!) } },
    select: { wamid: true, preview: true, workspaceId: true },
  });
  const previews = new Map(targets.map((target) => [target.wamid!, target]));
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

/**
 * Creates or updates each customer's conversation for their new messages: unread count, the
 * 24-hour window, and the list preview — unless Meta re-delivered an older message late.
 * Answers the conversation id of each customer.
 */
async function touchConversations(tx: Transaction, sql: SqlValues, fresh: NewMessage[]) {
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

  const byCustomer = [...touches.values()].map(({ workspaceId, waId }) => ({ workspaceId, waId }));
  const existing = await tx.conversation.findMany({
    where: { OR: byCustomerOfWorkspace(byCustomer, (waIds) => ({ waId: { in: waIds } })) },
    select: { id: true, workspaceId: true, waId: true, contactId: true, profileName: true, lastMessageAt: true, lastInboundAt: true },
  });
  const existingOf = new Map(existing.map((conversation) => [conversationKey(conversation.workspaceId, conversation.waId), conversation]));
  const contactIds = await contactIdsFor(
    tx,
    [...touches].filter(([key]) => !existingOf.get(key)?.contactId).map(([, touch]) => touch),
  );

  const ids = new Map<string, string>();
  const created: Prisma.ConversationCreateManyInput[] = [];
  const updated: ConversationUpdate[] = [];
  for (const [key, touch] of touches) {
    const current = existingOf.get(key);
    const isLatest = !current?.lastMessageAt || touch.latest.timestamp >= current.lastMessageAt;
    const isLatestInbound = !current?.lastInboundAt || touch.latestInboundAt >= current.lastInboundAt;
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
      created.push({ ...data, workspaceId: touch.workspaceId, waId: touch.waId, unreadCount: touch.count });
    }
  }
  await updateConversations(tx, sql, updated);
  if (created.length > 0) {
    const rows = await tx.conversation.createManyAndReturn({ data: created, select: { id: true, workspaceId: true, waId: true } });
    for (const row of rows) ids.set(conversationKey(row.workspaceId, row.waId), row.id);
  }
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
 * All of a group's existing conversations in one statement: Prisma would send an UPDATE per
 * conversation, and a busy group touches dozens. Unread counts are added to, never overwritten.
 */
async function updateConversations(tx: Transaction, sql: SqlValues, updates: ConversationUpdate[]) {
  for (const chunk of statementChunks(updates)) await updateConversationChunk(tx, sql, chunk);
}

async function updateConversationChunk(tx: Transaction, sql: SqlValues, updates: ConversationUpdate[]) {
  const rows = updates.map(
    (row) =>
      Prisma.sql`(${sql.text(row.id)}, ${sql.integer(row.newMessages)}, ${sql.text(row.contactId)}, ${sql.text(row.profileName)}, ${sql.text(row.businessPhoneNumberId)}, ${sql.dateTime(row.lastMessageAt)}, ${sql.text(row.lastMessagePreview)}, ${sql.dateTime(row.lastInboundAt)}, ${sql.integer(row.reopen ? 1 : 0)})`,
  );
  const open = sql.enumValue(REOPENED_BY_CUSTOMER.status, "ConversationStatus");
  await tx.$executeRaw`
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
    WHERE "Conversation"."id" = touched.id`;
}

/** One `OR` branch per workspace: `{ workspaceId, …condition on its customers }`. */
function byCustomerOfWorkspace<T>(customers: Array<{ workspaceId: string; waId: string }>, condition: (waIds: string[]) => T) {
  const waIdsOf = new Map<string, string[]>();
  for (const { workspaceId, waId } of customers) waIdsOf.set(workspaceId, [...(waIdsOf.get(workspaceId) ?? []), waId]);
  return [...waIdsOf].map(([workspaceId, waIds]) => ({ workspaceId, ...condition(waIds) }));
}

/** The contacts saved with these customers' numbers, by conversation key. */
async function contactIdsFor(tx: Transaction, customers: Array<{ workspaceId: string; waId: string }>) {
  if (customers.length === 0) return new Map<string, string>();
  const contacts = await tx.contact.findMany({
    where: { OR: byCustomerOfWorkspace(customers, (waIds) => ({ whatsappNumber: { in: waIds.map((waId) => `+${waId}`) } })) },
    select: { id: true, workspaceId: true, whatsappNumber: true },
  });
  return new Map(contacts.map((contact) => [conversationKey(contact.workspaceId, contact.whatsappNumber!.slice(1)), contact.id]));
}

/** What the statuses of one delivery group do to one outgoing message. */
interface StatusPlan {
  delivery: number;
  message: { id: string; conversationId: string; workspaceId: string; status: MessageStatus };
  advance: { status: MessageStatus; statusAt: Date; error: NonNullable<StatusEvent["status"]["errors"]>[number] | undefined } | null;
  pricing: NonNullable<StatusEvent["status"]["pricing"]> | null;
}

/**
 * Moves outgoing messages forward — never back — and records what Meta charges for them.
 * Statuses for messages not stored yet are kept as pending (see applyPendingStatuses).
 */
async function applyStatuses(tx: Transaction, sql: SqlValues, owners: Map<string, string>, statuses: Delivered<StatusEvent>[], results: IngestResult[]) {
  if (statuses.length === 0) return;
  const messages = await tx.whatsAppMessage.findMany({
    where: { wamid: { in: [...new Set(statuses.map(({ event }) => event.status.id))] } },
    select: { id: true, wamid: true, status: true, workspaceId: true, conversationId: true },
  });
  const messageOf = new Map(messages.map((message) => [message.wamid!, message]));
  const pending: Prisma.PendingStatusCreateManyInput[] = [];
  const plans = new Map<string, StatusPlan>();
  for (const { delivery, event } of statuses) {
    const { status } = event;
    const next = toMessageStatus(status.status);
    const timestamp = new Date(Number(status.timestamp) * 1000);
    const error = status.errors?.[0];
    const message = messageOf.get(status.id);
    if (!message) {
      pending.push({ wamid: status.id, status: next, timestamp, errorCode: error?.code, errorTitle: error?.title, raw: JSON.stringify(status) });
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
  if (pending.length > 0) await tx.pendingStatus.createMany({ data: pending });

  const moved = await updateStatuses(tx, sql, [...plans.values()]);
  for (const { delivery, message, advance } of plans.values()) {
    if (!advance || moved.get(message.id) !== advance.status || message.status === advance.status) continue;
    results[delivery]!.statusChanges.push({ workspaceId: message.workspaceId, conversationId: message.conversationId, messageId: message.id, status: advance.status });
  }
}

/**
 * Every status and price of a group in one statement (Prisma would send one per status and
 * second). Each status applies only when it ranks above the message's status at that moment, in
 * the statement itself: two instances applying statuses at once still never move a message back.
 * Answers the status of each message updated.
 */
async function updateStatuses(tx: Transaction, sql: SqlValues, plans: StatusPlan[]): Promise<Map<string, MessageStatus>> {
  const updated = new Map<string, MessageStatus>();
  for (const chunk of statementChunks(plans.filter((plan) => plan.advance || plan.pricing))) {
    for (const row of await updateStatusChunk(tx, sql, chunk)) updated.set(row.id, row.status);
  }
  return updated;
}

async function updateStatusChunk(tx: Transaction, sql: SqlValues, plans: StatusPlan[]) {
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
  return tx.$queryRaw<Array<{ id: string; status: MessageStatus }>>`
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
    RETURNING "WhatsAppMessage"."id" AS id, "WhatsAppMessage"."status" AS status`;
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
