import type { Database } from "../db/client.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { NotFoundError } from "../errors.ts";

/** Matches the customer's name (contact or WhatsApp profile) or the digits of their number. */
export function conversationSearchFilter(workspaceId: string, search?: string | null): Prisma.ConversationWhereInput {
  const text = search?.trim();
  if (!text) return { workspaceId };
  const digits = text.replace(/\D/g, "");
  return {
    workspaceId,
    OR: [
      { profileName: { contains: text } },
      { contact: { name: { contains: text } } },
      ...(digits.length >= 3 ? [{ waId: { contains: digits } }] : []),
    ],
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
