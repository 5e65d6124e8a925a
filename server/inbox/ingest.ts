import type { Database } from "../db/client.ts";
import { serializedWrite } from "../db/write-queue.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { MessageStatus } from "../generated/prisma/enums.ts";
import type { MessageEvent, StatusEvent, WebhookEvent } from "../whatsapp/webhook.ts";
import { describeInboundMessage, oneLine } from "./message-content.ts";
import { isStatusAdvance, statusesBelow, toMessageStatus } from "./message-status.ts";

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
 * Stores one webhook POST — every message, status and conversation change in it — in a single
 * transaction, so that the caller can acknowledge Meta only once all of it is durable.
 * Re-delivered messages (same wamid) are stored once; statuses only ever move forward.
 */
export async function ingestWebhookEvents(db: Database, events: WebhookEvent[]): Promise<IngestResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await serializedWrite(db, () => db.$transaction((tx) => ingest(tx, events), { timeout: 30_000 }));
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

async function ingest(tx: Transaction, events: WebhookEvent[]): Promise<IngestResult> {
  const result: IngestResult = { received: [], statusChanges: [], conversations: [], duplicates: 0, pendingStatuses: 0, unrouted: 0 };
  const owners = await ownersOf(tx, events);
  const isRouted = (event: WebhookEvent) => !!event.phoneNumberId && owners.has(event.phoneNumberId);
  const routed = events.filter((event) => isRouted(event) && event.kind !== "unreadable");
  // Kept, shown to no one: changes for numbers nobody owns, and items we cannot read. Changes
  // that name no business number at all (account updates…) are only logged by the route.
  const unrouted = events.filter((event) => event.kind === "unreadable" || (!isRouted(event) && event.phoneNumberId));
  if (unrouted.length > 0) {
    await tx.unroutedWebhook.createMany({
      data: unrouted.map((event) => ({ phoneNumberId: event.phoneNumberId ?? "", payload: JSON.stringify(event) })),
    });
    result.unrouted = unrouted.length;
  }

  const messages = routed.filter((event): event is MessageEvent => event.kind === "message");
  const known = await knownWamids(tx, messages.map((event) => event.message.id));
  const touched = new Map<string, IngestResult["conversations"][number]>();
  for (const event of messages) {
    if (known.has(event.message.id)) {
      result.duplicates++;
      continue;
    }
    known.add(event.message.id);
    const received = await storeInboundMessage(tx, owners.get(event.phoneNumberId)!, event);
    result.received.push(received);
    touched.set(received.conversationId, { workspaceId: received.workspaceId, conversationId: received.conversationId, waId: received.waId });
  }
  result.conversations = [...touched.values()];

  for (const event of routed) {
    if (event.kind !== "status") continue;
    const change = await applyStatus(tx, owners.get(event.phoneNumberId)!, event);
    if (change === "pending") result.pendingStatuses++;
    else if (change) result.statusChanges.push(change);
  }
  return result;
}

async function ownersOf(tx: Transaction, events: WebhookEvent[]) {
  const ids = [...new Set(events.map((event) => event.phoneNumberId).filter((id): id is string => !!id))];
  const numbers = await tx.whatsAppPhoneNumber.findMany({ where: { phoneNumberId: { in: ids } } });
  return new Map(numbers.map((number) => [number.phoneNumberId, number.workspaceId]));
}

async function knownWamids(tx: Transaction, wamids: string[]) {
  if (wamids.length === 0) return new Set<string>();
  const rows = await tx.whatsAppMessage.findMany({ where: { wamid: { in: wamids } }, select: { wamid: true } });
  return new Set(rows.map((row) => row.wamid!));
}

async function storeInboundMessage(tx: Transaction, workspaceId: string, event: MessageEvent): Promise<ReceivedMessage> {
  const { message } = event;
  const waId = message.from;
  const timestamp = new Date(Number(message.timestamp) * 1000);
  const content = describeInboundMessage(message);
  if (content.reactionToWamid && content.reactionEmoji) {
    const target = await tx.whatsAppMessage.findUnique({ where: { wamid: content.reactionToWamid }, select: { preview: true, workspaceId: true } });
    if (target?.workspaceId === workspaceId) content.preview = `${content.reactionEmoji} reacted to “${oneLine(target.preview, 60)}”`;
  }

  const conversation = await touchConversation(tx, workspaceId, waId, {
    timestamp,
    preview: content.preview,
    profileName: event.profileName,
    businessPhoneNumberId: event.phoneNumberId,
  });
  const stored = await tx.whatsAppMessage.create({
    data: {
      ...content,
      workspaceId,
      conversationId: conversation.id,
      wamid: message.id,
      direction: "INBOUND",
      status: "RECEIVED",
      raw: JSON.stringify(message),
      timestamp,
    },
    select: { id: true },
  });
  return { workspaceId, conversationId: conversation.id, messageId: stored.id, waId, preview: content.preview };
}

interface InboundTouch {
  timestamp: Date;
  preview: string;
  profileName: string | null;
  businessPhoneNumberId: string;
}

/**
 * Creates or updates the customer's conversation for an inbound message: unread count, the
 * 24-hour window, and the list preview — unless Meta re-delivered an older message late.
 */
async function touchConversation(tx: Transaction, workspaceId: string, waId: string, touch: InboundTouch) {
  const existing = await tx.conversation.findUnique({ where: { workspaceId_waId: { workspaceId, waId } } });
  const contactId = existing?.contactId ?? (await contactIdFor(tx, workspaceId, waId));
  const isLatest = !existing?.lastMessageAt || touch.timestamp >= existing.lastMessageAt;
  const isLatestInbound = !existing?.lastInboundAt || touch.timestamp >= existing.lastInboundAt;
  const data = {
    contactId,
    profileName: touch.profileName ?? existing?.profileName ?? null,
    businessPhoneNumberId: touch.businessPhoneNumberId,
    ...(isLatest ? { lastMessageAt: touch.timestamp, lastMessagePreview: touch.preview } : {}),
    ...(isLatestInbound ? { lastInboundAt: touch.timestamp } : {}),
  };
  if (!existing) {
    return tx.conversation.create({ data: { ...data, workspaceId, waId, unreadCount: 1 } });
  }
  return tx.conversation.update({ where: { id: existing.id }, data: { ...data, unreadCount: { increment: 1 } } });
}

async function contactIdFor(tx: Transaction, workspaceId: string, waId: string) {
  const contact = await tx.contact.findUnique({
    where: { workspaceId_whatsappNumber: { workspaceId, whatsappNumber: `+${waId}` } },
    select: { id: true },
  });
  return contact?.id ?? null;
}

async function applyStatus(tx: Transaction, workspaceId: string, event: StatusEvent): Promise<StatusChange | "pending" | null> {
  const { status } = event;
  const next = toMessageStatus(status.status);
  const timestamp = new Date(Number(status.timestamp) * 1000);
  const error = status.errors?.[0];
  const message = await tx.whatsAppMessage.findUnique({ where: { wamid: status.id } });
  if (!message) {
    await tx.pendingStatus.create({
      data: { wamid: status.id, status: next, timestamp, errorCode: error?.code, errorTitle: error?.title, raw: JSON.stringify(status) },
    });
    return "pending";
  }
  if (message.workspaceId !== workspaceId || !isStatusAdvance(message.status, next)) return null;
  const updated = await tx.whatsAppMessage.updateMany({
    where: { id: message.id, status: { in: statusesBelow(next) } },
    data: {
      status: next,
      statusAt: timestamp,
      ...(next === "FAILED"
        ? { errorCode: error?.code ?? null, errorTitle: error?.title ?? error?.message ?? null, errorDetails: error?.error_data?.details ?? null }
        : {}),
    },
  });
  if (updated.count === 0) return null;
  return { workspaceId, conversationId: message.conversationId, messageId: message.id, status: next };
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

/**
 * Statuses can be stranded as pending when they arrive while their message's wamid is being
 * committed on another connection (PostgreSQL). Applied later by the outbox worker's sweep.
 * @default older than 5 s
 */
export async function applyStrandedPendingStatuses(db: Database, olderThanMs = 5_000) {
  const stranded = await db.pendingStatus.findMany({
    where: { createdAt: { lt: new Date(Date.now() - olderThanMs) } },
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
