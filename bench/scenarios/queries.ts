/**
 * Scenario 4 — queries on a big inbox: conversations and messages seeded with the raw driver into a
 * migrated database, then the server started on it. One request at a time, as an agent's screen
 * asks: the first page of conversations, a page of history, a search. Baseline: the equivalent SQL
 * on the same file with the raw driver, in the same run.
 */
import { startRpcChild } from "../load/ipc.ts";
import type { QueryKind, QueryLoadApi } from "../load/query-load.ts";
import { ADMIN_API_TOKEN } from "../fixtures.ts";
import { makeWorkdir, waitForQuiet } from "../processes.ts";
import { PRODUCT_DATABASE_FILE, startProductServer } from "../product-server.ts";
import { seedDatabase } from "../seed.ts";
import { percentile, round, summarize } from "../stats.ts";
import type { Scenario } from "./context.ts";

const KINDS: Array<{ kind: QueryKind; figure: string }> = [
  { kind: "firstPage", figure: "first page of conversations (first: 30)" },
  { kind: "history", figure: "page of history (messages last: 50)" },
  { kind: "search", figure: "search (conversations search:, first: 30)" },
];
const WARM_UP_REQUESTS = 15;

export const queriesScenario: Scenario = async (context) => {
  const { sizes } = context;
  const plan = sizes.queries;
  const work = makeWorkdir("queries");
  const databaseUrl = `file:${work.dir}/${PRODUCT_DATABASE_FILE}`;
  const seedingStarted = performance.now();
  const seeded = await seedDatabase(databaseUrl, { conversations: plan.conversations, messages: plan.messages, contactShare: 0.5 });
  const seedingMs = performance.now() - seedingStarted;
  context.log(`queries: seeded ${plan.conversations} conversations, ${plan.messages} messages in ${(seedingMs / 1000).toFixed(1)} s`);
  const product = await startProductServer({ name: "queries", dir: work.dir, profileDir: context.profileDir });
  context.addProfile(product);
  const load = await startRpcChild<QueryLoadApi>("query load generator", "bench/load/query-load.ts");
  const raw: unknown[] = [];
  try {
    const base = { url: product.url, token: ADMIN_API_TOKEN, databaseUrl, conversationIds: seeded.conversationIds, searchTerms: seeded.searchTerms };
    for (const { kind } of KINDS) {
      for (const via of ["graphql", "sql"] as const) await load.call("run", { ...base, kind, via, count: WARM_UP_REQUESTS, seed: 1 }, 120_000);
    }
    const results: Record<QueryKind, { graphql: number[][]; sql: number[][]; errors: string[]; empty: number }> = {
      firstPage: { graphql: [], sql: [], errors: [], empty: 0 },
      history: { graphql: [], sql: [], errors: [], empty: 0 },
      search: { graphql: [], sql: [], errors: [], empty: 0 },
    };
    for (let run = 0; run < sizes.runs; run++) {
      for (const { kind } of KINDS) {
        for (const via of run % 2 === 0 ? (["graphql", "sql"] as const) : (["sql", "graphql"] as const)) {
          await waitForQuiet(product.pid);
          const answer = await load.call("run", { ...base, kind, via, count: plan.requestsPerRun, seed: 100 + run }, 600_000);
          results[kind][via].push(answer.latenciesMs);
          if (answer.firstError) results[kind].errors.push(`${answer.errors} errors: ${answer.firstError}`);
          results[kind].empty += via === "graphql" ? answer.emptyAnswers : 0;
          raw.push({ kind, via, run, ...summarize(answer.latenciesMs), errors: answer.errors, emptyAnswers: answer.emptyAnswers, latenciesMs: answer.latenciesMs.map((value) => round(value)) });
        }
        const last = results[kind];
        context.log(
          `queries: ${kind} run ${run + 1}/${sizes.runs}: GraphQL p50 ${percentile(last.graphql.at(-1)!, 50).toFixed(1)} / p99 ${percentile(last.graphql.at(-1)!, 99).toFixed(1)} ms, ` +
            `SQL p50 ${percentile(last.sql.at(-1)!, 50).toFixed(2)} / p99 ${percentile(last.sql.at(-1)!, 99).toFixed(2)} ms`,
        );
      }
    }
    const scale = `${plan.conversations.toLocaleString("en-US")} conv. / ${plan.messages.toLocaleString("en-US")} msg.`;
    for (const { kind, figure } of KINDS) {
      const result = results[kind];
      const failure = result.errors[0] ?? (result.empty > 0 && kind !== "search" ? `${result.empty} empty answers` : undefined);
      for (const p of [50, 99]) {
        context.addFigure({
          scenario: "4 queries",
          figure: `${figure} p${p}`,
          unit: "ms",
          runs: result.graphql.map((latencies) => percentile(latencies, p)),
          baseline: { label: "raw SQL", runs: result.sql.map((latencies) => percentile(latencies, p)) },
          target: p === 99 ? { op: "<=", value: 20 } : undefined,
          failure,
          note: p === 50 ? `${scale}, ${plan.requestsPerRun} requests/run` : undefined,
        });
      }
    }
  } finally {
    context.addRaw({ conversations: plan.conversations, messages: plan.messages, seedingMs: Math.round(seedingMs), runs: raw });
    await load.stop();
    await product.stop();
    work.remove();
  }
};
