import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Database } from "../../db/client.ts";
import { ADMIN_API_TOKEN } from "../support/harness.ts";
import { startPostgres, type TestPostgres } from "../support/postgres.ts";
import { startRedis } from "../support/redis.ts";
import { serverEnvironment, startServerProcess, type ServerProcess } from "../support/server-process.ts";
import { eventually, SIMULATOR_TOKEN, startSimulatorProcess } from "../support/simulated-whatsapp.ts";
import { TEST_PHONE_NUMBER_ID } from "../support/webhook-fixtures.ts";

// A campaign run by three instances of the product sharing PostgreSQL and Redis, the one sending
// killed (SIGKILL) mid-send: every recipient gets the template, within the rate all instances
// share, and only once — but for the sends whose answer died with the killed instance (Meta
// accepted them, the instance never recorded it), which nothing tells of: their rows are taken
// again when their lease ends. (Meta's biz_opaque_callback_data, echoed in status webhooks, could
// tell; not used yet.)

const RECIPIENTS = 300;
const RATE_PER_SECOND = 40;

const dir = mkdtempSync(path.join(tmpdir(), "bharat-campaign-cluster-"));
let meta: Awaited<ReturnType<typeof startSimulatorProcess>>;
let postgres: TestPostgres | null = null;
let redis: Awaited<ReturnType<typeof startRedis>> | null = null;
let instances: ServerProcess[] = [];
let db: Database;
let redisUrl: string;

beforeAll(async () => {
  meta = await startSimulatorProcess("http://127.0.0.1:9/not-started-yet");
  postgres = process.env.TEST_POSTGRES_ADMIN_URL ? null : await startPostgres();
  redis = process.env.TEST_REDIS_URL ? null : await startRedis();
  const adminUrl = process.env.TEST_POSTGRES_ADMIN_URL ?? postgres!.adminUrl;
  const databaseUrl = adminUrl.replace(/\/[^/]*$/, `/campaign_cluster_${Date.now()}`);
  const admin = createDatabase(adminUrl);
  await admin.$executeRawUnsafe(`CREATE DATABASE "${databaseUrl.split("/").at(-1)}"`);
  await admin.$disconnect();
  const shared = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: (redisUrl = process.env.TEST_REDIS_URL ?? redis!.url),
    WHATSAPP_TOKEN: SIMULATOR_TOKEN,
    WHATSAPP_API_BASE_URL: meta.url,
    WHATSAPP_SEND_RATE_PER_SECOND: String(RATE_PER_SECOND),
  };
  // The first one migrates the database; the others start on it.
  instances.push(await startServerProcess(await serverEnvironment(path.join(dir, "a"), shared)));
  instances.push(...(await Promise.all(["b", "c"].map(async (name) => startServerProcess(await serverEnvironment(path.join(dir, name), shared))))));
  await meta.control("POST", "/settings", { webhookUrl: `${instances[0]!.url}/api/whatsapp/webhook`, messagesPerSecond: 10_000 });
  db = createDatabase(databaseUrl);
}, 90_000);

afterAll(async () => {
  for (const instance of instances) await instance.kill("SIGTERM");
  await db?.$disconnect();
  await meta?.stop();
  await redis?.stop();
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function gql(url: string, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_API_TOKEN}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data: Record<string, any>; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return body.data;
}

describe("a campaign run by three instances", () => {
  it("reaches every recipient once, within the shared rate, though one instance is killed while sending", async () => {
    const [a, b] = instances;
    const sync = await gql(a!.url, `mutation { syncWhatsAppTemplates { __typename } }`);
    expect(sync.syncWhatsAppTemplates.__typename).toBe("MutationSyncWhatsAppTemplatesSuccess");
    const workspace = await db.workspace.findFirstOrThrow();
    const label = await db.label.create({ data: { workspaceId: workspace.id, name: "cluster", color: "#25d366" } });
    const numbers = Array.from({ length: RECIPIENTS }, (_, index) => `9198300${String(index).padStart(5, "0")}`);
    await db.contact.createMany({ data: numbers.map((waId, index) => ({ workspaceId: workspace.id, name: `Customer ${index}`, whatsappNumber: `+${waId}` })) });
    const contacts = await db.contact.findMany({ where: { workspaceId: workspace.id }, select: { id: true } });
    await db.contactLabel.createMany({ data: contacts.map((contact) => ({ contactId: contact.id, labelId: label.id })) });

    const created = await gql(b!.url, `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { __typename ... on MutationCreateCampaignSuccess { campaign { id } } } }`, {
      input: { name: "Cluster", templateName: "order_update", languageCode: "en", audience: { labelIds: [label.id] }, bodyParameters: [{ contactField: "firstName" }, { text: "#4711" }] },
    });
    const id = created.createCampaign.campaign.id as string;
    // Started on two instances at once: queued once.
    const starts = await Promise.all([a, b].map((instance) => gql(instance!.url, `mutation($id: ID!) { startCampaign(id: $id) { __typename } }`, { id })));
    expect(starts.map((start) => start.startCampaign.__typename).sort()).toEqual(["CampaignStateError", "MutationStartCampaignSuccess"]);
    expect(await db.whatsAppMessage.count({ where: { campaignId: id } })).toBe(RECIPIENTS);

    await eventually(async () => (await db.whatsAppMessage.count({ where: { campaignId: id, status: { notIn: ["PENDING", "QUEUED"] } } })) >= RECIPIENTS / 4, "a quarter to be sent", 30_000);
    // The instance sending now (the shared pacer names each send's process) is killed, with the rows it claimed.
    const pacer = new Redis(redisUrl);
    const members = await pacer.zrange(`bharat:send-pacer:${TEST_PHONE_NUMBER_ID}`, 0, -1);
    await pacer.quit();
    const senders = new Set(members.map((member) => Number(member.split(":")[0])));
    const sending = instances.find((instance) => senders.has(instance.child.pid!));
    expect(sending, "an instance sending").toBeDefined();
    await sending!.kill("SIGKILL");
    // The killed instance's claimed rows wait for their lease (60 s) to end, then another instance takes them.
    await eventually(async () => (await db.campaign.findUniqueOrThrow({ where: { id } })).status === "COMPLETED", "the campaign to complete", 150_000);

    const { messages } = await meta.control<{ messages: Array<{ to: string; atMs: number }> }>("GET", "/messages");
    const sent = messages.filter((message) => numbers.includes(message.to));
    const perNumber = new Map<string, number>();
    for (const message of sent) perNumber.set(message.to, (perNumber.get(message.to) ?? 0) + 1);
    expect([...perNumber.keys()].sort()).toEqual([...numbers].sort());
    const twice = [...perNumber].filter(([, count]) => count > 1).map(([to]) => to);
    // Only a row whose first attempt died with the instance can have gone twice: it was claimed again.
    for (const waId of twice) {
      const row = await db.whatsAppMessage.findFirstOrThrow({ where: { campaignId: id, raw: { contains: `"to":"${waId}"` } } });
      expect(row.attempts, `+${waId} sent twice`).toBeGreaterThanOrEqual(2);
    }
    // Those are the sends in flight at the kill: a fraction of a second of sending, not more.
    expect(twice.length).toBeLessThanOrEqual(RATE_PER_SECOND / 4);
    expect(await db.whatsAppMessage.count({ where: { campaignId: id, status: "FAILED" } })).toBe(0);

    const arrivals = sent.map((message) => message.atMs).sort((x, y) => x - y);
    const busiestSecond = Math.max(...arrivals.map((start) => arrivals.filter((at) => at >= start && at < start + 1000).length));
    expect(busiestSecond).toBeLessThanOrEqual(RATE_PER_SECOND);
  }, 240_000);
});
