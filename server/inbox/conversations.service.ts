import type { Database } from "../db/client.ts";
import { containsText, searchTerms } from "../db/text-search.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { NotFoundError } from "../errors.ts";
import { ConversationStatus } from "../generated/prisma/enums.ts";

/**
 * Matches the customer's name (contact or WhatsApp profile), their WhatsApp username (typed with
 * or without the @) or the digits of their number.
 */
export function conversationSearchFilter(db: Database, workspaceId: string, search?: string | null): Prisma.ConversationWhereInput {
  const terms = searchTerms(db, search);
  if (!terms) return { workspaceId };
  const { text, digits } = terms;
  const username = search!.trim().replace(/^@/, "");
  return {
    workspaceId,
    OR: [{ profileName: text }, { contact: { name: text } }, ...(username ? [{ username: containsText(db, username) }] : []), ...(digits ? [{ waId: digits }] : [])],
  };
}

export async function requireConversation(db: Database, workspaceId: string, id: string) {
  const conversation = await db.conversation.findFirst({ where: { id, workspaceId } });
  if (!conversation) throw new NotFoundError("Conversation");
  return conversation;
}

/**
 * Clears the unread count. Returns the newest customer message when there was anything unread:
 * one Cloud API read receipt for it turns every earlier message blue for the customer too.
 */
export async function markConversationRead(db: Database, workspaceId: string, id: string) {
  const conversation = await requireConversation(db, workspaceId, id);
  if (conversation.unreadCount === 0) return { conversation, newestUnreadWamid: null };
  const newest = await db.whatsAppMessage.findFirst({
    where: { conversationId: id, direction: "INBOUND", wamid: { not: null } },
    orderBy: [{ timestamp: "desc" }, { id: "desc" }],
    select: { wamid: true },
  });
  const updated = await db.conversation.update({ where: { id }, data: { unreadCount: 0 } });
  return { conversation: updated, newestUnreadWamid: newest?.wamid ?? null };
}

/**
 * What an inbound customer message does to a resolved conversation: it is open again. Spread
 * into the conversation update of inbox/ingest.ts, so it happens in the message's transaction.
 */
export const REOPENED_BY_CUSTOMER = { status: ConversationStatus.OPEN, resolvedAt: null } satisfies Prisma.ConversationUpdateInput;

/** The conversation list's workflow filters (each optional). */
export interface ConversationWorkflowFilter {
  status?: ConversationStatus | null;
  /** MINE: assigned to the caller; UNASSIGNED: to nobody. */
  assignee?: "MINE" | "UNASSIGNED" | null;
  assigneeId?: string | null;
  labelId?: string | null;
}

/**
 * The where-clause for those filters. It narrows a query that is already scoped to the caller's
 * workspace: another workspace's agent or label id simply matches nothing.
 */
export function conversationWorkflowFilter(viewerUserId: string, filter: ConversationWorkflowFilter): Prisma.ConversationWhereInput {
  const where: Prisma.ConversationWhereInput = {};
  if (filter.status) where.status = filter.status;
  // A customer the business blocked cannot write: nothing there is waiting for an answer.
  if (filter.status === "OPEN") where.blockedAt = null;
  if (filter.assignee === "MINE") where.assigneeId = viewerUserId;
  if (filter.assignee === "UNASSIGNED") where.assigneeId = null;
  // Both given and different: nothing can match both.
  if (filter.assigneeId) where.assigneeId = where.assigneeId === undefined || where.assigneeId === filter.assigneeId ? filter.assigneeId : { in: [] };
  if (filter.labelId) where.labels = { some: { labelId: filter.labelId } };
  return where;
}
