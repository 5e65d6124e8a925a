/**
 * Where a webhook delivery's time goes, step by step on the thread, for the benchmark
 * (`bench/load/step-timing.ts` subscribes). Published on diagnostics channels only while something
 * subscribes: an unobserved server pays one `hasSubscribers` read per delivery and a null check per
 * step, nothing else.
 */
import diagnosticsChannel from "node:diagnostics_channel";

/** One message per delivery: `{ steps: Record<DeliveryStep, ms> }`. */
export const DELIVERY_STEPS_CHANNEL = "bharat:webhook-delivery-steps";
/** One message per piece of work a commit sets off, done later: `{ job: BackgroundJob, ms }` (wall time). */
export const BACKGROUND_WORK_CHANNEL = "bharat:background-work";

const deliverySteps = diagnosticsChannel.channel(DELIVERY_STEPS_CHANNEL);
const backgroundWork = diagnosticsChannel.channel(BACKGROUND_WORK_CHANNEL);

/** In the order a delivery goes through them; each is the time since the one before it ended. */
export const DELIVERY_STEPS = [
  /** Fastify's onRequest hooks (helmet, cookies, the webhook guard, the upload cap). */
  "request hooks",
  /** Reading the body into a buffer (and preParsing hooks). */
  "body read",
  /** preValidation and preHandler hooks, to the handler. */
  "handler start",
  "signature",
  /** JSON.parse and the depth, prototype-key and malformed-text checks. */
  "JSON parse",
  /** Meta's shape, checked and turned into domain events (whatsapp/webhook.ts). */
  "validation",
  /** From handing the events to the group commit to the group's first statement. */
  "wait for the group",
  "statements",
  /** COMMIT (SQLite's fsync of the WAL) and the group's results reaching this delivery. */
  "commit",
  /** What is stored before the answer, after the group: opt-out keywords, the business app's contacts and history, quality updates. */
  "before the answer",
  /** reply.send to the answer written and finished (serialisation, onSend hooks). */
  "answer",
  /** Publishing events, scheduling files and auto-replies: what runs before the handler returns. */
  "after commit",
] as const;
export type DeliveryStep = (typeof DELIVERY_STEPS)[number];

export type BackgroundJob = "conversation file" | "auto-reply" | "media download";

export interface DeliveryTimeline {
  /** Ends `step` now: it took the time since the previous step ended. */
  mark(step: DeliveryStep): void;
  /** Publishes the steps marked. */
  end(): void;
}

/** Whether anything listens for delivery steps (checked once, at start-up, by the hooks that start timelines). */
export function isTimingDeliveries(): boolean {
  return deliverySteps.hasSubscribers;
}

/** A timeline for a delivery starting now, or null when nobody is listening. */
export function startDeliveryTimeline(): DeliveryTimeline | null {
  if (!deliverySteps.hasSubscribers) return null;
  let last = performance.now();
  const steps: Partial<Record<DeliveryStep, number>> = {};
  return {
    mark(step) {
      const now = performance.now();
      steps[step] = (steps[step] ?? 0) + (now - last);
      last = now;
    },
    end() {
      deliverySteps.publish({ steps });
    },
  };
}

/** Times `work` (a background job) when somebody listens; otherwise just runs it. */
export function timeBackgroundWork<T>(job: BackgroundJob, work: () => Promise<T>): Promise<T> {
  if (!backgroundWork.hasSubscribers) return work();
  const started = performance.now();
  return work().finally(() => backgroundWork.publish({ job, ms: performance.now() - started }));
}
