import type { ExecutionResult } from "graphql";
import { Repeater } from "graphql-yoga";
import { describe, expect, it } from "vitest";
import { createSharedSubscriptions, SENDS_PER_TURN, type SubscriptionExecution } from "./shared-subscriptions.ts";

/** A stand-in for one subscription's execution: counts its starts, stops and serialisations. */
function fakeExecution() {
  const pushes = new Set<(result: ExecutionResult) => Promise<unknown>>();
  const counts = { started: 0, stopped: 0, serialised: 0 };
  return {
    counts,
    execute: (): SubscriptionExecution => {
      counts.started++;
      return new Repeater<ExecutionResult>(async (push, stop) => {
        pushes.add(push);
        await stop;
        pushes.delete(push);
        counts.stopped++;
      });
    },
    async publish(text: string) {
      const data = { messageAdded: { text }, toJSON: () => (counts.serialised++, { messageAdded: { text } }) };
      await Promise.all([...pushes].map((push) => push({ data })));
    },
  };
}

/** A subscriber's socket: the payloads written to it. */
function inbox() {
  const received: string[] = [];
  return { received, send: (payload: string) => received.push(payload) };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe("shared subscriptions", () => {
  it("executes and serialises once per event for every subscriber with the same key, and writes to each", async () => {
    const shared = createSharedSubscriptions();
    const execution = fakeExecution();
    const subscribers = Array.from({ length: 1_000 }, inbox);
    await Promise.all(subscribers.map((subscriber) => shared.join("viewer A: messageAdded", subscriber.send, execution.execute)));
    await execution.publish("hello");
    await settled();
    expect(execution.counts).toEqual({ started: 1, stopped: 0, serialised: 1 });
    for (const subscriber of subscribers) expect(subscriber.received).toEqual(['{"data":{"messageAdded":{"text":"hello"}}}']);
  });

  it("keeps subscriptions with different keys apart: their own execution, their own events", async () => {
    const shared = createSharedSubscriptions();
    const [ofA, ofB] = [fakeExecution(), fakeExecution()];
    const [subscriberA, subscriberB] = [inbox(), inbox()];
    await shared.join("workspace A", subscriberA.send, ofA.execute);
    await shared.join("workspace B", subscriberB.send, ofB.execute);
    await ofA.publish("for A only");
    await settled();
    expect(subscriberA.received).toHaveLength(1);
    expect(subscriberB.received).toEqual([]);
    expect([ofA.counts.started, ofB.counts.started]).toEqual([1, 1]);
  });

  it("stops the shared execution when its last subscriber leaves, and starts afresh for the next", async () => {
    const shared = createSharedSubscriptions();
    const execution = fakeExecution();
    const [first, second] = [inbox(), inbox()];
    const held = await Promise.all([first, second].map((subscriber) => shared.join("key", subscriber.send, execution.execute)));
    await (held[0] as AsyncIterator<ExecutionResult>).return!();
    await execution.publish("to the one still there");
    await settled();
    expect([first.received.length, second.received.length]).toEqual([0, 1]);
    await (held[1] as AsyncIterator<ExecutionResult>).return!();
    await settled();
    expect(execution.counts.stopped).toBe(1);
    await shared.join("key", inbox().send, execution.execute);
    expect(execution.counts.started).toBe(2);
  });

  it("ends a subscriber's pending next() when it leaves, so graphql-ws's loop finishes", async () => {
    const shared = createSharedSubscriptions();
    const held = (await shared.join("key", inbox().send, fakeExecution().execute)) as AsyncIterator<ExecutionResult>;
    const pending = held.next();
    await held.return!();
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
  });

  it("answers a start that failed to each waiting subscriber and does not keep it", async () => {
    const shared = createSharedSubscriptions();
    let starts = 0;
    const failing = (): SubscriptionExecution => (starts++, { errors: [] });
    const answers = await Promise.all([shared.join("key", inbox().send, failing), shared.join("key", inbox().send, failing)]);
    expect(answers).toEqual([{ errors: [] }, { errors: [] }]);
    await shared.join("key", inbox().send, failing);
    expect(starts).toBe(2);
  });

  it("ends every subscriber with the error of a failed execution", async () => {
    const shared = createSharedSubscriptions();
    const broken = (): SubscriptionExecution =>
      new Repeater<ExecutionResult>((_push, stop) => {
        stop(new Error("source broke"));
      });
    const held = (await shared.join("key", inbox().send, broken)) as AsyncIterator<ExecutionResult>;
    await expect(held.next()).rejects.toThrow("source broke");
  });

  it("lets the event loop run between chunks of a large fan-out", async () => {
    const shared = createSharedSubscriptions();
    const execution = fakeExecution();
    let loopRan = false;
    const loopRanBySubscriber: boolean[] = [];
    const count = SENDS_PER_TURN * 2 + 1;
    await Promise.all(
      Array.from({ length: count }, (_, index) =>
        shared.join("key", () => {
          if (index === 0) setImmediate(() => (loopRan = true));
          loopRanBySubscriber.push(loopRan);
        }, execution.execute),
      ),
    );
    await execution.publish("many");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(loopRanBySubscriber).toHaveLength(count);
    expect(loopRanBySubscriber[SENDS_PER_TURN - 1]).toBe(false);
    expect(loopRanBySubscriber[SENDS_PER_TURN]).toBe(true);
  });
});
