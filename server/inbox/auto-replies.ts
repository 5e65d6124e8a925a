/**
 * What the inbox knows of automatic replies: how a message says it was automatic, and the hook
 * the webhook calls after its commit. autoreply/ builds on the inbox (it sends through
 * send.service.ts) and implements the hook; the inbox never imports autoreply/.
 */
import type { ReceivedMessage } from "./ingest.ts";

/** What an automatic message says it is: a rule's kind, or the AI. Stored in WhatsAppMessage.autoReply. */
export const AUTO_REPLY_KINDS = ["KEYWORD", "AWAY", "GREETING", "AI"] as const;
export type AutoReplyKind = (typeof AUTO_REPLY_KINDS)[number];

export function isAutoReplyKind(value: unknown): value is AutoReplyKind {
  return (AUTO_REPLY_KINDS as readonly unknown[]).includes(value);
}

/** Answers newly received messages by the workspace's rules (autoreply/runner.ts); never delays the webhook. */
export interface AutoReplyRunner {
  handle(received: readonly ReceivedMessage[]): void;
}
