/**
 * Load generator (its own process): many graphql-ws subscribers, each its own WebSocket, speaking
 * the protocol directly over `ws` (no client library in the way: the arrival time is taken the
 * moment a frame comes in, before it is parsed). Records, per message text, when each socket got it.
 */
import { WebSocket } from "ws";
import { epochNow } from "../processes.ts";
import { serveRpc, type NoParams } from "./ipc.ts";

export interface ConnectParams {
  wsUrl: string;
  token: string;
  count: number;
  query: string;
  variables?: Record<string, unknown>;
  /** Handshakes under way at once. */
  parallel: number;
}

interface Arrivals {
  times: Float64Array;
  received: number;
  waiters: Array<() => void>;
}

/** Subscribed sockets, in the order they were admitted: a socket's index is its slot in `times`. */
let sockets: WebSocket[] = [];
let capacity = 0;
const arrivals = new Map<string, Arrivals>();

function arrivalsOf(text: string): Arrivals {
  let entry = arrivals.get(text);
  if (!entry) arrivals.set(text, (entry = { times: new Float64Array(capacity).fill(Number.NaN), received: 0, waiters: [] }));
  return entry;
}

function record(index: number, at: number, data: WebSocket.RawData) {
  const message = JSON.parse(String(data)) as { type: string; payload?: { data?: { messageAdded?: { text?: string | null } } } };
  const text = message.type === "next" ? message.payload?.data?.messageAdded?.text : null;
  if (!text) return;
  const entry = arrivalsOf(text);
  if (!Number.isNaN(entry.times[index]!)) return;
  entry.times[index] = at;
  entry.received++;
  if (entry.received >= sockets.length) for (const wake of entry.waiters.splice(0)) wake();
}

/** One socket: init with the token, wait for the ack, subscribe. Resolves once subscribed, or with why not. */
function open(params: ConnectParams): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = new WebSocket(params.wsUrl, "graphql-transport-ws", { perMessageDeflate: false });
    let index = -1;
    const fail = (why: string) => {
      clearTimeout(timer);
      if (index < 0) resolve(why);
    };
    const timer = setTimeout(() => (socket.terminate(), fail("handshake timed out after 30 s")), 30_000);
    socket.on("open", () => socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${params.token}` } })));
    socket.on("error", (error) => fail(error.message));
    socket.on("close", (code, reason) => fail(`closed ${code} ${String(reason)}`));
    socket.on("message", (data) => {
      const at = epochNow();
      if (index >= 0) return record(index, at, data);
      if ((JSON.parse(String(data)) as { type: string }).type !== "connection_ack") return;
      clearTimeout(timer);
      index = sockets.push(socket) - 1;
      socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: params.query, variables: params.variables ?? {} } }));
      resolve(null);
    });
  });
}

async function connect(params: ConnectParams) {
  const started = performance.now();
  sockets = [];
  capacity = params.count;
  arrivals.clear();
  const failures: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(params.parallel, params.count) }, async () => {
      while (next < params.count) {
        next++;
        const failure = await open(params);
        if (failure) failures.push(failure);
      }
    }),
  );
  return { connected: sockets.length, failed: failures.length, firstError: failures[0] ?? null, elapsedMs: performance.now() - started };
}

/** Resolves when every socket has received `text`, or after `timeoutMs`; says how many did. */
async function awaitText({ text, timeoutMs }: { text: string; timeoutMs: number }) {
  const entry = arrivalsOf(text);
  if (entry.received < sockets.length) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      entry.waiters.push(() => (clearTimeout(timer), resolve()));
    });
  }
  return { received: entry.received, expected: sockets.length };
}

/** Arrival times of `text` (epoch ms on this process's clock; NaN: never arrived), then forgotten. */
async function takeArrivals({ text }: { text: string }) {
  const entry = arrivalsOf(text);
  arrivals.delete(text);
  return Array.from(entry.times.subarray(0, sockets.length));
}

async function closeAll(_: NoParams) {
  const closed = sockets.length;
  for (const socket of sockets) socket.terminate();
  sockets = [];
  capacity = 0;
  arrivals.clear();
  return { closed };
}

const api = { connect, awaitText, takeArrivals, closeAll };
export type SubscribersApi = typeof api;
serveRpc(api);
