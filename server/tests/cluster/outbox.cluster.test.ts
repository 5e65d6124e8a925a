import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInstances, type Instances } from "../support/instances.ts";
import { eventually, SIMULATOR_TOKEN, startSimulatorProcess } from "../support/simulated-whatsapp.ts";
import { TEST_APP_SECRET, TEST_PHONE_NUMBER_ID, TEST_WABA_ID } from "../support/webhook-fixtures.ts";

const QUEUED = 500;
const RATE_PER_SECOND = 100;
const CUSTOMERS = ["919810000001", "919810000002", "919810000003", "919810000004", "919810000005"];

let meta: Awaited<ReturnType<typeof startSimulatorProcess>>;
let instances: Instances;

beforeAll(async () => {
  meta = await startSimulatorProcess("http://127.0.0.1:9/not-started-yet");
  instances = await startInstances(3, {
    WHATSAPP_TOKEN: SIMULATOR_TOKEN,
    WHATSAPP_PHONE_ID: TEST_PHONE_NUMBER_ID,
    WHATSAPP_BUSINESS_ACCOUNT_ID: TEST_WABA_ID,
    WHATSAPP_APP_SECRET: TEST_APP_SECRET,
    WHATSAPP_API_BASE_URL: meta.url,
    WHATSAPP_SEND_RATE_PER_SECOND: String(RATE_PER_SECOND),
  });
  await meta.control("POST", "/settings", { webhookUrl: `${instances.servers[0]!.url}/api/whatsapp/webhook`, messagesPerSecond: 10_000 });
  for (const waId of CUSTOMERS) await meta.control("POST", `/customers/${waId}`, { lastInboundHoursAgo: 0 });
});
afterAll(async () => {
  await instances?.stop();
  await meta?.stop();
});

describe("the outbox shared by three instances", () => {
  it("sends every one of 500 queued messages exactly once, within the rate limit of all instances together", async () => {
    const { db } = instances.servers[0]!.app;
    const workspace = await db.workspace.findFirstOrThrow();
    const conversations = await Promise.all(
      CUSTOMERS.map((waId) => db.conversation.create({ data: { workspaceId: workspace.id, businessPhoneNumberId: TEST_PHONE_NUMBER_ID, waId, lastInboundAt: new Date() } })),
    );
    // As Meta's busy answers leave them: queued, due now, for whichever instance claims them first.
    await db.whatsAppMessage.createMany({
      data: Array.from({ length: QUEUED }, (_, index) => {
        const conversation = conversations[index % conversations.length]!;
        const body = `queued ${index}`;
        return {
          workspaceId: workspace.id,
          conversationId: conversation.id,
          businessPhoneNumberId: TEST_PHONE_NUMBER_ID,
          direction: "OUTBOUND" as const,
          type: "text",
          text: body,
          preview: body,
          status: "QUEUED" as const,
          attempts: 1,
          nextAttemptAt: new Date(),
          timestamp: new Date(),
          raw: JSON.stringify({ type: "text", to: conversation.waId, body }),
        };
      }),
    });

    await eventually(async () => (await db.whatsAppMessage.count({ where: { status: { in: ["QUEUED", "PENDING"] } } })) === 0, "the outbox to drain", 60_000);

    const { messages } = await meta.control<{ messages: Array<{ body: string; atMs: number }> }>("GET", "/messages");
    const bodies = messages.map((message) => message.body);
    expect(bodies).toHaveLength(QUEUED);
    expect(new Set(bodies).size).toBe(QUEUED);
    expect(await db.whatsAppMessage.count({ where: { status: "FAILED" } })).toBe(0);

    const arrivals = messages.map((message) => message.atMs).sort((a, b) => a - b);
    const busiestSecond = Math.max(...arrivals.map((start) => arrivals.filter((at) => at >= start && at < start + 1000).length));
    expect(busiestSecond).toBeLessThanOrEqual(RATE_PER_SECOND);
  });
});
