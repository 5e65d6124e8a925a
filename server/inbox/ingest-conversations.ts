import { v7 as uuidv7 } from "uuid";
import { insertRows, queryChunks, type DriverTransaction, type InsertRow } from "../db/driver-transaction.ts";
import { statementChunks, type SqlValues } from "../db/sql-values.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { REOPENED_BY_CUSTOMER } from "./conversations.service.ts";
import type { NewMessage } from "./ingest-messages.ts";

/** One customer of one workspace: the key of their conversation. */
export function conversationKey(workspaceId: string, waId: string) {
  return `${workspaceId}\u0000${waId}`;
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
export async function touchConversations(tx: DriverTransaction, sql: SqlValues, fresh: NewMessage[]) {
  const touches = new Map<string, ConversationTouch>();
  for (const { workspaceId, event, preview, conversationKey } of fresh) {
    const { sentAt: timestamp, customer } = event;
    const touch = touches.get(conversationKey);
    if (!touch) {
      touches.set(conversationKey, {
        workspaceId,
        waId: customer.waId,
        count: 1,
        latest: { timestamp, preview },
        latestInboundAt: timestamp,
        profileName: customer.profileName,
        businessPhoneNumberId: event.phoneNumberId,
      });
      continue;
    }
    touch.count++;
    if (timestamp >= touch.latest.timestamp) touch.latest = { timestamp, preview };
    if (timestamp > touch.latestInboundAt) touch.latestInboundAt = timestamp;
    touch.profileName = customer.profileName ?? touch.profileName;
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
