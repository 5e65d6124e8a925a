/**
 * Load generator (its own process): signed webhook POSTs in a closed loop at a fixed concurrency,
 * on kept-alive connections opened beforehand, for a bounded time and count. Bodies are built and signed before the clock starts, so that the
 * generator spends its CPU on sending, not on JSON. Reports every acknowledged wamid, so that the
 * benchmark can check that each one was stored.
 */
import { epochNow } from "../processes.ts";
import { get, keepAliveAgent, post } from "./http.ts";
import { serveRpc } from "./ipc.ts";
import { makeDeliveries, type DeliveryPlan } from "./payloads.ts";

export interface WebhookLoadParams {
  url: string;
  plan: DeliveryPlan;
  concurrency: number;
  durationMs: number;
  /** Upper bound on POSTs: bodies are prepared up front. */
  maxRequests: number;
}

export interface WebhookLoadResult {
  /** From the first request sent to the last answer received. */
  elapsedMs: number;
  startedAtEpochMs: number;
  requests: number;
  /** Ack latencies of the POSTs answered 200, ms. */
  latenciesMs: number[];
  ackedWamids: string[];
  ackedStatuses: number;
  /** Every other answer, by HTTP status ("error" for transport failures and timeouts). */
  refused: Record<string, number>;
  /** wamids carried by POSTs that were not answered 200: they may or may not be stored. */
  unackedMessages: number;
}

async function run(params: WebhookLoadParams): Promise<WebhookLoadResult> {
  const deliveries = makeDeliveries(params.plan, params.maxRequests);
  const url = new URL(params.url);
  const agent = keepAliveAgent(params.concurrency);
  const latenciesMs: number[] = [];
  const ackedWamids: string[] = [];
  const refused: Record<string, number> = {};
  let ackedStatuses = 0;
  let unackedMessages = 0;
  let next = 0;
  let lastAnswer = 0;

  // Connections are opened before the clock starts, as Meta's are kept alive: connections opened
  // into a saturated server can starve for the whole run (a finding of its own, not this figure).
  await Promise.all(Array.from({ length: params.concurrency }, () => get(agent, new URL("/healthz", url)).catch(() => undefined)));

  const startedAtEpochMs = epochNow();
  const started = performance.now();
  const stopAt = started + params.durationMs;
  async function worker() {
    while (performance.now() < stopAt && next < deliveries.length) {
      const delivery = deliveries[next++]!;
      const sentAt = performance.now();
      let status: string;
      try {
        const answer = await post(agent, url, { "content-type": "application/json", "x-hub-signature-256": delivery.signature }, delivery.body);
        status = String(answer.status);
      } catch {
        status = "error";
      }
      lastAnswer = performance.now();
      if (status === "200") {
        latenciesMs.push(lastAnswer - sentAt);
        for (const wamid of delivery.wamids) ackedWamids.push(wamid);
        ackedStatuses += delivery.statuses;
      } else {
        refused[status] = (refused[status] ?? 0) + 1;
        unackedMessages += delivery.wamids.length;
      }
    }
  }
  await Promise.all(Array.from({ length: params.concurrency }, worker));
  agent.destroy();
  return { elapsedMs: lastAnswer - started, startedAtEpochMs, requests: next, latenciesMs, ackedWamids, ackedStatuses, refused, unackedMessages };
}

const api = { run };
export type WebhookLoadApi = typeof api;
serveRpc(api);
