/**
 * Scenario 6 — outbound. N QUEUED outbound rows (the outbox's own shape: as Meta's busy answers
 * leave them) written straight into the running product's database; the outbox drains them to our
 * Cloud API simulator (its own process; throughput limit set out of the way, statuses dropped so that
 * only the outbox is measured). Achieved rate = arrivals at the simulator per second, first to last;
 * baseline: the configured WHATSAPP_SEND_RATE_PER_SECOND. Every message must arrive exactly once.
 * Each run writes to customers of its own: a conversation's size changes the cost of every send
 * (the product rewrites the conversation's file after each one), so runs would not be alike.
 */
import { createClient, type InStatement } from "@libsql/client";
import { BUSINESS_ACCOUNT_ID, customerWaId, APP_SECRET, PHONE_NUMBER_ID, sqliteDate, WHATSAPP_TOKEN, WORKSPACE_ID } from "../fixtures.ts";
import { makeWorkdir, startNodeChild, until, waitForOutput, waitForQuiet, type NodeChild } from "../processes.ts";
import { PRODUCT_DATABASE_FILE, startProductServer, type ProductServer } from "../product-server.ts";
import { seedDatabase } from "../seed.ts";
import type { Scenario } from "./context.ts";

/** Customers per run. */
const CUSTOMERS = 5;
const CUSTOMER_GROUP = 900;

export async function startSimulator() {
  const child = startNodeChild({
    name: "Cloud API simulator",
    script: "server/simulator/main.ts",
    env: {
      SIMULATOR_PORT: "0",
      SIMULATOR_HOST: "127.0.0.1",
      SIMULATOR_WEBHOOK_URL: "http://127.0.0.1:9/not-started-yet",
      WHATSAPP_TOKEN,
      WHATSAPP_PHONE_ID: PHONE_NUMBER_ID,
      WHATSAPP_BUSINESS_ACCOUNT_ID: BUSINESS_ACCOUNT_ID,
      WHATSAPP_APP_SECRET: APP_SECRET,
    },
  });
  const [, url] = await waitForOutput(child, /listening on (http:\/\/\S+)/, 60_000);
  return { child, url: url! };
}

export async function control<T>(simulatorUrl: string, method: string, route: string, body?: unknown): Promise<T> {
  const response = await fetch(`${simulatorUrl}/_simulator${route}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`Simulator ${method} ${route}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** The most arrivals in any one-second window. */
export function busiestSecond(arrivals: number[]): number {
  let best = 0;
  for (let first = 0, last = 0; last < arrivals.length; last++) {
    while (arrivals[last]! - arrivals[first]! >= 1_000) first++;
    best = Math.max(best, last - first + 1);
  }
  return best;
}

/** `count` QUEUED rows, spread over `conversations` (seeded conversation indexes, whose customers are customerWaId(CUSTOMER_GROUP, index)). */
async function queue(product: ProductServer, conversationIds: string[], conversations: number[], tag: string, count: number) {
  const client = createClient({ url: product.databaseUrl });
  try {
    await client.execute("PRAGMA busy_timeout = 5000");
    const now = sqliteDate(Date.now());
    const statements: InStatement[] = Array.from({ length: count }, (_, index) => {
      const conversation = conversations[index % conversations.length]!;
      const body = `${tag}${index}`;
      return {
        sql: `INSERT INTO "WhatsAppMessage" (id, workspaceId, conversationId, businessPhoneNumberId, direction, type, text, preview, status, attempts, nextAttemptAt, raw, timestamp, createdAt, updatedAt)
              VALUES (?, ?, ?, ?, 'OUTBOUND', 'text', ?, ?, 'QUEUED', 1, ?, ?, ?, ?, ?)`,
        args: [`q${tag}${index}`, WORKSPACE_ID, conversationIds[conversation]!, PHONE_NUMBER_ID, body, body, now, JSON.stringify({ type: "text", to: customerWaId(CUSTOMER_GROUP, conversation), body }), now, now, now],
      };
    });
    await client.batch(statements, "write");
  } finally {
    client.close();
  }
}

async function countByStatus(databaseUrl: string, tag: string): Promise<Record<string, number>> {
  const client = createClient({ url: databaseUrl });
  try {
    const result = await client.execute({ sql: `SELECT status, count(*) AS n FROM "WhatsAppMessage" WHERE text >= ? AND text < ? GROUP BY status`, args: [tag, `${tag}~`] });
    return Object.fromEntries(result.rows.map((row) => [String(row.status), Number(row.n)]));
  } finally {
    client.close();
  }
}

export const outboundScenario: Scenario = async (context) => {
  const { sizes } = context;
  const simulator = await startSimulator();
  const raw: unknown[] = [];
  let product: ProductServer | null = null;
  let simulatorChild: NodeChild | null = simulator.child;
  try {
    await control(simulator.url, "POST", "/settings", { messagesPerSecond: 1_000_000, statusMode: "drop" });
    const customers = CUSTOMERS * sizes.runs;
    for (let index = 0; index < customers; index++) await control(simulator.url, "POST", `/customers/${customerWaId(CUSTOMER_GROUP, index)}`, { lastInboundHoursAgo: 0 });

    for (const rate of sizes.outbound.rates) {
      const count = sizes.outbound.messagesPerRate[rate] ?? rate * 5;
      const work = makeWorkdir(`outbound-${rate}`);
      const seeded = await seedDatabase(`file:${work.dir}/${PRODUCT_DATABASE_FILE}`, { conversations: customers, customerGroup: CUSTOMER_GROUP, messages: 0 });
      product = await startProductServer({
        name: `outbound-${rate}`,
        dir: work.dir,
        profileDir: context.profileDir,
        env: { WHATSAPP_API_BASE_URL: simulator.url, WHATSAPP_SEND_RATE_PER_SECOND: String(rate) },
      });
      context.addProfile(product);
      await control(simulator.url, "POST", "/settings", { webhookUrl: `${product.url}/api/whatsapp/webhook` });
      const achieved: number[] = [];
      const busiest: number[] = [];
      const failures: string[] = [];
      for (let run = 0; run < sizes.runs; run++) {
        await waitForQuiet(product.pid);
        const tag = `bench-out-${rate}-r${run}-`;
        const queuedAt = Date.now();
        const ofThisRun = Array.from({ length: CUSTOMERS }, (_, index) => run * CUSTOMERS + index);
        await queue(product, seeded.conversationIds, ofThisRun, tag, count);
        // Bounded, yet generous enough for a product far below its limit: slowness is measured, not failed.
        const drainTimeoutMs = Math.max((count / rate) * 10_000, count * 100) + 60_000;
        const databaseUrl = product.databaseUrl;
        const drained = await until(async () => {
          const counts = await countByStatus(databaseUrl, tag);
          return (counts.QUEUED ?? 0) + (counts.PENDING ?? 0) === 0;
        }, drainTimeoutMs, 100);
        const statuses = await countByStatus(databaseUrl, tag);
        const { messages } = await control<{ messages: Array<{ body: string | null; atMs: number }> }>(simulator.url, "GET", "/messages");
        const ours = messages.filter((message) => message.body?.startsWith(tag));
        const arrivals = ours.map((message) => message.atMs).sort((a, b) => a - b);
        const unique = new Set(ours.map((message) => message.body)).size;
        const duplicates = ours.length - unique;
        const lost = count - unique;
        const rateAchieved = arrivals.length > 1 ? ((arrivals.length - 1) * 1_000) / (arrivals.at(-1)! - arrivals[0]!) : Number.NaN;
        achieved.push(rateAchieved);
        busiest.push(busiestSecond(arrivals));
        if (!drained) {
          failures.push(`not drained within ${Math.round(drainTimeoutMs / 1000)} s`);
          context.log(`outbound: the product's last output:\n${product.process.output().slice(-4_000)}`);
        }
        if (duplicates > 0) failures.push(`${duplicates} sent twice`);
        if (lost > 0) failures.push(`${lost} never reached Meta`);
        if ((statuses.FAILED ?? 0) > 0) failures.push(`${statuses.FAILED} FAILED`);
        const record = {
          rate,
          run,
          queued: count,
          arrived: ours.length,
          duplicates,
          lost,
          statuses,
          achievedPerSecond: rateAchieved,
          busiestSecond: busiest.at(-1),
          firstArrivalAfterQueuedMs: arrivals.length > 0 ? arrivals[0]! - queuedAt : null,
          drainMs: arrivals.length > 0 ? arrivals.at(-1)! - queuedAt : null,
        };
        raw.push(record);
        context.log(
          `outbound: limit ${rate}/s run ${run + 1}/${sizes.runs}: ${ours.length}/${count} arrived, ${rateAchieved.toFixed(1)}/s, busiest second ${record.busiestSecond}, ` +
            `first after ${record.firstArrivalAfterQueuedMs} ms, duplicates ${duplicates}, statuses ${JSON.stringify(statuses)}`,
        );
      }
      context.addFigure({
        scenario: "6 outbound",
        figure: `achieved send rate, limit ${rate}/s`,
        unit: "sends/s",
        runs: achieved,
        baseline: { label: "limit", runs: [rate] },
        ratioTarget: { op: "between", low: 0.95, high: 1.05 },
        failure: failures[0],
        note: `${count.toLocaleString("en-US")} queued`,
      });
      context.addFigure({
        scenario: "6 outbound",
        figure: `busiest second at Meta, limit ${rate}/s`,
        unit: "sends/s",
        runs: busiest,
        baseline: { label: "limit", runs: [rate] },
        target: { op: "<=", value: rate },
        failure: failures[0],
      });
      await product.stop();
      product = null;
      work.remove();
    }
  } finally {
    context.addRaw({ statusesDropped: true, runs: raw });
    await product?.stop();
    await simulatorChild?.stop();
    simulatorChild = null;
  }
};
