import type { Database } from "../db/client.ts";
import { searchTerms } from "../db/text-search.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { NotFoundError } from "../errors.ts";

/** Matches the customer's name (contact or WhatsApp profile) or the digits of their number. */
export function conversationSearchFilter(db: Database, workspaceId: string, search?: string | null): Prisma.ConversationWhereInput {
  const terms = searchTerms(db, search);
  if (!terms) return { workspaceId };
  const { text, digits } = terms;
  return { workspaceId, OR: [{ profileName: text }, { contact: { name: text } }, ...(digits ? [{ waId: digits }] : [])] };
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
