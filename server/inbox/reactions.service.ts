/**
 * Reactions on messages, both ways, and the "typing…" a customer sees while an agent writes.
 * A reaction is a message of its own (type "reaction", reactionToWamid): the one shown on a
 * message is the latest of each side — the customer's and ours — and an empty emoji removes it.
 */
import type { Viewer } from "../auth/auth.service.ts";
import type { Database } from "../db/client.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import type { WhatsAppMessage } from "../generated/prisma/client.ts";
import type { MessageDirection } from "../generated/prisma/enums.ts";
import type { Logger } from "../logger.ts";
import { CloudApiError, CloudApiValidationError } from "../whatsapp/errors.ts";
import { reactionPreview } from "../whatsapp/message-content.ts";
import { WhatsAppNotConfiguredError, type NumberDirectory } from "../whatsapp-numbers/number-directory.ts";
import { WindowClosedError } from "./send-errors.ts";
import { customerLabel } from "./customer.ts";
import { addressOf, ensureConfigured, sendingNumbers, sendOutbound, type Recipient, type SendDependencies, type SendOutcome } from "./send.service.ts";
import { customerServiceWindow } from "./window.ts";

export interface MessageReaction {
  emoji: string;
  /** INBOUND: the customer's; OUTBOUND: ours (any agent's, the latest). */
  direction: MessageDirection;
  timestamp: Date;
}

/**
 * The reactions now on each of these messages (by wamid) of one workspace, in one query. Our
 * reactions that Meta refused never reached the customer, so they do not count.
 */
export async function reactionsOn(db: Database, workspaceId: string, wamids: readonly string[]): Promise<Map<string, MessageReaction[]>> {
  const rows = await db.whatsAppMessage.findMany({
    where: { workspaceId, type: "reaction", reactionToWamid: { in: [...new Set(wamids)] }, status: { not: "FAILED" } },
    select: { reactionToWamid: true, reactionEmoji: true, direction: true, timestamp: true },
    orderBy: [{ timestamp: "asc" }, { id: "asc" }],
  });
  const latest = new Map<string, Map<MessageDirection, MessageReaction | null>>();
  for (const row of rows) {
    const bySide = latest.get(row.reactionToWamid!) ?? new Map<MessageDirection, MessageReaction | null>();
    bySide.set(row.direction, row.reactionEmoji ? { emoji: row.reactionEmoji, direction: row.direction, timestamp: row.timestamp } : null);
    latest.set(row.reactionToWamid!, bySide);
  }
  const reactions = new Map<string, MessageReaction[]>();
  for (const [wamid, bySide] of latest) reactions.set(wamid, [...bySide.values()].filter((reaction) => reaction !== null));
  return reactions;
}

/**
 * Batches the reactions of every message resolved in one tick (a page of the chat) into one query:
 * one loader per workspace and request.
 */
export function createReactionLoader(db: Database, workspaceId: string) {
  let pending: { wamids: Set<string>; result: Promise<Map<string, MessageReaction[]>> } | null = null;
  return (wamid: string): Promise<MessageReaction[]> => {
    if (!pending) {
      const batch = { wamids: new Set<string>(), result: null as unknown as Promise<Map<string, MessageReaction[]>> };
      batch.result = Promise.resolve().then(() => {
        pending = null;
        return reactionsOn(db, workspaceId, [...batch.wamids]);
      });
      pending = batch;
    }
    pending.wamids.add(wamid);
    return pending.result.then((reactions) => reactions.get(wamid) ?? []);
  };
}

export interface TypingDependencies {
  db: Database;
  numbers: Pick<NumberDirectory, "cloudApiFor" | "isConnectedTo">;
  logger: Logger;
}

/**
 * Shows the customer "typing…" (Meta's read receipt with `typing_indicator`, which also marks their
 * latest message read). Meta shows it for up to 25 s or until we send. Best effort: false when it
 * cannot be shown — no message from the customer in the window, another workspace's number, Meta
 * unreachable — since the agent's writing must never wait for it.
 */
export async function sendTypingIndicator(deps: TypingDependencies, workspaceId: string, conversationId: string): Promise<boolean> {
  const conversation = await deps.db.conversation.findFirst({ where: { id: conversationId, workspaceId } });
  if (!conversation) throw new NotFoundError("Conversation");
  // Only through the number the customer wrote to, while this workspace has it connected.
  if (!(await deps.numbers.isConnectedTo(workspaceId, conversation.businessPhoneNumberId))) return false;
  if (!customerServiceWindow(conversation.lastInboundAt).isOpen) return false;
  const latest = await deps.db.whatsAppMessage.findFirst({
    where: { conversationId, workspaceId, direction: "INBOUND", wamid: { not: null } },
    orderBy: [{ timestamp: "desc" }, { id: "desc" }],
    select: { wamid: true },
  });
  if (!latest?.wamid) return false;
  try {
    const cloudApi = await deps.numbers.cloudApiFor(conversation.businessPhoneNumberId!);
    await cloudApi.markRead(latest.wamid, { typingIndicator: true });
    return true;
  } catch (error) {
    if (!(error instanceof CloudApiError || error instanceof CloudApiValidationError || error instanceof WhatsAppNotConfiguredError)) throw error;
    deps.logger.warn({ err: error }, "Could not show the typing indicator");
    return false;
  }
}

export interface ReactInput {
  /** Our id of the message reacted to. */
  messageId: string;
  /** One emoji; empty removes our earlier reaction. */
  emoji: string;
}

/** One emoji (a single grapheme, flags and keycaps included), as WhatsApp accepts for a reaction. */
export function isSingleEmoji(text: string): boolean {
  const graphemes = [...new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(text)];
  return graphemes.length === 1 && /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20e3/u.test(text);
}

/**
 * Our reaction to a message of the conversation (an empty emoji takes it back): sent like any
 * message — stored, then through the outbox — inside the 24-hour window. It shows on the message
 * it reacts to, and leaves the conversation's list entry as it was.
 */
export async function reactToMessage(deps: SendDependencies, viewer: Viewer, input: ReactInput): Promise<SendOutcome & { target: WhatsAppMessage }> {
  const numbers = await sendingNumbers(deps, viewer.workspaceId);
  const emoji = input.emoji.trim();
  if (emoji !== "" && !isSingleEmoji(emoji)) throw ValidationError.of("emoji", "Give one emoji, or nothing to remove the reaction");
  const target = await deps.db.whatsAppMessage.findFirst({
    where: { id: input.messageId, workspaceId: viewer.workspaceId },
    include: { conversation: { include: { contact: { select: { name: true } } } } },
  });
  if (!target) throw new NotFoundError("Message");
  if (target.type === "reaction") throw ValidationError.of("messageId", "A reaction cannot be reacted to");
  if (!target.wamid) throw ValidationError.of("messageId", "The message has not reached WhatsApp yet");
  const { conversation } = target;
  const window = customerServiceWindow(conversation.lastInboundAt);
  if (!window.isOpen) throw new WindowClosedError(window.closesAt);
  const recipient: Recipient = {
    phone: conversation.waId ? `+${conversation.waId}` : null,
    waId: conversation.waId,
    userId: conversation.userId,
    name: conversation.contact?.name ?? conversation.profileName ?? customerLabel(conversation),
    contactId: conversation.contactId,
    // Always from the conversation's number: a reaction belongs to its conversation.
    from: conversation.businessPhoneNumberId ?? numbers.first,
  };
  await ensureConfigured(deps, recipient);
  const outcome = await sendOutbound(deps, viewer, recipient, {
    type: "reaction",
    text: null,
    preview: reactionPreview(emoji || null, target.preview),
    reaction: { emoji: emoji || null, toWamid: target.wamid },
    listed: false,
    request: { type: "reaction", to: addressOf(recipient), wamid: target.wamid, emoji },
  });
  const { conversation: _conversation, ...message } = target;
  return { ...outcome, target: message };
}
