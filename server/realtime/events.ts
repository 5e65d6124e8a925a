import type { MessageStatus } from "../generated/prisma/enums.ts";

/**
 * Every live event of the inbox, published after its transaction commits. Payloads carry ids
 * and small deltas only: subscribers load what they display, so fan-out stays cheap.
 */
export type InboxEvent =
  | { type: "messageAdded"; conversationId: string; messageId: string }
  | { type: "messageStatusChanged"; conversationId: string; messageId: string; status: MessageStatus }
  | { type: "conversationUpdated"; conversationId: string }
  /** An internal note was added or deleted (workflow/notes.service.ts). */
  | { type: "conversationNotesChanged"; conversationId: string }
  /** Something other than the status changed, e.g. the message's media was downloaded (media/media-downloads.ts). */
  | { type: "messageUpdated"; conversationId: string; messageId: string }
  /** A business number's import of the WhatsApp Business app's history moved on (inbox/history-import.ts). */
  | { type: "historyImportUpdated"; phoneNumberId: string };

/** An event and the workspace whose agents may hear it. */
export interface WorkspaceEvent {
  workspaceId: string;
  event: InboxEvent;
}

/**
 * A credential (a session ended or expired, an API token revoked) or a whole user (deactivated,
 * role changed) lost the access it had: every instance closes the sockets it opened at once.
 * HTTP needs no event: it authenticates every request.
 */
/**
 * A WhatsApp number was connected, reconnected (a new token) or disconnected: every instance
 * drops what it cached of it (its Cloud API client, the workspace's list of numbers).
 */
export interface NumberChange {
  phoneNumberId: string;
  workspaceId: string;
}

export interface Revocation {
  kind: "session" | "apiToken" | "user";
  /** The session's, token's or user's id. */
  id: string;
}
