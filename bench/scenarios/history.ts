/**
 * Scenario 9 — coexistence history import (issue 19). A WhatsApp Business app history in Meta's
 * `history` webhooks (phases, chunks out of order, media placeholders; the simulator's own
 * generator) is posted signed to the product while a live customer writes one message per POST.
 * Figures: messages stored per second from the first chunk posted to the last message imported;
 * the live webhooks' ack latency during the import (median: Meta's 250 ms) and before it (the
 * baseline); the product's RSS after full GCs, before and after the import (flat memory: no
 * history held in memory once imported).
 * Baseline for the rate: the same number of message rows inserted with the raw SQLite driver in
 * transactions of 1,000, into a database migrated alike — the floor of any import.
 */
import { createClient } from "@libsql/client";
import { historyPayloads } from "../../server/simulator/coexistence.ts";
import { signPayload } from "../../server/whatsapp/signature.ts";
import { ADMIN_API_TOKEN, APP_SECRET, BUSINESS_ACCOUNT_ID, DISPLAY_PHONE_NUMBER, PHONE_NUMBER_ID, seededConversationId, sqliteDate, WORKSPACE_ID } from "../fixtures.ts";
import { collectGarbage, makeWorkdir, sleep } from "../processes.ts";
import { PRODUCT_DATABASE_FILE, startProductServer } from "../product-server.ts";
import { seedDatabase } from "../seed.ts";
import { percentile } from "../stats.ts";
import type { Scenario } from "./context.ts";

const NUMBER = { businessAccountId: BUSINESS_ACCOUNT_ID, phoneNumberId: PHONE_NUMBER_ID, displayPhoneNumber: DISPLAY_PHONE_NUMBER };
/** Live one-message webhooks during the import, one after another: a busy shop's phone. */
const LIVE_GAP_MS = 50;

export const historyScenario: Scenario = async (context) => {
  const { messages, threads, chunkSize } = context.sizes.history;
  const imported: number[] = [];
  const floor: number[] = [];
  const liveDuring: number[] = [];
  const liveBefore: number[] = [];
  const rssGrowthKb: number[] = [];
  const raw: unknown[] = [];
  // Each run imports the whole history into a fresh server: three are enough for a median.
  const runs = Math.min(context.sizes.runs, 3);
  for (let run = 0; run < runs; run++) {
    const work = makeWorkdir(`history-${run}`);
    try {
      await seedDatabase(`file:${work.dir}/${PRODUCT_DATABASE_FILE}`, { conversations: 10, messages: 100 });
      const product = await startProductServer({ name: "history", dir: work.dir, profileDir: context.profileDir, gcOnSignal: true, env: { HISTORY_IMPORT_BATCH_SIZE: String(context.sizes.history.batchSize) } });
      context.addProfile(product);
      try {
        const post = async (payload: unknown) => {
          const body = JSON.stringify(payload);
          const started = performance.now();
          const response = await fetch(`${product.url}/api/whatsapp/webhook`, {
            method: "POST",
            headers: { "content-type": "application/json", "x-hub-signature-256": signPayload(body, APP_SECRET) },
            body,
          });
          await response.arrayBuffer();
          if (response.status !== 200) throw new Error(`The webhook answered ${response.status}`);
          return performance.now() - started;
        };
        const live = { stop: false, latencies: [] as number[], sequence: 0 };
        const liveLoop = async (into: number[]) => {
          while (!live.stop) {
            const id = `wamid.bench.live.${run}.${++live.sequence}`;
            into.push(
              await post({
                object: "whatsapp_business_account",
                entry: [{ id: BUSINESS_ACCOUNT_ID, changes: [{ field: "messages", value: { messaging_product: "whatsapp", metadata: { display_phone_number: DISPLAY_PHONE_NUMBER, phone_number_id: PHONE_NUMBER_ID }, contacts: [{ profile: { name: "Live customer" }, wa_id: "919811199999" }], messages: [{ from: "919811199999", id, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: "Is the shop open today?" } }] } }] }],
              }),
            );
            await sleep(LIVE_GAP_MS);
          }
        };
        // The baseline of the live path: the same load before any history arrives.
        const before: number[] = [];
        const warm = liveLoop(before);
        await sleep(2_000);
        live.stop = true;
        await warm;
        live.stop = false;

        // Live memory (after full GCs) before and after: what the import keeps, not what V8 has yet to collect.
        await collectGarbage(product.pid);
        const rssAtStart = product.rssKb();
        let rssPeak = rssAtStart;
        const during: number[] = [];
        const liveRun = liveLoop(during);
        const started = performance.now();
        let webhooks = 0;
        const noMedia = () => ({ id: "0", sha256: "" });
        const perThread = Math.ceil(messages / threads);
        for (const payload of historyPayloads(NUMBER, { threads, messagesPerThread: perThread, mediaEvery: 20, chunkSize, outOfOrder: true, firstCustomer: `9190${String(run).padStart(2, "0")}0000000` }, noMedia)) {
          await post(payload);
          webhooks++;
          rssPeak = Math.max(rssPeak, product.rssKb());
        }
        const total = threads * perThread;
        const deadline = Date.now() + 600_000;
        // Watched in the database, not through historyImport: its counts are real queries, which
        // asked for often would slow what they measure. The figures are checked once at the end.
        const database = createClient({ url: product.databaseUrl });
        try {
          for (;;) {
            const waiting = await database.execute(`SELECT COUNT(*) AS n FROM "HistoryChunk" WHERE "importedAt" IS NULL`);
            rssPeak = Math.max(rssPeak, product.rssKb());
            if (Number(waiting.rows[0]!.n) === 0) break;
            if (Date.now() > deadline) throw new Error("History import incomplete after 10 min");
            await sleep(100);
          }
        } finally {
          database.close();
        }
        const elapsedMs = performance.now() - started;
        const state = await importState(product.url);
        if (state?.messages !== total) throw new Error(`Imported ${state?.messages} messages of ${total}`);
        live.stop = true;
        await liveRun;
        await collectGarbage(product.pid);
        const rssAfter = product.rssKb();
        imported.push(total / (elapsedMs / 1000));
        liveDuring.push(percentile(during, 50));
        liveBefore.push(percentile(before, 50));
        rssGrowthKb.push(rssAfter - rssAtStart);
        raw.push({ run, total, webhooks, elapsedMs, liveDuring: { p50: percentile(during, 50), p99: percentile(during, 99), count: during.length }, liveBefore: { p50: percentile(before, 50), count: before.length }, rssAtStart, rssPeak, rssAfter });
        context.log(
          `history: run ${run + 1}/${runs}: ${total} messages in ${webhooks} webhooks, ${Math.round(imported.at(-1)!)} msg/s; ` +
            `live ack p50 ${liveDuring.at(-1)!.toFixed(1)} ms during (${liveBefore.at(-1)!.toFixed(1)} ms before), RSS after GC +${Math.round(rssGrowthKb.at(-1)! / 1024)} MB (peak +${Math.round((rssPeak - rssAtStart) / 1024)} MB)`,
        );
      } finally {
        await product.stop();
      }
      floor.push(await rawBulkInsert(`file:${work.dir}/floor.db`, threads * Math.ceil(messages / threads)));
      context.log(`history: raw bulk insert ${Math.round(floor.at(-1)!)} rows/s`);
    } finally {
      work.remove();
    }
  }
  context.addFigure({
    scenario: "9 history import",
    figure: `messages imported/s, ${messages.toLocaleString("en")} messages`,
    unit: "msg/s",
    runs: imported,
    baseline: { label: "raw bulk insert", runs: floor },
    target: { op: ">=", value: 5_000 },
  });
  context.addFigure({
    scenario: "9 history import",
    figure: "live one-message ack p50 during the import",
    unit: "ms",
    runs: liveDuring,
    baseline: { label: "before the import", runs: liveBefore },
    target: { op: "<=", value: 250 },
  });
  context.addFigure({ scenario: "9 history import", figure: "product RSS after GC, growth over the import", unit: "KB", runs: rssGrowthKb, target: { op: "<=", value: 64 * 1024 } });
  context.addRaw({ messages, threads, chunkSize, runs: raw });
};

async function importState(url: string): Promise<{ messages: number; chunksWaiting: number } | null> {
  const response = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_API_TOKEN}` },
    body: JSON.stringify({ query: `query($id: String!) { historyImport(phoneNumberId: $id) { messages chunksWaiting } }`, variables: { id: PHONE_NUMBER_ID } }),
  });
  const body = (await response.json()) as { data?: { historyImport: { messages: number; chunksWaiting: number } | null } };
  return body.data?.historyImport ?? null;
}

/** The floor: message rows of the product's shape, 1,000 per transaction, in one multi-row INSERT each. */
async function rawBulkInsert(databaseUrl: string, count: number): Promise<number> {
  await seedDatabase(databaseUrl, { conversations: 1, messages: 0 });
  const client = createClient({ url: databaseUrl });
  try {
    const now = sqliteDate(Date.now());
    const conversationId = seededConversationId(0);
    const started = performance.now();
    const perStatement = 1_000;
    for (let start = 0; start < count; start += perStatement) {
      const rows = Math.min(perStatement, count - start);
      const args: Array<string | number> = [];
      for (let index = 0; index < rows; index++) args.push(`ffloor${start + index}`, WORKSPACE_ID, conversationId, `wamid.floor.${start + index}`, `Message ${start + index}`, `Message ${start + index}`, now, now, now);
      await client.batch(
        [
          {
            sql: `INSERT INTO "WhatsAppMessage" ("id", "workspaceId", "conversationId", "wamid", "direction", "type", "text", "preview", "status", "timestamp", "createdAt", "updatedAt")
              VALUES ${Array.from({ length: rows }, () => `(?, ?, ?, ?, 'INBOUND', 'text', ?, ?, 'RECEIVED', ?, ?, ?)`).join(", ")}`,
            args,
          },
        ],
        "write",
      );
    }
    return count / ((performance.now() - started) / 1000);
  } finally {
    client.close();
  }
}
