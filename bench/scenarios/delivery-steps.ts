/**
 * The one-message shape's breakdown: where a delivery's time goes on the product's thread, step by
 * step (server/step-timing.ts), per concurrency — printed under the table, kept in the JSON.
 */
import type { StepTimings } from "../load/step-timing.ts";
import { DELIVERY_STEPS } from "../../server/step-timing.ts";
import { median } from "../stats.ts";

export interface TimedRuns {
  concurrency: number;
  /** One per run. */
  timings: StepTimings[];
  /** The client's ack latency p50 of each run, ms. */
  ackP50s: number[];
}

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(value < 10 ? 2 : 1) : "—");

export function deliveryStepsSection(title: string, runs: TimedRuns[]): string {
  const header = `| step (median per delivery, ms) | ${runs.map(({ concurrency }) => `c = ${concurrency}`).join(" | ")} |`;
  const rule = `|---|${runs.map(() => "---:|").join("")}`;
  const deliveriesOf = (entry: TimedRuns) => entry.timings.flatMap((timing) => timing.deliveries);
  const row = (label: string, value: (entry: TimedRuns) => string) => `| ${label} | ${runs.map(value).join(" | ")} |`;
  const rows = DELIVERY_STEPS.map((step) => row(step, (entry) => ms(median(deliveriesOf(entry).map((steps) => steps[step] ?? 0)))));
  const total = (steps: Record<string, number>) => Object.values(steps).reduce((sum, value) => sum + value, 0);
  rows.push(row("**first hook → after commit**", (entry) => `**${ms(median(deliveriesOf(entry).map(total)))}**`));
  rows.push(row("ack latency p50 at the client (median of runs)", (entry) => ms(median(entry.ackP50s))));
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  rows.push(
    row("thread busy per delivery (event-loop utilisation × time ÷ deliveries)", (entry) =>
      ms(sum(entry.timings.map((timing) => timing.busyMs)) / Math.max(1, deliveriesOf(entry).length)),
    ),
  );
  rows.push(
    row("CPU per delivery (the process: user + system, all threads)", (entry) =>
      ms(sum(entry.timings.map((timing) => timing.cpuMs)) / Math.max(1, deliveriesOf(entry).length)),
    ),
  );
  const jobs = [...new Set(runs.flatMap((entry) => entry.timings.flatMap((timing) => Object.keys(timing.background))))].sort();
  for (const job of jobs) {
    const of = (entry: TimedRuns) => entry.timings.flatMap((timing) => timing.background[job] ?? []);
    rows.push(
      row(`background: ${job}s per delivery; median wall time each`, (entry) => {
        const times = of(entry);
        return `${(times.length / Math.max(1, deliveriesOf(entry).length)).toFixed(2)}; ${ms(median(times))}`;
      }),
    );
  }
  return [
    `**${title}**: each step is the time since the one before it ended, on the server's thread (wall time: ` +
      "a step that waits — for the group, for the database connection — shows the wait). Background work runs " +
      "after the answer, between deliveries; its wall time includes its own waits.",
    "",
    header,
    rule,
    ...rows,
  ].join("\n");
}
