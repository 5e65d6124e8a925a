/**
 * K graphql-ws subscribers spread over one or more generator processes (load/subscribers.ts), and
 * the one webhook whose event they all wait for. Arrival times come back on each generator's clock
 * and are converted to ours with its measured offset.
 */
import { startRpcChild, type RpcChild } from "../load/ipc.ts";
import { textDelivery } from "../load/payloads.ts";
import { keepAliveAgent, post } from "../load/http.ts";
import type { SubscribersApi } from "../load/subscribers.ts";
import { epochNow } from "../processes.ts";
import type { ServerUnderTest } from "../product-server.ts";
import { ADMIN_API_TOKEN } from "../fixtures.ts";

/** Handshakes under way at once, per generator (the server's accept backlog is 511). */
const PARALLEL_HANDSHAKES = 64;

export interface SubscriberPool {
  connect(target: ServerUnderTest, count: number, query: string): Promise<{ connected: number; failed: number; firstError: string | null; elapsedMs: number }>;
  /** POSTs one customer text to the target's webhook; returns when it was sent (our clock) and the answer. */
  deliver(target: ServerUnderTest, from: string, text: string): Promise<{ sentAt: number; status: number }>;
  /** Waits until every subscriber has the text (or the timeout); returns the latency of each (NaN: never came). */
  latencies(text: string, sentAt: number, timeoutMs: number): Promise<number[]>;
  closeAll(): Promise<void>;
  stop(): Promise<void>;
}

let deliveries = 0;

/** POSTs customer texts to a server's webhook, signed, on one kept-alive connection; `sentAt` is on our clock. */
export function createTextSender() {
  const agent = keepAliveAgent(1);
  return {
    async deliver(target: ServerUnderTest, from: string, text: string): Promise<{ sentAt: number; status: number }> {
      const delivery = textDelivery(from, `wamid.bench.live.${process.pid}.${++deliveries}.${Date.now()}`, text);
      const sentAt = epochNow();
      const headers = { "content-type": "application/json", "x-hub-signature-256": delivery.signature };
      const answer = await post(agent, new URL("/api/whatsapp/webhook", target.url), headers, delivery.body);
      return { sentAt, status: answer.status };
    },
    close: () => agent.destroy(),
  };
}

export async function startSubscriberPool(processes: number): Promise<SubscriberPool> {
  const generators: Array<{ rpc: RpcChild<SubscribersApi>; offsetMs: number; count: number }> = [];
  for (let index = 0; index < processes; index++) {
    const rpc = await startRpcChild<SubscribersApi>(`subscribers #${index + 1}`, "bench/load/subscribers.ts");
    generators.push({ rpc, offsetMs: await rpc.clockOffsetMs(), count: 0 });
  }
  const sender = createTextSender();
  return {
    async connect(target, count, query) {
      const share = Math.ceil(count / generators.length);
      const results = await Promise.all(
        generators.map((generator, index) => {
          generator.count = Math.max(0, Math.min(share, count - index * share));
          return generator.rpc.call("connect", { wsUrl: target.wsUrl, token: ADMIN_API_TOKEN, count: generator.count, query, parallel: PARALLEL_HANDSHAKES }, 600_000);
        }),
      );
      return {
        connected: results.reduce((sum, result) => sum + result.connected, 0),
        failed: results.reduce((sum, result) => sum + result.failed, 0),
        firstError: results.find((result) => result.firstError)?.firstError ?? null,
        elapsedMs: Math.max(...results.map((result) => result.elapsedMs)),
      };
    },
    deliver: sender.deliver,
    async latencies(text, sentAt, timeoutMs) {
      const active = generators.filter((generator) => generator.count > 0);
      await Promise.all(active.map((generator) => generator.rpc.call("awaitText", { text, timeoutMs }, timeoutMs + 10_000)));
      const arrivals = await Promise.all(active.map((generator) => generator.rpc.call("takeArrivals", { text }, 60_000).then((times) => times.map((at) => at - generator.offsetMs - sentAt))));
      return arrivals.flat();
    },
    async closeAll() {
      await Promise.all(generators.map((generator) => generator.rpc.call("closeAll", {}, 60_000)));
    },
    async stop() {
      sender.close();
      await Promise.all(generators.map((generator) => generator.rpc.stop()));
    },
  };
}
