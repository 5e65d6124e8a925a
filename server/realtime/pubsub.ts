import { createPubSub, type PubSub } from "graphql-yoga";
import type { InboxEvent, WorkspaceEvent } from "./events.ts";

export type InboxPubSub = PubSub<{ inbox: [workspaceId: string, event: InboxEvent] }>;

/** Topics are per workspace (`inbox`, workspaceId): a subscriber only ever hears its own. In-process for one instance. */
export function createInboxPubSub(): InboxPubSub {
  return createPubSub<{ inbox: [workspaceId: string, event: InboxEvent] }>();
}

export function publishInboxEvents(pubsub: InboxPubSub, events: WorkspaceEvent[]) {
  for (const { workspaceId, event } of events) pubsub.publish("inbox", workspaceId, event);
}
