/**
 * A tiny typed RPC over Node's IPC channel between the benchmark and its load generators. Each
 * generator is its own process (never inside a server), exports its API as a type, and serves it
 * with `serveRpc`; the benchmark starts it with `startRpcChild` and calls methods by name.
 */
import { epochNow, startNodeChild, until, type NodeChild } from "../processes.ts";

/** A load generator's API: one-argument async methods with structured-cloneable values. */
export type NoParams = Record<string, never>;

export type RpcApi = Record<string, (params: never) => Promise<unknown>>;

type Request = { id: number; method: string; params: unknown };
type Response = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

const CLOCK_METHOD = "__epochNow";

/** In the generator: answers calls until the benchmark disconnects, then exits. */
export function serveRpc<Api extends RpcApi>(api: Api) {
  const methods = api as unknown as Record<string, (params: unknown) => Promise<unknown>>;
  process.on("message", (message: Request) => {
    const reply = (response: Response) => process.send?.(response);
    if (message.method === CLOCK_METHOD) return reply({ id: message.id, ok: true, result: epochNow() });
    const method = methods[message.method];
    if (!method) return reply({ id: message.id, ok: false, error: `No method ${message.method}` });
    method(message.params).then(
      (result) => reply({ id: message.id, ok: true, result }),
      (error: unknown) => reply({ id: message.id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  });
  process.on("disconnect", () => process.exit(0));
}

export interface RpcChild<Api extends RpcApi> {
  process: NodeChild;
  call<M extends keyof Api & string>(method: M, params: Parameters<Api[M]>[0], timeoutMs: number): Promise<Awaited<ReturnType<Api[M]>>>;
  /**
   * The generator's clock minus ours, in ms (NTP-style: the exchange with the shortest round trip
   * wins). Subtract it from a time the generator measured to get our clock.
   */
  clockOffsetMs(): Promise<number>;
  stop(): Promise<void>;
}

export async function startRpcChild<Api extends RpcApi>(name: string, script: string, env: Record<string, string> = {}): Promise<RpcChild<Api>> {
  const child = startNodeChild({ name, script, env, ipc: true });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  child.child.on("message", (message: Response) => {
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.ok) waiter.resolve(message.result);
    else waiter.reject(new Error(`${name}: ${message.error}`));
  });
  void child.exited.then(({ code, signal }) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`${name} exited (${code ?? signal}) during a call:\n${child.output()}`));
    pending.clear();
  });

  function rawCall(method: string, params: unknown, timeoutMs: number): Promise<unknown> {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${name}.${method} took longer than ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, {
        resolve: (value) => (clearTimeout(timer), resolve(value)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      child.child.send({ id, method, params } satisfies Request);
    });
  }

  // The channel is up once the child answers its clock (tsx compiles it first: allow for that).
  const ready = await until(() => rawCall(CLOCK_METHOD, null, 1_000).then(() => true, () => false), 30_000, 100);
  if (!ready) throw new Error(`${name} did not answer within 30 s:\n${child.output()}`);

  return {
    process: child,
    call: (method, params, timeoutMs) => rawCall(method, params, timeoutMs) as never,
    async clockOffsetMs() {
      let best = { rtt: Infinity, offset: 0 };
      for (let attempt = 0; attempt < 15; attempt++) {
        const sentAt = epochNow();
        const theirs = (await rawCall(CLOCK_METHOD, null, 5_000)) as number;
        const receivedAt = epochNow();
        if (receivedAt - sentAt < best.rtt) best = { rtt: receivedAt - sentAt, offset: theirs - (sentAt + receivedAt) / 2 };
      }
      return best.offset;
    },
    async stop() {
      if (child.child.connected) child.child.disconnect();
      const timer = setTimeout(() => child.child.kill("SIGKILL"), 5_000);
      await child.exited;
      clearTimeout(timer);
    },
  };
}
