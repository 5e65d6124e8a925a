/**
 * Scenario 1 — webhook ingest. Signed, realistic deliveries at rising concurrency against the
 * product and the floor, alternately, in the same run, in two shapes: batches (1–20 items: texts,
 * media, locations, statuses; several customers) and one message per delivery, which is how Meta
 * sends most of them. Figures: messages durably stored per second, ack latency p50/p99. After every
 * run each acknowledged wamid must be in the database: a lost one fails it.
 */
import { createClient } from "@libsql/client";
import { customerWaId } from "../fixtures.ts";
import { startFloorServer, FLOOR_DATABASE_FILE } from "../floor.ts";
import { startRpcChild } from "../load/ipc.ts";
import type { WebhookLoadApi, WebhookLoadResult } from "../load/webhook-load.ts";
import { makeWorkdir, waitForQuiet } from "../processes.ts";
import { PRODUCT_DATABASE_FILE, startProductServer, type ServerUnderTest } from "../product-server.ts";
import { seedDatabase } from "../seed.ts";
import { median, percentile, round, summarize, type LatencySummary } from "../stats.ts";
import type { Scenario } from "./context.ts";
import { deliveryStepsSection, type TimedRuns } from "./delivery-steps.ts";

/** Bodies are prepared before a run: enough for this many POSTs a second (then the run just ends early). */
const FIRST_RUN_POSTS_PER_SECOND = 2_500;

const WARM_UP_MS = 2_000;

/** Acknowledged wamids missing from the database: must be none. */
async function missingWamids(databaseUrl: string, runTag: string, acked: string[]): Promise<number> {
  const client = createClient({ url: databaseUrl });
  try {
    const prefix = `wamid.bench.${runTag}.`;
    const result = await client.execute({ sql: `SELECT wamid FROM "WhatsAppMessage" WHERE wamid >= ? AND wamid < ?`, args: [prefix, `${prefix.slice(0, -1)}/`] });
    const stored = new Set(result.rows.map((row) => String(row.wamid)));
    return acked.filter((wamid) => !stored.has(wamid)).length;
  } finally {
    client.close();
  }
}

/** What a delivery holds. Figures of the batch shape keep their historical names. */
const SHAPES = [
  { name: "batches", figurePrefix: "", minItems: 1, maxItems: 20, statusShare: 0.15, ratioTargets: { default: 0.5 } },
  // Meta's usual shape. Issue 16: at least the floor at concurrency 32, half of it at concurrency 1.
  { name: "one message", figurePrefix: "one-message deliveries: ", minItems: 1, maxItems: 1, statusShare: 0, ratioTargets: { default: 0.5, 32: 1 } },
] as const;
type Shape = (typeof SHAPES)[number];

interface RunRecord {
  shape: Shape["name"];
  target: "product" | "floor";
  concurrency: number;
  run: number;
  messagesPerSecond: number;
  p50: number;
  p99: number;
  lost: number;
  refused: Record<string, number>;
  load: Omit<WebhookLoadResult, "ackedWamids" | "latenciesMs"> & { ackedMessages: number; latency: LatencySummary; latenciesMs: number[] };
}

export const ingestScenario: Scenario = async (context) => {
  const { sizes } = context;
  const plan = sizes.ingest;
  const work = makeWorkdir("ingest");
  const seed = { conversations: 20, customerGroup: 9_999, messages: 0, sentOutbound: plan.sentOutbound };
  context.log(`ingest: seeding ${plan.sentOutbound} sent messages (status targets) into both databases`);
  const [seeded] = await Promise.all([
    seedDatabase(`file:${work.dir}/${PRODUCT_DATABASE_FILE}`, seed),
    seedDatabase(`file:${work.dir}/${FLOOR_DATABASE_FILE}`, seed),
  ]);
  const [product, floor] = await Promise.all([
    startProductServer({ name: "ingest", dir: work.dir, profileDir: context.profileDir, stepTiming: true }),
    startFloorServer(work.dir),
  ]);
  context.addProfile(product);
  const load = await startRpcChild<WebhookLoadApi>("webhook load generator", "bench/load/webhook-load.ts");
  const records: RunRecord[] = [];
  /** The one-message shape's steps, per concurrency (product only). */
  const timed: TimedRuns[] = [];
  const postsPerSecond = new Map<string, number>();
  let group = 0;
  const planFor = (runTag: string, seed: number, customerGroup: number, shape: Shape = SHAPES[0]) => ({
    runTag,
    seed,
    customers: Array.from({ length: plan.customersPerRun }, (_, index) => customerWaId(customerGroup, index)),
    statusTargets: seeded.sentOutboundWamids,
    minItems: shape.minItems,
    maxItems: shape.maxItems,
    statusShare: shape.statusShare,
  });
  try {
    // Unrecorded: both servers' code is compiled and optimised by the JIT before the first figure.
    for (const target of [product, floor]) {
      const concurrency = Math.max(...plan.concurrency);
      await load.call(
        "run",
        { url: `${target.url}/api/whatsapp/webhook`, plan: planFor(`${target.label}-warmup`, 1, ++group), concurrency, durationMs: WARM_UP_MS, maxRequests: Math.ceil((FIRST_RUN_POSTS_PER_SECOND * WARM_UP_MS) / 1000) },
        WARM_UP_MS + 180_000,
      );
    }
    const cases = SHAPES.flatMap((shape) => plan.concurrency.map((concurrency) => [shape, concurrency] as const));
    for (const [shape, concurrency] of cases) {
      for (let run = 0; run < sizes.runs; run++) {
        // Alternate who goes first, so that neither always inherits the other's aftermath.
        const order: ServerUnderTest[] = run % 2 === 0 ? [product, floor] : [floor, product];
        for (const target of order) {
          await waitForQuiet(target.pid);
          const runTag = `${target.label}-${shape.maxItems}-c${concurrency}-r${run}`;
          const key = `${target.label}-${shape.name}-${concurrency}`;
          const customerGroup = ++group;
          const timing = target === product && shape.maxItems === 1 ? product.stepTimings : null;
          await timing?.reset();
          const budget = postsPerSecond.has(key)
            ? Math.ceil(postsPerSecond.get(key)! * 2 * (plan.durationMs / 1000)) + 100
            : Math.ceil(FIRST_RUN_POSTS_PER_SECOND * (plan.durationMs / 1000));
          const result = await load.call(
            "run",
            {
              url: `${target.url}/api/whatsapp/webhook`,
              // Fresh customers every run: conversations (and their mirror files) start empty each time.
              plan: planFor(runTag, 7 + run * 1_000 + concurrency, customerGroup, shape),
              concurrency,
              durationMs: plan.durationMs,
              maxRequests: budget,
            },
            plan.durationMs + 180_000,
          );
          postsPerSecond.set(key, result.requests / (result.elapsedMs / 1000));
          if (timing) {
            let entry = timed.find((candidate) => candidate.concurrency === concurrency);
            if (!entry) timed.push((entry = { concurrency, timings: [], ackP50s: [] }));
            entry.timings.push(await timing.take());
            entry.ackP50s.push(percentile(result.latenciesMs, 50));
          }
          const lost = await missingWamids(target.databaseUrl, runTag, result.ackedWamids);
          const record: RunRecord = {
            shape: shape.name,
            target: target.label,
            concurrency,
            run,
            messagesPerSecond: result.ackedWamids.length / (result.elapsedMs / 1000),
            p50: percentile(result.latenciesMs, 50),
            p99: percentile(result.latenciesMs, 99),
            lost,
            refused: result.refused,
            load: {
              elapsedMs: round(result.elapsedMs),
              startedAtEpochMs: result.startedAtEpochMs,
              requests: result.requests,
              ackedMessages: result.ackedWamids.length,
              ackedStatuses: result.ackedStatuses,
              refused: result.refused,
              unackedMessages: result.unackedMessages,
              latency: summarize(result.latenciesMs),
              latenciesMs: result.latenciesMs.map((value) => round(value)),
            },
          };
          records.push(record);
          context.log(
            `ingest (${shape.name}): ${target.label} c=${concurrency} run ${run + 1}/${sizes.runs}: ${Math.round(record.messagesPerSecond)} msg/s, ` +
              `p50 ${record.p50.toFixed(1)} ms, p99 ${record.p99.toFixed(1)} ms, ${result.requests} POSTs` +
              `${lost > 0 ? `, ${lost} LOST` : ""}${Object.keys(result.refused).length > 0 ? `, refused ${JSON.stringify(result.refused)}` : ""}`,
          );
        }
      }
      const of = (label: "product" | "floor") =>
        records.filter((entry) => entry.shape === shape.name && entry.target === label && entry.concurrency === concurrency);
      const ratioTargets: Partial<Record<number | "default", number>> = shape.ratioTargets;
      const lost = of("product").reduce((sum, entry) => sum + entry.lost, 0) + of("floor").reduce((sum, entry) => sum + entry.lost, 0);
      const refused = of("product").reduce((sum, entry) => sum + Object.values(entry.refused).reduce((a, b) => a + b, 0), 0);
      const failure = lost > 0 ? `${lost} acknowledged messages not stored` : undefined;
      const note = refused > 0 ? `${refused} POSTs refused` : undefined;
      context.addFigure({
        scenario: "1 webhook ingest",
        figure: `${shape.figurePrefix}messages stored/s, concurrency ${concurrency}`,
        unit: "msg/s",
        runs: of("product").map((entry) => entry.messagesPerSecond),
        baseline: { label: "floor", runs: of("floor").map((entry) => entry.messagesPerSecond) },
        target: { op: ">=", value: 2_000 },
        ratioTarget: { op: ">=", value: ratioTargets[concurrency] ?? ratioTargets.default! },
        failure,
        note,
      });
      context.addFigure({
        scenario: "1 webhook ingest",
        figure: `${shape.figurePrefix}ack latency p50, concurrency ${concurrency}`,
        unit: "ms",
        runs: of("product").map((entry) => entry.p50),
        baseline: { label: "floor", runs: of("floor").map((entry) => entry.p50) },
        failure,
      });
      context.addFigure({
        scenario: "1 webhook ingest",
        figure: `${shape.figurePrefix}ack latency p99, concurrency ${concurrency}`,
        unit: "ms",
        runs: of("product").map((entry) => entry.p99),
        baseline: { label: "floor", runs: of("floor").map((entry) => entry.p99) },
        target: { op: "<=", value: 50 },
        failure,
      });
    }
    if (timed.length > 0) context.addSection(deliveryStepsSection("One-message deliveries, the product: where a POST's time goes", timed));
  } finally {
    context.addRaw({
      items: "batches: 1–20 per POST, 15 % statuses; one message: 1 per POST, no statuses; messages: 65 % text, 15 % image, 8 % document, 7 % voice, 5 % location",
      runs: records,
      steps: timed.map(({ concurrency, timings }) => ({
        concurrency,
        runs: timings.map(({ deliveries, background, busyMs, cpuMs, elapsedMs }) => ({
          deliveries: deliveries.length,
          busyMs,
          cpuMs,
          elapsedMs,
          background: Object.fromEntries(Object.entries(background).map(([job, times]) => [job, { count: times.length, medianMs: median(times) }])),
        })),
      })),
    });
    await load.stop();
    await floor.stop();
    await product.stop();
    work.remove();
  }
};
