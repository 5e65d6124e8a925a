import { v7 as uuidv7 } from "uuid";
import { insertRows, queryChunks, type DriverTransaction, type InsertRow } from "../db/driver-transaction.ts";
import { statementChunks, type SqlValues } from "../db/sql-values.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { REOPENED_BY_CUSTOMER } from "./conversations.service.ts";
import type { NewMessage } from "./ingest-messages.ts";

/** A conversation a group of new messages goes to: stored already, or created by this group. */
interface ConversationTouch {
  id: string;
  workspaceId: string;
  /** The row as stored before this group; null: created by it. */
  stored: StoredConversation | null;
  waId: string | null;
  userId: string | null;
  parentUserId: string | null;
  username: string | null;
  /** New messages that make the conversation unread: live ones from the customer. */
  count: number;
  latest: { timestamp: Date; preview: string } | null;
  latestInboundAt: Date | null;
  /** The latest live customer message: only it may reopen a resolved conversation. */
  liveInboundAt: Date | null;
  /** The latest echo of the business app: the business is answering from its phone. */
  echoAt: Date | null;
  profileName: string | null;
  businessPhoneNumberId: string;
}

/** A stored conversation as the driver answers it: DateTime columns as ISO text. */
interface StoredConversation {
  id: string;
  workspaceId: string;
  businessPhoneNumberId: string;
  waId: string | null;
  userId: string | null;
  contactId: string | null;
  profileName: string | null;
  lastMessageAt: string | null;
  lastInboundAt: string | null;
}

/**
 * Where a customer identifier points on one business number of a workspace, for the matching
 * below: a customer writing to two numbers has a conversation on each.
 */
const phoneKey = (workspaceId: string, numberId: string, waId: string) => `${workspaceId}\u0000${numberId}\u0000phone\u0000${waId}`;
const userKey = (workspaceId: string, numberId: string, userId: string) => `${workspaceId}\u0000${numberId}\u0000user\u0000${userId}`;
/** A contact is the workspace's, whichever number the customer wrote to. */
const contactKey = (workspaceId: string, waId: string) => `${workspaceId}\u0000${waId}`;

/**
 * Creates or updates each customer's conversation on the business number they wrote to, for
 * their new messages: unread count, the 24-hour window, and the list preview — unless Meta
 * re-delivered an older message late.
 * A message joins the conversation on its number that knows its BSUID or, failing that, its number; an
 * identifier seen for the first time beside a known one is recorded on that conversation (unless
 * another conversation holds it already: the two stay apart). Answers the conversation of each
 * message, by wamid.
 */
export async function touchConversations(tx: DriverTransaction, sql: SqlValues, fresh: NewMessage[]) {
  const existing = await queryChunks<StoredConversation, NewMessage>(
    tx,
    fresh,
    (chunk) =>
      Prisma.sql`SELECT "id", "workspaceId", "businessPhoneNumberId", "waId", "userId", "contactId", "profileName", "lastMessageAt", "lastInboundAt" FROM "Conversation"
        WHERE ${customersCondition(chunk.map(({ workspaceId, event }) => ({ workspaceId, businessPhoneNumberId: event.phoneNumberId, ...event.customer })))}`,
  );
  const byIdentifier = new Map<string, ConversationTouch>();
  const remember = (touch: ConversationTouch) => {
    if (touch.waId) byIdentifier.set(phoneKey(touch.workspaceId, touch.businessPhoneNumberId, touch.waId), touch);
    if (touch.userId) byIdentifier.set(userKey(touch.workspaceId, touch.businessPhoneNumberId, touch.userId), touch);
  };
  for (const stored of existing) {
    remember({ ...stored, stored, parentUserId: null, username: null, count: 0, latest: null, latestInboundAt: null, liveInboundAt: null, echoAt: null, profileName: null });
  }

  const conversationOf = new Map<string, string>();
  const touched = new Map<string, ConversationTouch>();
  for (const { workspaceId, event, preview, imported } of fresh) {
    const { sentAt: timestamp, customer, phoneNumberId: numberId } = event;
    let touch =
      (customer.userId ? byIdentifier.get(userKey(workspaceId, numberId, customer.userId)) : undefined) ??
      (customer.waId ? byIdentifier.get(phoneKey(workspaceId, numberId, customer.waId)) : undefined);
    if (!touch) {
      touch = { id: uuidv7(), workspaceId, businessPhoneNumberId: numberId, stored: null, waId: null, userId: null, parentUserId: null, username: null, count: 0, latest: null, latestInboundAt: null, liveInboundAt: null, echoAt: null, profileName: null };
    }
    if (customer.waId && !touch.waId && !byIdentifier.has(phoneKey(workspaceId, numberId, customer.waId))) touch.waId = customer.waId;
    if (customer.userId && !touch.userId && !byIdentifier.has(userKey(workspaceId, numberId, customer.userId))) touch.userId = customer.userId;
    // A changed number or BSUID replaces the old one, so that the customer's next message joins
    // this conversation — unless a conversation already holds the new one (kept apart).
    const change = event.identityChange;
    if (change?.waId && byIdentifier.get(phoneKey(workspaceId, numberId, change.waId)) === undefined) touch.waId = change.waId;
    if (change?.userId && byIdentifier.get(userKey(workspaceId, numberId, change.userId)) === undefined) touch.userId = change.userId;
    remember(touch);
    touch.parentUserId = customer.parentUserId ?? touch.parentUserId;
    touch.username = customer.username ?? touch.username;
    touch.profileName = customer.profileName ?? touch.profileName;
    if (!touch.latest || timestamp >= touch.latest.timestamp) touch.latest = { timestamp, preview };
    // An imported history is read already, and never brings a resolved conversation back;
    // what the business sent from its phone is neither unread nor the customer writing.
    if (event.sender === "customer") {
      if (!touch.latestInboundAt || timestamp > touch.latestInboundAt) touch.latestInboundAt = timestamp;
      if (!imported) {
        touch.count++;
        if (!touch.liveInboundAt || timestamp > touch.liveInboundAt) touch.liveInboundAt = timestamp;
      }
    } else if (!imported && (!touch.echoAt || timestamp > touch.echoAt)) {
      touch.echoAt = timestamp;
    }
    touched.set(touch.id, touch);
    conversationOf.set(event.wamid, touch.id);
  }

  const contactIds = await contactIdsFor(
    tx,
    [...touched.values()].filter((touch) => !touch.stored?.contactId && touch.waId),
  );

  const now = new Date();
  const created: Array<InsertRow<"Conversation">> = [];
  const updated: ConversationUpdate[] = [];
  for (const touch of touched.values()) {
    const { stored, latest, latestInboundAt } = touch;
    const lastMessageAt = stored?.lastMessageAt ? new Date(stored.lastMessageAt) : null;
    const lastInboundAt = stored?.lastInboundAt ? new Date(stored.lastInboundAt) : null;
    const isLatest = !!latest && (!lastMessageAt || latest.timestamp >= lastMessageAt);
    const isLatestInbound = !!latestInboundAt && (!lastInboundAt || latestInboundAt >= lastInboundAt);
    const reopen = !!touch.liveInboundAt && (!lastInboundAt || touch.liveInboundAt >= lastInboundAt);
    const data = {
      contactId: stored?.contactId ?? (touch.waId ? contactIds.get(contactKey(touch.workspaceId, touch.waId)) : undefined) ?? null,
      profileName: touch.profileName ?? stored?.profileName ?? null,
      waId: touch.waId,
      userId: touch.userId,
      parentUserId: touch.parentUserId,
      username: touch.username,
      lastMessageAt: isLatest ? latest.timestamp : null,
      lastMessagePreview: isLatest ? latest.preview : null,
      lastInboundAt: isLatestInbound ? latestInboundAt : null,
      // An echo is an agent answering: auto-replies stay quiet, as when an agent sends from here.
      agentActiveAt: touch.echoAt,
    };
    if (stored) {
      // A customer writing again reopens a resolved conversation (not a late re-delivery).
      updated.push({ ...data, id: touch.id, newMessages: touch.count, reopen });
    } else {
      created.push({ ...data, id: touch.id, workspaceId: touch.workspaceId, businessPhoneNumberId: touch.businessPhoneNumberId, unreadCount: touch.count, createdAt: now, updatedAt: now });
    }
  }
  await updateConversations(tx, sql, updated);
  await insertRows(tx, "Conversation", created);
  return conversationOf;
}

/** New values of an existing conversation; null leaves the stored value. */
interface ConversationUpdate {
  id: string;
  newMessages: number;
  contactId: string | null;
  profileName: string | null;
  /** Identifiers: the number and BSUID as matched, learnt or changed (see touchConversations); the aliases follow the latest. */
  waId: string | null;
  userId: string | null;
  parentUserId: string | null;
  username: string | null;
  lastMessageAt: Date | null;
  lastMessagePreview: string | null;
  lastInboundAt: Date | null;
  agentActiveAt: Date | null;
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
      Prisma.sql`(${sql.text(row.id)}, ${sql.integer(row.newMessages)}, ${sql.text(row.contactId)}, ${sql.text(row.profileName)}, ${sql.text(row.waId)}, ${sql.text(row.userId)}, ${sql.text(row.parentUserId)}, ${sql.text(row.username)}, ${sql.dateTime(row.lastMessageAt)}, ${sql.text(row.lastMessagePreview)}, ${sql.dateTime(row.lastInboundAt)}, ${sql.dateTime(row.agentActiveAt)}, ${sql.integer(row.reopen ? 1 : 0)})`,
  );
  const open = sql.enumValue(REOPENED_BY_CUSTOMER.status, "ConversationStatus");
  await tx.execute(Prisma.sql`
    WITH touched (id, new_messages, contact_id, profile_name, wa_id, user_id, parent_user_id, user_name, last_message_at, last_message_preview, last_inbound_at, agent_active_at, reopen)
      AS (VALUES ${Prisma.join(rows)})
    UPDATE "Conversation" SET
      "unreadCount" = "unreadCount" + touched.new_messages,
      "contactId" = touched.contact_id,
      "profileName" = touched.profile_name,
      "waId" = COALESCE(touched.wa_id, "Conversation"."waId"),
      "userId" = COALESCE(touched.user_id, "Conversation"."userId"),
      "parentUserId" = COALESCE(touched.parent_user_id, "Conversation"."parentUserId"),
      "username" = COALESCE(touched.user_name, "Conversation"."username"),
      "lastMessageAt" = COALESCE(touched.last_message_at, "lastMessageAt"),
      "lastMessagePreview" = COALESCE(touched.last_message_preview, "lastMessagePreview"),
      "lastInboundAt" = COALESCE(touched.last_inbound_at, "lastInboundAt"),
      "agentActiveAt" = COALESCE(touched.agent_active_at, "agentActiveAt"),
      "status" = CASE WHEN touched.reopen = 1 THEN ${open} ELSE "status" END,
      "resolvedAt" = CASE WHEN touched.reopen = 1 THEN NULL ELSE "resolvedAt" END,
      "updatedAt" = ${sql.dateTime(new Date())}
    FROM touched
    WHERE "Conversation"."id" = touched.id`);
}

/**
 * A customer's identifiers in one workspace, on one of its business numbers (conversations) or
 * on none (contacts); either identifier may be missing.
 */
type Customer = { workspaceId: string; businessPhoneNumberId?: string; waId: string | null; userId?: string | null };

/**
 * `("workspaceId" = … [AND "businessPhoneNumberId" = …] AND ("waId" IN (…) OR "userId" IN (…))) OR …`:
 * one branch per workspace (and number) of these customers; `phoneColumn` and `phone` say how a
 * number is stored in the table asked.
 */
function customersCondition(customers: Customer[], phoneColumn = "waId", phone = (waId: string) => waId) {
  const byScope = new Map<string, { workspaceId: string; numberId: string | undefined; phones: Set<string>; users: Set<string> }>();
  for (const customer of customers) {
    const scope = `${customer.workspaceId}\u0000${customer.businessPhoneNumberId ?? ""}`;
    const ids = byScope.get(scope) ?? { workspaceId: customer.workspaceId, numberId: customer.businessPhoneNumberId, phones: new Set<string>(), users: new Set<string>() };
    byScope.set(scope, ids);
    if (customer.waId) ids.phones.add(phone(customer.waId));
    if (customer.userId) ids.users.add(customer.userId);
  }
  const column = Prisma.raw(`"${phoneColumn}"`);
  return Prisma.join(
    [...byScope.values()].map(({ workspaceId, numberId, phones, users }) => {
      const matches = [
        ...(phones.size > 0 ? [Prisma.sql`${column} IN (${Prisma.join([...phones])})`] : []),
        ...(users.size > 0 ? [Prisma.sql`"userId" IN (${Prisma.join([...users])})`] : []),
      ];
      const onNumber = numberId === undefined ? Prisma.empty : Prisma.sql` AND "businessPhoneNumberId" = ${numberId}`;
      return Prisma.sql`("workspaceId" = ${workspaceId}${onNumber} AND (${Prisma.join(matches, " OR ")}))`;
    }),
    " OR ",
  );
}

/** The contacts saved with these customers' numbers, by contactKey. */
async function contactIdsFor(tx: DriverTransaction, customers: Array<{ workspaceId: string; waId: string | null }>) {
  const withNumbers = customers.filter((customer) => customer.waId);
  const contacts = await queryChunks<{ id: string; workspaceId: string; whatsappNumber: string }, Customer>(
    tx,
    withNumbers,
    (chunk) =>
      Prisma.sql`SELECT "id", "workspaceId", "whatsappNumber" FROM "Contact"
        WHERE ${customersCondition(chunk.map(({ workspaceId, waId }) => ({ workspaceId, waId })), "whatsappNumber", (waId) => `+${waId}`)}`,
  );
  return new Map(contacts.map((contact) => [contactKey(contact.workspaceId, contact.whatsappNumber.slice(1)), contact.id]));
}
