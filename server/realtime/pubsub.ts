import { createRedisEventTarget } from "@graphql-yoga/redis-event-target";
import { createPubSub, filter, pipe, type PubSub } from "graphql-yoga";
import type { Redis } from "ioredis";
import type { InboxEvent, NumberChange, Revocation, WorkspaceEvent } from "./events.ts";

type Topics = {
  inbox: [workspaceId: string, event: InboxEvent];
  revoked: [revocation: Revocation];
  numberChanged: [change: NumberChange];
  /** A campaign's progress or status changed (campaigns/): its id. */
  campaign: [workspaceId: string, campaignId: string];
};
export type InboxPubSub = PubSub<Topics>;

export interface Realtime {
  pubsub: InboxPubSub;
  close(): Promise<void>;
}

/**
 * Inbox topics are per workspace (`inbox`, workspaceId): a subscriber only ever hears its own.
 * In-process for one instance; through Redis when REDIS_URL is set, so that a webhook
 * received by one instance reaches agents connected to another.
 */
export function createRealtime(redis: Redis | null): Realtime {
  if (!redis) return { pubsub: createPubSub<Topics>(), close: async () => {} };
  // A connection in subscriber mode can do nothing else: it gets its own. Revocations are
  // subscribed to at start-up, before it is connected: its ready check (INFO) would then be
  // refused in subscriber mode and the subscription lost.
  const subscribeClient = redis.duplicate({ enableReadyCheck: false });
  return {
    pubsub: createPubSub<Topics>({ eventTarget: createRedisEventTarget({ publishClient: redis, subscribeClient }) }),
    async close() {
      await subscribeClient.quit();
    },
  };
}

export function publishInboxEvents(pubsub: InboxPubSub, events: WorkspaceEvent[]) {
  for (const { workspaceId, event } of events) pubsub.publish("inbox", workspaceId, event);
}

/** Publish after the change is committed: from then on no instance may serve the credential or user a live event. */
export function publishRevocation(pubsub: InboxPubSub, revocation: Revocation) {
  pubsub.publish("revoked", revocation);
}

/** Publish after the change is committed: every instance then forgets the number's client and token. */
export function publishNumberChange(pubsub: InboxPubSub, change: NumberChange) {
  pubsub.publish("numberChanged", change);
}

/** The workspace's events of one kind, optionally of one conversation: what a subscription field listens to. */
export function inboxEvents<T extends InboxEvent["type"]>(
  listener: { pubsub: InboxPubSub; viewer: { workspaceId: string } },
  type: T,
  conversationId?: string | null,
) {
  return pipe(
    listener.pubsub.subscribe("inbox", listener.viewer.workspaceId),
    filter((event: InboxEvent): event is Extract<InboxEvent, { type: T }> =>
      event.type === type && (!conversationId || ("conversationId" in event && event.conversationId === conversationId)),
    ),
  );
}
