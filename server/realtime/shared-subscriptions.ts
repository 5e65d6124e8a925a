import type { ExecutionResult } from "graphql";

/** Writes one subscriber's `next` message around a payload (an ExecutionResult as JSON) that is shared by its fan-out. */
export type PayloadSender = (payloadJson: string) => void;

/** What executing a subscription gives: a stream of results, or one result (its errors) when it could not start. */
export type SubscriptionExecution = AsyncIterable<ExecutionResult> | ExecutionResult;

/**
 * Sends per turn of the event loop during one fan-out. Between turns the loop serves webhooks, pings
 * and handshakes, so pushing to 5,000 sockets does not freeze the server for the time it takes.
 * @default 500
 */
export const SENDS_PER_TURN = 500;

/**
 * Subscribers whose executions are bound to give the same results — same operation, variables and
 * viewer: the caller's `key` — share one: one source stream, one execution and one serialisation per
 * event, then one socket write per subscriber. The key is the caller's promise of equality: it must
 * hold everything an execution reads that can differ between subscribers.
 */
export function createSharedSubscriptions() {
  const fanOuts = new Map<string, FanOut>();

  function forget(fanOut: FanOut) {
    if (fanOuts.get(fanOut.key) === fanOut) fanOuts.delete(fanOut.key);
  }

  return {
    /**
     * Adds a subscriber to the fan-out of `key`, starting its execution with `execute` if there is
     * none. Resolves to what graphql-ws should hold: an iterator that yields nothing (`send` writes
     * the results) and ends with the subscription, or the one result of an execution that failed to start.
     */
    async join(key: string, send: PayloadSender, execute: () => SubscriptionExecution | Promise<SubscriptionExecution>): Promise<SubscriptionExecution> {
      let fanOut = fanOuts.get(key);
      if (!fanOut) {
        fanOut = new FanOut(key, execute, forget);
        fanOuts.set(key, fanOut);
      }
      const subscriber = fanOut.add(send);
      const execution = await fanOut.execution;
      if (isAsyncIterable(execution)) return subscriber;
      await subscriber.return();
      return execution;
    },
    /** Subscribers whose execution has started listening: what an event published now reaches. */
    listening(): number {
      let count = 0;
      for (const fanOut of fanOuts.values()) count += fanOut.listening;
      return count;
    },
  };
}

/** One execution and the subscribers it is written to. */
class FanOut {
  readonly execution: Promise<SubscriptionExecution>;
  private readonly subscribers = new Set<SharedSubscriber>();
  private source: AsyncIterator<ExecutionResult> | null = null;
  private stopped = false;

  constructor(
    readonly key: string,
    execute: () => SubscriptionExecution | Promise<SubscriptionExecution>,
    private readonly forget: (fanOut: FanOut) => void,
  ) {
    this.execution = Promise.resolve().then(execute);
    this.execution.then(
      (execution) => {
        // A failed start is answered to the subscribers already waiting; later ones try again.
        if (!isAsyncIterable(execution)) return this.forget(this);
        this.source = execution[Symbol.asyncIterator]();
        if (this.subscribers.size === 0) return this.stop();
        void this.pump(this.source);
      },
      () => this.forget(this),
    );
  }

  get listening(): number {
    return this.source && !this.stopped ? this.subscribers.size : 0;
  }

  add(send: PayloadSender) {
    const subscriber = new SharedSubscriber(send, () => this.remove(subscriber));
    this.subscribers.add(subscriber);
    return subscriber;
  }

  private remove(subscriber: SharedSubscriber) {
    this.subscribers.delete(subscriber);
    if (this.subscribers.size === 0) this.stop();
  }

  /** The last subscriber left: later ones start afresh, and the source stops listening. */
  private stop() {
    this.forget(this);
    if (this.stopped || !this.source) return;
    this.stopped = true;
    // Nobody is left to tell if ending the stream fails.
    this.source.return?.().catch(() => {});
  }

  private async pump(source: AsyncIterator<ExecutionResult>) {
    try {
      for (;;) {
        const next = await source.next();
        if (next.done || this.stopped) break;
        await this.broadcast(JSON.stringify(next.value));
      }
      for (const subscriber of this.subscribers) subscriber.end();
    } catch (error) {
      for (const subscriber of this.subscribers) subscriber.fail(error);
    } finally {
      this.forget(this);
    }
  }

  /** Subscribers at the time the result is ready; one that left while the fan-out yielded is skipped. */
  private async broadcast(payloadJson: string) {
    const recipients = [...this.subscribers];
    for (let index = 0; index < recipients.length; index++) {
      if (index > 0 && index % SENDS_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
      const subscriber = recipients[index]!;
      if (this.subscribers.has(subscriber)) subscriber.send(payloadJson);
    }
  }
}

/**
 * What graphql-ws holds for one shared subscription. It yields nothing — the fan-out writes the
 * results — and its one pending `next()` settles when the subscription ends: done when the source
 * completes (graphql-ws then sends `complete`), rejected when it fails (graphql-ws sends `error`).
 * `return()` is graphql-ws saying the client completed or the socket closed.
 */
class SharedSubscriber implements AsyncIterableIterator<ExecutionResult> {
  private readonly ended: Promise<IteratorReturnResult<undefined>>;
  private settle!: { end: () => void; fail: (error: unknown) => void };

  constructor(
    readonly send: PayloadSender,
    private readonly leave: () => void,
  ) {
    this.ended = new Promise((resolve, reject) => {
      this.settle = { end: () => resolve({ done: true, value: undefined }), fail: reject };
    });
    // The fan-out may fail before graphql-ws asks for `next()`; its for-await still sees the rejection.
    this.ended.catch(() => {});
  }

  next() {
    return this.ended;
  }

  return() {
    this.leave();
    this.settle.end();
    return Promise.resolve({ done: true as const, value: undefined });
  }

  end() {
    this.settle.end();
  }

  fail(error: unknown) {
    this.settle.fail(error);
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}

function isAsyncIterable(value: SubscriptionExecution): value is AsyncIterable<ExecutionResult> {
  return typeof (value as Partial<AsyncIterable<ExecutionResult>>)[Symbol.asyncIterator] === "function";
}
