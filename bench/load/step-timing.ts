/**
 * Imported into the product server by the ingest scenario (`--import`): listens to the steps every
 * webhook delivery publishes (server/step-timing.ts) and to the background work commits set off, and
 * hands them to the benchmark over the IPC channel. Without it the server times nothing.
 */
import diagnosticsChannel from "node:diagnostics_channel";
import { performance } from "node:perf_hooks";
import { BACKGROUND_WORK_CHANNEL, DELIVERY_STEPS_CHANNEL } from "../../server/step-timing.ts";

export interface StepTimings {
  /** Per delivery, ms per step (server/step-timing.ts's DELIVERY_STEPS). */
  deliveries: Array<Record<string, number>>;
  /** Per job, the wall time of each piece of background work, ms. */
  background: Record<string, number[]>;
  /** Time the event loop was busy (not waiting for I/O or timers) since the reset, ms. */
  busyMs: number;
  /** CPU time of the whole process (user + system, every thread) since the reset, ms. */
  cpuMs: number;
  elapsedMs: number;
}

export type StepTimingMessage = { type: "step-timing:reset" } | { type: "step-timing:take" };
export type StepTimingAnswer = { type: "step-timing:reset-done" } | { type: "step-timing"; timings: StepTimings };

let deliveries: StepTimings["deliveries"] = [];
let background: StepTimings["background"] = {};
let since = performance.eventLoopUtilization();
let startedAt = performance.now();
let cpuSince = process.cpuUsage();

diagnosticsChannel.subscribe(DELIVERY_STEPS_CHANNEL, (message) => deliveries.push((message as { steps: Record<string, number> }).steps));
diagnosticsChannel.subscribe(BACKGROUND_WORK_CHANNEL, (message) => {
  const { job, ms } = message as { job: string; ms: number };
  (background[job] ??= []).push(ms);
});

process.on("message", (message: StepTimingMessage) => {
  if (message.type === "step-timing:reset") {
    deliveries = [];
    background = {};
    since = performance.eventLoopUtilization();
    startedAt = performance.now();
    cpuSince = process.cpuUsage();
    process.send?.({ type: "step-timing:reset-done" } satisfies StepTimingAnswer);
  } else if (message.type === "step-timing:take") {
    const busyMs = performance.eventLoopUtilization(since).active;
    const cpu = process.cpuUsage(cpuSince);
    const timings: StepTimings = { deliveries, background, busyMs, cpuMs: (cpu.user + cpu.system) / 1000, elapsedMs: performance.now() - startedAt };
    process.send?.({ type: "step-timing", timings } satisfies StepTimingAnswer);
  }
});
// The channel must not keep a stopping server alive.
process.channel?.unref();
