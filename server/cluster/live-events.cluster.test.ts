import { createClient } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { ADMIN_API_TOKEN, startTestServer, type TestServer } from "../test/harness.ts";
import { startRedis } from "../test/redis.ts";
import { deliverWebhook, WEBHOOK_ENV } from "../test/webhook-client.ts";
import { change, envelope, inbound } from "../test/webhook-fixtures.ts";

let redis: Awaited<ReturnType<typeof startRedis>>;
let instanceA: TestServer;
let instanceB: TestServer;

beforeAll(async () => {
  redis = await startRedis();
  instanceA = await startTestServer({ ...WEBHOOK_ENV, REDIS_URL: redis.url });
  // The second instance shares the first one's database, as instances behind a load balancer do.
  instanceB = await startTestServer({ ...WEBHOOK_ENV, REDIS_URL: redis.url, DATABASE_URL: instanceA.app.config.DATABASE_URL });
});
afterAll(async () => {
  await instanceB?.stop();
  await instanceA?.stop();
  await redis?.stop();
});

describe("live events across instances through Redis", () => {
  it("pushes a webhook received by instance A to a subscriber connected to instance B within a second", async () => {
    const client = createClient({
      url: instanceB.url.replace(/^http/, "ws") + "/graphql",
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${ADMIN_API_TOKEN}` },
      retryAttempts: 0,
    });
    try {
      const received = new Promise<{ messageAdded: { text: string } }>((resolve, reject) =>
        client.subscribe<{ messageAdded: { text: string } }>(
          { query: "subscription { messageAdded { text } }" },
          { next: (result) => resolve(result.data!), error: reject, complete: () => {} },
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      const started = performance.now();
      const answer = await deliverWebhook(instanceA, envelope(change({ messages: [inbound({ type: "text", text: { body: "via Redis" } })] })));
      expect(answer.status).toBe(200);
      expect((await received).messageAdded.text).toBe("via Redis");
      expect(performance.now() - started).toBeLessThan(1000);
    } finally {
      await client.dispose();
    }
  });
});
