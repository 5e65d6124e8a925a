import { createRedisEventTarget } from "@graphql-yoga/redis-event-target";
import { createPubSub, filter, pipe, type PubSub } from "graphql-yoga";
import type { Redis } from "ioredis";
import type { InboxEvent, WorkspaceEvent } from "./events.ts";

type Topics = { inbox: [workspaceId: string, event: InboxEvent] };
export type InboxPubSub = PubSub<Topics>;

export interface Realtime {
  pubsub: InboxPubSub;
  close(): Promise<void>;
}

/**
 * Topics are per workspace (`inbox`, workspaceId): a subscriber only ever hears its own.
 * In-process for one instance; through Redis when REDIS_URL is set, so that a webhook
 * received by one instance reaches agents connected to another.
 */
export function createRealtime(redis: Redis | null): Realtime {
  if (!redis) return { pubsub: createPubSub<Topics>(), close: async () => {} };
  // A connection in subscriber mode can do nothing else: it gets its own.
  const subscribeClient = redis.duplicate();
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

/** The workspace's events of one kind, optionally of one conversation: what a subscription field listens to. */
export function inboxEvents<T extends InboxEvent["type"]>(
  listener: { pubsub: InboxPubSub; viewer: { workspaceId: string } },
  type: T,
  conversationId?: string | null,
) {
  return pipe(
    listener.pubsub.subscribe("inbox", listener.viewer.workspaceId),
    filter((event: InboxEvent): event is Extract<InboxEvent, { type: T }> =>
      event.type === type && (!conversationId || event.conversationId === conversationId),
    ),
  );
}
