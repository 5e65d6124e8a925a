/**
 * Scenario 5 — connections. What each idle, authenticated, subscribed graphql-ws client costs the
 * server in resident memory: VmRSS (/proc/<pid>/status) with K subscribers minus VmRSS just before
 * they connected, divided by K — each run on freshly started servers (full; quick: the first run
 * only), after a warm-up subscriber and two forced full GCs before both readings (so that garbage
 * does not count). Baseline: the floor (a bare `ws` server), measured the same way.
 */
import { MESSAGE_ADDED_SUBSCRIPTION } from "../load/documents.ts";
import { collectGarbage, waitForQuiet } from "../processes.ts";
import type { ServerUnderTest } from "../product-server.ts";
import type { Scenario } from "./context.ts";
import { startSubscriberPool, type SubscriberPool } from "./subscriber-pool.ts";

/** Connects `count` subscribers and proves each is subscribed (not merely connected): one event reaches them all. */
async function subscribeAll(pool: SubscriberPool, target: ServerUnderTest, count: number, customer: string, text: string) {
  const connection = await pool.connect(target, count, MESSAGE_ADDED_SUBSCRIPTION);
  const { sentAt, status } = await pool.deliver(target, customer, text);
  const missing = (await pool.latencies(text, sentAt, 60_000)).filter((value) => Number.isNaN(value)).length;
  const problem =
    connection.failed > 0 ? `${target.label}: ${connection.failed} of ${count} could not subscribe (${connection.firstError})`
    : status !== 200 || missing > 0 ? `${target.label}: webhook ${status}, ${missing} subscribers without the event`
    : null;
  return { connection, problem };
}

export const connectionsScenario: Scenario = async (context) => {
  const { sizes } = context;
  const count = sizes.connections.subscribers;
  const pool = await startSubscriberPool(Math.ceil(count / sizes.push.subscribersPerProcess));
  const perSubscriberKb: Record<ServerUnderTest["label"], number[]> = { product: [], floor: [] };
  const admitMs: Record<ServerUnderTest["label"], number[]> = { product: [], floor: [] };
  const failures: string[] = [];
  const runs: unknown[] = [];
  try {
    for (let run = 0; run < sizes.runs; run++) {
      const live = run === 0 || !sizes.connections.freshServers ? await context.liveServers() : await context.restartLiveServers();
      for (const target of run % 2 === 0 ? [live.product, live.floor] : [live.floor, live.product]) {
        // Warm-up: the first subscriber pays for lazily built things (schema caches, prepared queries).
        const warm = await subscribeAll(pool, target, 5, live.customerWaId, `bench-connections-warmup-${target.label}-${run}`);
        await pool.closeAll();
        await collectGarbage(target.pid);
        const beforeKb = target.rssKb();
        const { connection, problem } = await subscribeAll(pool, target, count, live.customerWaId, `bench-connections-${target.label}-${run}`);
        for (const issue of [warm.problem, problem]) if (issue) failures.push(issue);
        await waitForQuiet(target.pid, { timeoutMs: 10_000 });
        await collectGarbage(target.pid);
        const afterKb = target.rssKb();
        perSubscriberKb[target.label].push((afterKb - beforeKb) / Math.max(1, connection.connected));
        admitMs[target.label].push(connection.elapsedMs);
        runs.push({ target: target.label, run, subscribers: connection.connected, connectMs: Math.round(connection.elapsedMs), beforeKb, afterKb });
        context.log(`connections: ${target.label} run ${run + 1}/${sizes.runs}: ${connection.connected} subscribed in ${Math.round(connection.elapsedMs)} ms, RSS ${beforeKb} → ${afterKb} kB`);
        await pool.closeAll();
      }
    }
  } finally {
    await pool.stop();
    context.addRaw({ subscribers: count, runs });
  }
  context.addFigure({
    scenario: "5 connections",
    figure: `RSS per idle subscriber, K = ${count.toLocaleString("en-US")}`,
    unit: "KB",
    runs: perSubscriberKb.product,
    baseline: { label: "floor", runs: perSubscriberKb.floor },
    target: { op: "<=", value: 50 },
    failure: failures[0],
    note: sizes.connections.freshServers ? "fresh servers each run, forced GC before both readings" : "fresh servers for run 1 only, forced GC before both readings",
  });
  context.addFigure({
    scenario: "5 connections",
    figure: `time to admit K = ${count.toLocaleString("en-US")} subscribers (handshake, token, subscribe)`,
    unit: "ms",
    runs: admitMs.product,
    baseline: { label: "floor", runs: admitMs.floor },
    failure: failures[0],
    note: "a reconnect storm after a deploy",
  });
};
