import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Database } from "../../db/client.ts";
import { UNKNOWN_OUTCOME_TITLE } from "../../inbox/outbox.ts";
import { ADMIN_API_TOKEN } from "../support/harness.ts";
import { startPostgres, type TestPostgres } from "../support/postgres.ts";
import { startRedis } from "../support/redis.ts";
import { serverEnvironment, startServerProcess, type ServerProcess } from "../support/server-process.ts";
import { eventually, SIMULATOR_TOKEN, startSimulatorProcess } from "../support/simulated-whatsapp.ts";
import { TEST_PHONE_NUMBER_ID } from "../support/webhook-fixtures.ts";

// A campaign run by three instances of the product sharing PostgreSQL and Redis, one of them killed
// (SIGKILL) while Meta has accepted some of its sends and not yet answered them: no recipient gets
// the template twice, within the rate all instances share. The killed instance's accepted sends
// are named by their status webhooks (biz_opaque_callback_data) and never sent again; the rows it
// had claimed but not sent are taken by the others when their lease ends. A row it had marked
// "attempt started" whose request had not left yet (the kill fell in that instant) cannot be told
// from one Meta took without a status: it fails as "outcome unknown", never sent twice — so every
// recipient Meta never received, and only those, is reported that way.

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
    // Statuses come 2 s after acceptance: a row still without one 10 s after its lease is unknown.
    OUTBOX_UNKNOWN_OUTCOME_GRACE_MS: "10000",
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
  it("sends no recipient twice, within the shared rate, though one instance is killed while sending; reports as unknown only what Meta never received", async () => {
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
    // Meta now takes the next sends at once but answers them 2.5 s later (within the instances'
    // 3 s timeout); their statuses come 2 s after acceptance, after the kill.
    const acceptedBefore = (await meta.control<{ messages: unknown[] }>("GET", "/messages")).messages.length;
    await meta.control("POST", "/settings", { statusDelaysMs: { sent: 2_000, delivered: 2_200, read: 2_400 } });
    await meta.control("POST", "/failures", { kind: "lateAnswer", delayMs: 2_500, count: 20 });
    await eventually(async () => (await meta.control<{ messages: unknown[] }>("GET", "/messages")).messages.length >= acceptedBefore + 8, "Meta to accept sends it has not answered", 15_000);
    // The instance with the most sends Meta has accepted and not answered (the shared pacer scores
    // each unanswered send by its deadline, in the future, and names its process) is killed.
    const pacer = new Redis(redisUrl);
    const [seconds] = await pacer.time();
    const unanswered = await pacer.zrangebyscore(`bharat:send-pacer:${TEST_PHONE_NUMBER_ID}`, `(${Number(seconds) * 1000 + 2_000}`, "+inf");
    await pacer.quit();
    const inFlight = new Map<number, number>();
    for (const member of unanswered) inFlight.set(Number(member.split(":")[0]), (inFlight.get(Number(member.split(":")[0])) ?? 0) + 1);
    const [pid, accepted] = [...inFlight].sort((x, y) => y[1] - x[1])[0] ?? [0, 0];
    const sending = instances.find((instance) => instance.child.pid === pid);
    expect(sending, "an instance waiting for Meta's answers").toBeDefined();
    expect(accepted).toBeGreaterThanOrEqual(1);
    await sending!.kill("SIGKILL");
    // Meta's webhooks go to a live instance (behind a load balancer, any would do).
    const survivor = instances.find((instance) => instance !== sending)!;
    await meta.control("POST", "/settings", { webhookUrl: `${survivor.url}/api/whatsapp/webhook` });
    // The killed instance's claimed rows wait for their lease (60 s) to end, then another instance takes them.
    await eventually(async () => (await db.campaign.findUniqueOrThrow({ where: { id } })).status === "COMPLETED", "the campaign to complete", 150_000);

    const { messages } = await meta.control<{ messages: Array<{ to: string; atMs: number }> }>("GET", "/messages");
    const sent = messages.filter((message) => numbers.includes(message.to));
    const perNumber = new Map<string, number>();
    for (const message of sent) perNumber.set(message.to, (perNumber.get(message.to) ?? 0) + 1);
    expect([...perNumber].filter(([, count]) => count > 1).map(([to]) => to), "recipients sent twice").toEqual([]);
    // The killed instance's accepted sends were recognised by their statuses: none failed as
    // unknown. Only recipients Meta never received did, and each of them did.
    const failed = await db.whatsAppMessage.findMany({ where: { campaignId: id, status: "FAILED" }, select: { errorTitle: true, conversation: { select: { waId: true } } } });
    expect(failed.filter(({ errorTitle }) => errorTitle !== UNKNOWN_OUTCOME_TITLE), "failed for another reason").toEqual([]);
    const neverReceived = numbers.filter((number) => !perNumber.has(number));
    expect(failed.map(({ conversation }) => conversation.waId).sort(), "failed as unknown: exactly the recipients Meta never received").toEqual(neverReceived);
    expect(neverReceived.length, "recipients the kill caught between the mark and the request").toBeLessThan(RECIPIENTS / 10);
    expect(await db.whatsAppMessage.count({ where: { campaignId: id, status: { not: "FAILED" }, OR: [{ wamid: null }, { sendStartedAt: { not: null } }] } })).toBe(0);

    const arrivals = sent.map((message) => message.atMs).sort((x, y) => x - y);
    const busiestSecond = Math.max(...arrivals.map((start) => arrivals.filter((at) => at >= start && at < start + 1000).length));
    expect(busiestSecond).toBeLessThanOrEqual(RATE_PER_SECOND);
  }, 240_000);
});
