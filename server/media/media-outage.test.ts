// When the Cloud API cannot be reached at all, every due download would fail the same way: the
// worker tries one batch and rests, instead of spending the thread (and each download's attempts)
// on all of them in turn — what a Meta outage, or a server without a route to Meta, looks like.
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../tests/support/harness.ts";
import { eventually } from "../tests/support/eventually.ts";
import { deliverWebhook, WEBHOOK_ENV } from "../tests/support/webhook-client.ts";
import { change, envelope, inbound } from "../tests/support/webhook-fixtures.ts";

let server: TestServer;
beforeAll(async () => {
  // Nothing listens on port 9; the first rest then lasts 30–60 s, longer than this test.
  server = await startTestServer({ ...WEBHOOK_ENV, WHATSAPP_API_BASE_URL: "http://127.0.0.1:9", MEDIA_RETRY_BASE_MS: "60000" });
});
afterAll(() => server?.stop());

it("tries one batch of downloads while the Cloud API cannot be reached, then rests, leaving the others untried", async () => {
  const images = Array.from({ length: 12 }, (_, index) => inbound({ type: "image", image: { id: `media-${index}`, mime_type: "image/jpeg" } }));
  expect((await deliverWebhook(server, envelope(change({ messages: images })))).status).toBe(200);

  await eventually(() => server.logs.some((line) => String(line.msg).startsWith("The Cloud API cannot be reached: media downloads rest")), "the worker to rest", 10_000);
  const rows = await server.app.db.whatsAppMessage.findMany({ where: { type: "image" }, select: { mediaState: true, mediaAttempts: true, mediaError: true } });
  const tried = rows.filter((row) => row.mediaAttempts > 0);
  expect(tried).toHaveLength(4);
  for (const row of tried) expect(row).toMatchObject({ mediaState: "PENDING", mediaAttempts: 1, mediaError: "Could not reach the Cloud API" });
  expect(rows.filter((row) => row.mediaAttempts === 0 && row.mediaState === "PENDING")).toHaveLength(8);
});
