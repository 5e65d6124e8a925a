import type { Database } from "../db/client.ts";
import { ExpectedError, NotFoundError } from "../errors.ts";
import { customerServiceWindow } from "../inbox/window.ts";
import { publishInboxEvents, type InboxPubSub } from "../realtime/pubsub.ts";
import type { ConversationMirror } from "../storage/conversation-files.ts";
import { WhatsAppNotConfiguredError, type NumberDirectory } from "../whatsapp-numbers/number-directory.ts";
import { CloudApiError, CloudApiValidationError } from "../whatsapp/errors.ts";

export interface BlockingDependencies {
  db: Database;
  numbers: Pick<NumberDirectory, "cloudApiFor">;
  pubsub: InboxPubSub;
  mirror: ConversationMirror;
}

/** Meta would not block (or unblock) this customer: the reason says why and what to do. */
export class BlockRefusedError extends ExpectedError {
  override name = "BlockRefusedError";
  readonly code = "BLOCK_REFUSED";
  readonly httpStatus = 409;
  constructor(
    message: string,
    /** Meta's error code, when Meta refused. */
    readonly metaCode: number | null = null,
  ) {
    super(message);
  }
}

async function conversationOf(db: Database, workspaceId: string, conversationId: string) {
  const conversation = await db.conversation.findFirst({ where: { id: conversationId, workspaceId } });
  if (!conversation) throw new NotFoundError("Conversation");
  return conversation;
}

/** A block is kept per business number (Meta's `/{phone-number-id}/block_users`): the conversation's. */
function clientOf(deps: BlockingDependencies, conversation: { businessPhoneNumberId: string | null }) {
  if (!conversation.businessPhoneNumberId) throw new WhatsAppNotConfiguredError();
  return deps.numbers.cloudApiFor(conversation.businessPhoneNumberId);
}

/** Meta's answer, in words for the agent. */
function refusal(error: unknown, doing: "block" | "unblock"): never {
  if (error instanceof CloudApiError) {
    const reason = error.details ?? error.title;
    throw new BlockRefusedError(`WhatsApp did not ${doing} this customer: ${reason}`, error.code);
  }
  if (error instanceof CloudApiValidationError) throw new BlockRefusedError(`WhatsApp did not ${doing} this customer: ${error.message}`);
  throw error;
}

/**
 * Blocks the customer at Meta (`POST /{phone-number-id}/block_users`): they can no longer write to
 * the business, nor the business to them. Meta allows it only while the customer wrote in the last
 * 24 hours: outside that, refused before Meta is asked.
 */
export async function blockCustomer(deps: BlockingDependencies, workspaceId: string, conversationId: string) {
  const conversation = await conversationOf(deps.db, workspaceId, conversationId);
  if (conversation.blockedAt) return conversation;
  const cloudApi = await clientOf(deps, conversation);
  if (!conversation.waId) throw new BlockRefusedError("WhatsApp blocks customers by their phone number, and this customer's number is hidden");
  if (!customerServiceWindow(conversation.lastInboundAt).isOpen) {
    throw new BlockRefusedError("WhatsApp lets you block a customer only within 24 hours of their last message, and this customer has not written since");
  }
  try {
    await cloudApi.blockUsers([conversation.waId]);
  } catch (error) {
    refusal(error, "block");
  }
  return changed(deps, await deps.db.conversation.update({ where: { id: conversation.id }, data: { blockedAt: new Date() } }));
}

/** Unblocks the customer at Meta (`DELETE /{phone-number-id}/block_users`); allowed at any time. */
export async function unblockCustomer(deps: BlockingDependencies, workspaceId: string, conversationId: string) {
  const conversation = await conversationOf(deps.db, workspaceId, conversationId);
  if (!conversation.blockedAt) return conversation;
  const cloudApi = await clientOf(deps, conversation);
  try {
    await cloudApi.unblockUsers([conversation.waId!]);
  } catch (error) {
    refusal(error, "unblock");
  }
  return changed(deps, await deps.db.conversation.update({ where: { id: conversation.id }, data: { blockedAt: null } }));
}

function changed<T extends { id: string; workspaceId: string }>(deps: BlockingDependencies, conversation: T): T {
  publishInboxEvents(deps.pubsub, [{ workspaceId: conversation.workspaceId, event: { type: "conversationUpdated", conversationId: conversation.id } }]);
  deps.mirror.schedule(conversation.id);
  return conversation;
}
