/**
 * Scenario 3 — polling, for contrast. The guide's pollers (every 3 s and every 5 s: the open chat's
 * newest page) and one push subscriber watch the same conversation while customer texts arrive at
 * random moments; time-to-screen is from the POST to the first poll answer (or event) carrying the
 * text. Baseline: push, for the same messages. Runs: consecutive groups of messages.
 */
import { startRpcChild } from "../load/ipc.ts";
import type { ScreenWatcherApi } from "../load/screen-watcher.ts";
import { ADMIN_API_TOKEN } from "../fixtures.ts";
import { sleep } from "../processes.ts";
import { mean, percentile, round } from "../stats.ts";
import type { Scenario } from "./context.ts";
import { createTextSender } from "./subscriber-pool.ts";

const PREFIX = "bench-poll-";

export const pollingScenario: Scenario = async (context) => {
  const { sizes } = context;
  const plan = sizes.polling;
  const live = await context.liveServers();
  const watcher = await startRpcChild<ScreenWatcherApi>("screen watcher", "bench/load/screen-watcher.ts");
  const sender = createTextSender();
  const sent: Array<{ text: string; sentAt: number }> = [];
  try {
    const offsetMs = await watcher.clockOffsetMs();
    await watcher.call(
      "start",
      { url: live.product.url, wsUrl: live.product.wsUrl, token: ADMIN_API_TOKEN, conversationId: live.conversationId, intervalsMs: plan.intervalsMs, prefix: PREFIX },
      60_000,
    );
    for (let index = 0; index < plan.messages; index++) {
      // Exponential gaps: arrivals owe nothing to the pollers' phase.
      await sleep(Math.min(plan.meanGapMs * 4, -Math.log(1 - Math.random()) * plan.meanGapMs));
      const text = `${PREFIX}${index}-${Date.now()}`;
      const { sentAt, status } = await sender.deliver(live.product, live.customerWaId, text);
      if (status !== 200) throw new Error(`The webhook answered ${status}`);
      sent.push({ text, sentAt });
    }
    await sleep(Math.max(...plan.intervalsMs) + 1_500);
    const seen = await watcher.call("seen", {}, 30_000);
    const latency = (times: Record<string, number>) => sent.map(({ text, sentAt }) => (text in times ? times[text]! - offsetMs - sentAt : Number.NaN));
    const push = latency(seen.push);
    const groups = sizes.runs;
    const grouped = (values: number[]) => Array.from({ length: groups }, (_, group) => values.filter((_, index) => index % groups === group));
    const missing = (values: number[]) => values.filter((value) => Number.isNaN(value)).length;
    const pushGroups = grouped(push);
    context.addRaw({ sent: sent.length, pollErrors: seen.pollErrors.slice(0, 5), push: push.map((value) => round(value)) });
    for (const intervalMs of plan.intervalsMs) {
      const polled = latency(seen.polls[intervalMs] ?? {});
      context.addRaw({ intervalMs, polled: polled.map((value) => round(value)) });
      const failure =
        missing(polled) + missing(push) > 0 ? `${missing(polled)} polled and ${missing(push)} pushed messages never seen`
        : seen.pollErrors.length > 0 ? `${seen.pollErrors.length} poll errors: ${seen.pollErrors[0]}`
        : undefined;
      const pollGroups = grouped(polled);
      const every = `poll every ${intervalMs / 1000} s`;
      context.addFigure({
        scenario: "3 polling (contrast)",
        figure: `time-to-screen mean, ${every}`,
        unit: "ms",
        runs: pollGroups.map((values) => mean(values)),
        baseline: { label: "push", runs: pushGroups.map((values) => mean(values)) },
        failure,
        note: `${sent.length} messages`,
      });
      context.addFigure({
        scenario: "3 polling (contrast)",
        figure: `time-to-screen p99, ${every}`,
        unit: "ms",
        runs: pollGroups.map((values) => percentile(values, 99)),
        baseline: { label: "push", runs: pushGroups.map((values) => percentile(values, 99)) },
        failure,
      });
    }
  } finally {
    await watcher.call("stop", {}, 10_000).catch(() => undefined);
    await watcher.stop();
    sender.close();
  }
};
