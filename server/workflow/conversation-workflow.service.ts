import type { Prisma } from "../generated/prisma/client.ts";
import { ConversationStatus } from "../generated/prisma/enums.ts";
import { NotFoundError } from "../errors.ts";
import { requireConversation } from "../inbox/conversations.service.ts";
import { publishConversationsUpdated, type WorkflowDeps } from "./events.ts";
import { requireLabel } from "./labels.service.ts";


/** Who may be assigned: an active user of the conversation's own workspace. */
async function requireAgent({ db }: WorkflowDeps, workspaceId: string, userId: string) {
  const agent = await db.user.findFirst({ where: { id: userId, workspaceId, active: true }, select: { id: true } });
  if (!agent) throw new NotFoundError("Agent");
  return agent;
}

/** Assigns the conversation to an agent of the workspace, or unassigns it (`assigneeId` null). */
export async function assignConversation(deps: WorkflowDeps, workspaceId: string, conversationId: string, assigneeId: string | null) {
  const conversation = await requireConversation(deps.db, workspaceId, conversationId);
  if (assigneeId) await requireAgent(deps, workspaceId, assigneeId);
  if (conversation.assigneeId === assigneeId) return conversation;
  const updated = await deps.db.conversation.update({ where: { id: conversationId }, data: { assigneeId } });
  publishConversationsUpdated(deps.pubsub, workspaceId, [conversationId]);
  return updated;
}

/** Resolves or reopens; `resolvedAt` keeps the moment it was first resolved until it reopens. */
export async function setConversationStatus(deps: WorkflowDeps, workspaceId: string, conversationId: string, status: ConversationStatus) {
  const conversation = await requireConversation(deps.db, workspaceId, conversationId);
  if (conversation.status === status) return conversation;
  const resolvedAt = status === ConversationStatus.RESOLVED ? new Date() : null;
  const updated = await deps.db.conversation.update({ where: { id: conversationId }, data: { status, resolvedAt } });
  publishConversationsUpdated(deps.pubsub, workspaceId, [conversationId]);
  return updated;
}

/** Puts a label on a conversation; putting it on twice changes nothing. */
export async function addConversationLabel(deps: WorkflowDeps, workspaceId: string, conversationId: string, labelId: string) {
  const conversation = await requireConversation(deps.db, workspaceId, conversationId);
  await requireLabel(deps.db, workspaceId, labelId);
  await deps.db.conversationLabel.upsert({
    where: { conversationId_labelId: { conversationId, labelId } },
    create: { conversationId, labelId },
    update: {},
  });
  publishConversationsUpdated(deps.pubsub, workspaceId, [conversationId]);
  return conversation;
}

/** Takes a label off a conversation; taking off one it does not have changes nothing. */
export async function removeConversationLabel(deps: WorkflowDeps, workspaceId: string, conversationId: string, labelId: string) {
  const conversation = await requireConversation(deps.db, workspaceId, conversationId);
  await requireLabel(deps.db, workspaceId, labelId);
  const { count } = await deps.db.conversationLabel.deleteMany({ where: { conversationId, labelId } });
  if (count > 0) publishConversationsUpdated(deps.pubsub, workspaceId, [conversationId]);
  return conversation;
}
