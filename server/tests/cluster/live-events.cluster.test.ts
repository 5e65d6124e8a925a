import { createClient } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import WebSocket from "ws";
import { eventually } from "../support/eventually.ts";
import { ADMIN_API_TOKEN } from "../support/harness.ts";
import { startInstances, type Instances } from "../support/instances.ts";
import { deliverWebhook, WEBHOOK_ENV } from "../support/webhook-client.ts";
import { change, envelope, inbound } from "../support/webhook-fixtures.ts";

let instances: Instances;
beforeAll(async () => {
  instances = await startInstances(2, WEBHOOK_ENV);
});
afterAll(() => instances?.stop());

describe("two instances behind a load balancer", () => {
  it("pushes a webhook received by instance A to a subscriber connected to instance B within a second", async () => {
    const [instanceA, instanceB] = instances.servers as [NonNullable<Instances["servers"][0]>, NonNullable<Instances["servers"][0]>];
    const client = createClient({
      url: instanceB.url.replace(/^http/, "ws") + "/graphql",
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${ADMIN_API_TOKEN}` },
      retryAttempts: 0,
    });
    const redis = new Redis(instances.redisUrl);
    try {
      const received = new Promise<{ messageAdded: { text: string } }>((resolve, reject) =>
        client.subscribe<{ messageAdded: { text: string } }>(
          { query: "subscription { messageAdded { text } }" },
          { next: (result) => resolve(result.data!), error: reject, complete: () => {} },
        ),
      );
      // Listening on B, and B's subscription registered at Redis, where A publishes.
      await eventually(async () => instanceB.app.liveSubscriptions() === 1 && (await redis.pubsub("CHANNELS")).length > 0, "B to listen through Redis");
      const started = performance.now();
      const answer = await deliverWebhook(instanceA, envelope(change({ messages: [inbound({ type: "text", text: { body: "via Redis" } })] })));
      expect(answer.status).toBe(200);
      expect((await received).messageAdded.text).toBe("via Redis");
      expect(performance.now() - started).toBeLessThan(1000);
    } finally {
      await client.dispose();
      redis.disconnect();
    }
  });

  it("stores a webhook delivered to A and B at the same moment once, and answers both 200", async () => {
    const [instanceA, instanceB] = instances.servers as [NonNullable<Instances["servers"][0]>, NonNullable<Instances["servers"][0]>];
    const messages = Array.from({ length: 10 }, (_, index) =>
      inbound({ from: `91970000${String(index).padStart(4, "0")}`, type: "text", text: { body: `race ${index}` } }),
    );
    const payload = envelope(change({ messages }));
    const answers = await Promise.all([deliverWebhook(instanceA, payload), deliverWebhook(instanceB, payload), deliverWebhook(instanceA, payload), deliverWebhook(instanceB, payload)]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    const { db } = instanceA.app;
    expect(await db.whatsAppMessage.count({ where: { wamid: { in: messages.map((message) => message.id) } } })).toBe(10);
    const conversations = await db.conversation.findMany({ where: { waId: { in: messages.map((message) => message.from!) } } });
    expect(conversations).toHaveLength(10);
    expect(conversations.every((conversation) => conversation.unreadCount === 1)).toBe(true);
  });
});
