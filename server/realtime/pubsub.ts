import { createRedisEventTarget } from "@graphql-yoga/redis-event-target";
import { createPubSub, type PubSub } from "graphql-yoga";
import { Redis } from "ioredis";
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
export function createRealtime(redisUrl?: string): Realtime {
  if (!redisUrl) return { pubsub: createPubSub<Topics>(), close: async () => {} };
  const publishClient = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 3 });
  const subscribeClient = new Redis(redisUrl, { lazyConnect: false });
  return {
    pubsub: createPubSub<Topics>({ eventTarget: createRedisEventTarget({ publishClient, subscribeClient }) }),
    async close() {
      await Promise.all([publishClient.quit(), subscribeClient.quit()]);
    },
  };
}

export function publishInboxEvents(pubsub: InboxPubSub, events: WorkspaceEvent[]) {
  for (const { workspaceId, event } of events) pubsub.publish("inbox", workspaceId, event);
}
