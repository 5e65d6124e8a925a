/**
 * Scenario 2 — push latency. K graphql-ws subscribers (`messageAdded { id text }`, authenticated with
 * the API token) spread over generator processes; one customer text POSTed to the webhook; per
 * subscriber, the time from the POST to the event. Per round: p50, p99 and max over the K; figures
 * are the median round. Baseline: the floor, which pushes the same event with one serialisation.
 */
import { MESSAGE_ADDED_SUBSCRIPTION } from "../load/documents.ts";
import { waitForQuiet } from "../processes.ts";
import type { ServerUnderTest } from "../product-server.ts";
import type { Target } from "../report.ts";
import { max, percentile, round } from "../stats.ts";
import type { Scenario } from "./context.ts";
import { startSubscriberPool } from "./subscriber-pool.ts";

const ROUND_TIMEOUT_MS = 30_000;

interface Round {
  p50: number;
  p99: number;
  max: number;
  missing: number;
}

export const pushScenario: Scenario = async (context) => {
  const { sizes } = context;
  const live = await context.liveServers();
  const largest = Math.max(...sizes.push.subscribers);
  const pool = await startSubscriberPool(Math.ceil(largest / sizes.push.subscribersPerProcess));
  const raw: unknown[] = [];
  try {
    for (const [index, count] of sizes.push.subscribers.entries()) {
      const rounds: Record<ServerUnderTest["label"], Round[]> = { product: [], floor: [] };
      const failures: string[] = [];
      for (const target of index % 2 === 0 ? [live.product, live.floor] : [live.floor, live.product]) {
        await waitForQuiet(target.pid);
        const connection = await pool.connect(target, count, MESSAGE_ADDED_SUBSCRIPTION);
        if (connection.failed > 0) failures.push(`${target.label}: ${connection.failed} of ${count} could not subscribe (${connection.firstError})`);
        context.log(`push: ${target.label} K=${count}: ${connection.connected} subscribed in ${Math.round(connection.elapsedMs)} ms`);
        // Warm-up (not measured): every subscription is live once this reached them all.
        const warm = `bench-push-warmup-${target.label}-${count}`;
        const warmUp = await pool.deliver(target, live.customerWaId, warm);
        const warmMissing = (await pool.latencies(warm, warmUp.sentAt, 60_000)).filter((value) => Number.isNaN(value)).length;
        if (warmMissing > 0) failures.push(`${target.label}: ${warmMissing} of ${count} subscribers never got the warm-up event`);
        for (let attempt = 0; attempt < sizes.runs; attempt++) {
          await waitForQuiet(target.pid);
          const text = `bench-push-${target.label}-${count}-${attempt}`;
          const { sentAt, status } = await pool.deliver(target, live.customerWaId, text);
          if (status !== 200) failures.push(`${target.label}: webhook answered ${status}`);
          const latencies = await pool.latencies(text, sentAt, ROUND_TIMEOUT_MS);
          const missing = latencies.filter((value) => Number.isNaN(value)).length;
          if (missing > 0) failures.push(`${target.label}: ${missing} of ${count} subscribers missed round ${attempt + 1} (${ROUND_TIMEOUT_MS / 1000} s)`);
          const entry = { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: max(latencies), missing };
          rounds[target.label].push(entry);
          raw.push({ target: target.label, subscribers: count, round: attempt, ...entry, latenciesMs: latencies.map((value) => (Number.isNaN(value) ? value : round(value))) });
          context.log(`push: ${target.label} K=${count} round ${attempt + 1}/${sizes.runs}: p50 ${entry.p50.toFixed(1)} ms, p99 ${entry.p99.toFixed(1)} ms, max ${entry.max.toFixed(1)} ms`);
        }
        await pool.closeAll();
      }
      const targets: Record<"p50" | "p99" | "max", Target | undefined> = {
        p50: undefined,
        p99: count === 1_000 ? { op: "<=", value: 50 } : undefined,
        max: count === 5_000 ? { op: "<=", value: 250 } : undefined,
      };
      for (const statistic of ["p50", "p99", "max"] as const) {
        context.addFigure({
          scenario: "2 push latency",
          figure: `POST → event ${statistic}, K = ${count.toLocaleString("en-US")}`,
          unit: "ms",
          runs: rounds.product.map((entry) => entry[statistic]),
          baseline: { label: "floor", runs: rounds.floor.map((entry) => entry[statistic]) },
          target: targets[statistic],
          failure: failures[0],
        });
      }
    }
  } finally {
    await pool.stop();
    context.addRaw({ rounds: raw });
  }
};
