import type { Database } from "../db/client.ts";
import { publishInboxEvents, type InboxPubSub } from "../realtime/pubsub.ts";

/** What workflow services need to tell other agents: they publish after their write committed. */
export interface WorkflowDeps {
  db: Database;
  pubsub: InboxPubSub;
}

/** Each conversation's list entry (assignee, status, labels) changed for every agent. */
export function publishConversationsUpdated(pubsub: InboxPubSub, workspaceId: string, conversationIds: readonly string[]) {
  publishInboxEvents(
    pubsub,
    conversationIds.map((conversationId) => ({ workspaceId, event: { type: "conversationUpdated", conversationId } })),
  );
}

/** A conversation's internal notes changed: agents showing them load them again. */
export function publishNotesChanged(pubsub: InboxPubSub, workspaceId: string, conversationId: string) {
  publishInboxEvents(pubsub, [{ workspaceId, event: { type: "conversationNotesChanged", conversationId } }]);
}
