import { v7 as uuidv7 } from "uuid";
import { insertRows, queryChunks, type DriverTransaction } from "../db/driver-transaction.ts";
import type { SqlValues } from "../db/sql-values.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { reactionPreview } from "../whatsapp/message-content.ts";
import type { MessageStatus } from "../generated/prisma/enums.ts";
import type { MessageEvent } from "../whatsapp/webhook-events.ts";
import type { Delivered, IngestResult } from "./ingest.ts";
import { touchConversations } from "./ingest-conversations.ts";
import { contentColumns } from "./message-content.ts";
import { formsAnswered } from "./flow-replies.ts";

/** A message that is new to us, with where it goes. */
export interface NewMessage {
  delivery: number;
  workspaceId: string;
  event: MessageEvent;
  /** The event's preview, or a reaction's once the message it reacts to is known. */
  preview: string;
  /** Set for a message of the business app's imported history (history-import.ts). */
  imported?: ImportedMessage;
}

/** How an imported history message is stored beside the live ones. */
export interface ImportedMessage {
  /** The business number whose history it is. */
  phoneNumberId: string;
  /** Where the business's message stood on the phone; the customer's are RECEIVED. */
  status: MessageStatus;
  /** A placeholder's media: WAITING for Meta's follow-up, or EXPIRED when none will come. */
  mediaState: string | null;
}

/**
 * Stores the messages not stored yet (Meta delivers at least once: a wamid seen before counts as
 * a duplicate), with their conversations: customers' messages and the business app's echoes.
 */
export async function storeInboundMessages(tx: DriverTransaction, sql: SqlValues, owners: Map<string, string>, messages: Delivered<MessageEvent>[], results: IngestResult[]) {
  if (messages.length === 0) return;
  const known = await knownWamids(tx, messages.map(({ event }) => event.wamid));
  const fresh: NewMessage[] = [];
  for (const { delivery, event } of messages) {
    if (known.has(event.wamid)) {
      results[delivery]!.duplicates++;
      continue;
    }
    known.add(event.wamid);
    const workspaceId = owners.get(event.phoneNumberId)!;
    fresh.push({ delivery, workspaceId, event, preview: event.preview });
  }
  await storeNewMessages(tx, sql, fresh, results);
}

/**
 * Inserts messages known to be new, and creates or updates their conversations in the same
 * statements: the live webhook's path and the history import's share it.
 */
export async function storeNewMessages(tx: DriverTransaction, sql: SqlValues, fresh: NewMessage[], results: IngestResult[]) {
  if (fresh.length === 0) return;
  await describeReactions(tx, fresh);
  const conversationIds = await touchConversations(tx, sql, fresh);
  const forms = await formsAnswered(tx, fresh);

  const now = new Date();
  const ids = new Map(fresh.map(({ event }) => [event.wamid, uuidv7()]));
  await insertRows(
    tx,
    "WhatsAppMessage",
    fresh.map(({ workspaceId, event, preview, imported }) => ({
      ...contentColumns(event.content),
      type: event.type,
      preview,
      contextWamid: event.replyToWamid ?? forms.get(event.wamid) ?? null,
      id: ids.get(event.wamid)!,
      workspaceId,
      conversationId: conversationIds.get(event.wamid)!,
      wamid: event.wamid,
      direction: event.sender === "customer" ? "INBOUND" : "OUTBOUND",
      // An echo was sent when Meta echoes it; its ticks follow with the statuses, as for ours.
      status: imported?.status ?? (event.sender === "customer" ? "RECEIVED" : "SENT"),
      raw: JSON.stringify(event.raw),
      timestamp: event.sentAt,
      ...(event.sender === "businessApp" ? { fromBusinessApp: true } : {}),
      ...(imported ? { importedFrom: imported.phoneNumberId, mediaState: imported.mediaState } : {}),
      // The bytes are fetched after the commit by the media worker, never on the webhook's path.
      ...(event.content.kind === "media" ? { mediaState: "PENDING", mediaNextAttemptAt: now } : {}),
      createdAt: now,
      updatedAt: now,
    })),
  );

  const touchedBy = results.map(() => new Set<string>());
  for (const { delivery, workspaceId, event, preview } of fresh) {
    const result = results[delivery]!;
    const conversationId = conversationIds.get(event.wamid)!;
    const { waId, userId } = event.customer;
    result.received.push({ workspaceId, conversationId, messageId: ids.get(event.wamid)!, waId, userId, preview, sender: event.sender });
    if (!touchedBy[delivery]!.has(conversationId)) {
      touchedBy[delivery]!.add(conversationId);
      result.conversations.push({ workspaceId, conversationId });
    }
  }
}

async function knownWamids(tx: DriverTransaction, wamids: string[]) {
  const rows = await queryChunks<{ wamid: string }, string>(tx, wamids, (chunk) => Prisma.sql`SELECT "wamid" FROM "WhatsAppMessage" WHERE "wamid" IN (${Prisma.join(chunk)})`);
  return new Set(rows.map((row) => row.wamid));
}

/** "👍 reacted to “…”": the preview names the message reacted to, when it is the workspace's. */
async function describeReactions(tx: DriverTransaction, fresh: NewMessage[]) {
  const reactionTo = ({ event }: NewMessage) => (event.content.kind === "reaction" && event.content.emoji ? event.content : null);
  const reactions = fresh.map(reactionTo).filter((reaction) => reaction !== null);
  if (reactions.length === 0) return;
  const targets = await queryChunks<{ wamid: string; preview: string; workspaceId: string }, string>(
    tx,
    reactions.map((reaction) => reaction.toWamid),
    (chunk) => Prisma.sql`SELECT "wamid", "preview", "workspaceId" FROM "WhatsAppMessage" WHERE "wamid" IN (${Prisma.join(chunk)})`,
  );
  const previews = new Map(targets.map((target) => [target.wamid, target]));
  // A reaction may follow its message within the same delivery.
  for (const message of fresh) {
    const reaction = reactionTo(message);
    const target = reaction ? previews.get(reaction.toWamid) : undefined;
    if (reaction && target?.workspaceId === message.workspaceId) message.preview = reactionPreview(reaction.emoji, target.preview);
    previews.set(message.event.wamid, { wamid: message.event.wamid, preview: message.preview, workspaceId: message.workspaceId });
  }
}
