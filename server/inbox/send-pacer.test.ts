import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { startRedis } from "../tests/support/redis.ts";
import { throughputOf } from "../whatsapp-numbers/number-directory.ts";
import { createRedisSendPacer, createSendPacer, nextSendAt, PACER_CATCH_UP_MS, SHORTEST_WAIT_MS, type SendPacer } from "./send-pacer.ts";

const NUMBER = "106540352242922";

/** Paces `count` sends through a fresh pacer, each answered after `answerMs`; answers when each went, ms from the start, in order. */
async function release(perSecond: number, count: number, answerMs = 0, pacer: SendPacer = createSendPacer(perSecond)) {
  const started = performance.now();
  const released: number[] = [];
  const answer = () => (answerMs > 0 ? new Promise((resolve) => setTimeout(resolve, answerMs)) : Promise.resolve());
  await Promise.all(
    Array.from({ length: count }, () =>
      pacer.pace(NUMBER, () => {
        released.push(performance.now() - started);
        return answer();
      }),
    ),
  );
  return released.sort((a, b) => a - b);
}

describe("the send pacer", () => {
  it("gives each send the next slot at the rate, lets a late sender catch up a little, and waits for a full window", () => {
    expect(nextSendAt({ nextSlot: 112.5, answeredAt: [100], unanswered: 0 }, 100, 80)).toBe(112.5);
    expect(nextSendAt({ nextSlot: 112.5, answeredAt: [100], unanswered: 0 }, 500, 80)).toBe(500 - PACER_CATCH_UP_MS);
    const fullWindow = Array.from({ length: 80 }, (_, index) => index * 12.5);
    // The oldest answer must be a whole second old: no second at Meta can then hold 81 arrivals.
    expect(nextSendAt({ nextSlot: 1_000, answeredAt: [...fullWindow], unanswered: 0 }, 1_000, 80)).toBe(1_000);
    expect(nextSendAt({ nextSlot: 990, answeredAt: [5, ...fullWindow.slice(1)], unanswered: 0 }, 990, 80)).toBe(1_005 + SHORTEST_WAIT_MS);
  });

  it("counts a send that has not been answered yet as one that may still arrive", () => {
    // 79 answered a moment ago and one still in transit: the next waits for an answer a second old.
    const answered = Array.from({ length: 79 }, (_, index) => 900 + index);
    expect(nextSendAt({ nextSlot: 0, answeredAt: answered, unanswered: 1 }, 1_000, 80)).toBe(1_900 + SHORTEST_WAIT_MS);
    // Only unanswered sends: none can be a second old before a second from now.
    expect(nextSendAt({ nextSlot: 0, answeredAt: [], unanswered: 80 }, 1_000, 80)).toBe(2_000 + SHORTEST_WAIT_MS);
  });

  it("spreads a backlog evenly at 80/s instead of sending it in bursts", async () => {
    const released = await release(80, 40);
    // 40 sends at least 12.5 ms apart: about half a second, never a burst.
    expect(released.at(-1)!).toBeGreaterThanOrEqual(39 * 12.5 - 2 * PACER_CATCH_UP_MS);
    expect(released.filter((at) => at < 100).length).toBeLessThanOrEqual(Math.ceil((100 + PACER_CATCH_UP_MS) / 12.5) + 1);
  });

  it("lets the next send go only a second after the answer of the one the limit ago, when answers are slow", async () => {
    // 10/s, each answered after 200 ms: the 11th goes no sooner than 1.2 s after the first.
    const released = await release(10, 12, 200);
    expect(released[10]! - released[0]!).toBeGreaterThanOrEqual(1_200);
    expect(released[11]! - released[1]!).toBeGreaterThanOrEqual(1_200);
  });

  it("reaches 1,000/s without a timer per send, spread over the second rather than in one burst", async () => {
    const released = await release(1_000, 1_200);
    // Not in one burst: the first half second holds about half of the first thousand.
    expect(released.filter((at) => at < 500).length).toBeLessThan(700);
    // Without a timer per send it keeps up with the rate, whatever else the loop does.
    expect(released[999]!).toBeLessThan(1_500);
    // And never more than 1,000 in a window.
    expect(released[1_000]! - released[0]!).toBeGreaterThanOrEqual(1_000);
  });

  it("makes good the slots a busy event loop made a backlog miss, and still never passes the limit", async () => {
    const pacer = createSendPacer(1_000);
    const started = performance.now();
    const released: number[] = [];
    await Promise.all(
      Array.from({ length: 1_100 }, () =>
        pacer.pace(NUMBER, async () => {
          released.push(performance.now() - started);
          // The 200th send's answer comes in while the loop is busy for 200 ms (a large claim, say).
          if (released.length === 200) {
            const until = performance.now() + 200;
            while (performance.now() < until);
          }
        }),
      ),
    );
    released.sort((a, b) => a - b);
    // The stall is made good: the thousandth went at about a second, not 200 ms later.
    expect(released[999]!).toBeLessThan(1_100);
    expect(released[1_000]! - released[0]!).toBeGreaterThanOrEqual(1_000);
  });
});

describe("each number's own throughput", () => {
  it("is Meta's: 20/s for a coexistence number whatever its level, 1,000/s at HIGH, 80/s at STANDARD", () => {
    expect(throughputOf({ throughputLevel: "HIGH", coexistence: true })).toBe(20);
    expect(throughputOf({ throughputLevel: "HIGH", coexistence: false })).toBe(1_000);
    expect(throughputOf({ throughputLevel: "STANDARD", coexistence: false })).toBe(80);
    // Unknown (never asked of Meta): the configured rate alone limits it.
    expect(throughputOf({ throughputLevel: null, coexistence: false })).toBe(Infinity);
    expect(throughputOf({ throughputLevel: "NOT_APPLICABLE", coexistence: false })).toBe(Infinity);
  });

  it("lowers the configured rate for a number that allows less, and never raises it, in memory and in Redis", async () => {
    const COEXISTENCE = "106540352242923";
    const rateOf = async (phoneNumberId: string) => (phoneNumberId === COEXISTENCE ? 20 : 1_000);
    const redisServer = await startRedis();
    const redis = new Redis(redisServer.url);
    try {
      for (const pacer of [createSendPacer(80, rateOf), createRedisSendPacer(redis, 80, 1_000, rateOf)]) {
        expect(pacer.perSecond).toBe(80);
        // The coexistence number: 21 sends need a full second, where 80/s would send them in a quarter.
        const slow = await release(80, 21, 0, pacerFor(pacer, COEXISTENCE));
        expect(slow[20]! - slow[0]!).toBeGreaterThanOrEqual(1_000);
        // The HIGH number keeps the configured 80/s: 81 sends take a second too.
        const ceiling = await release(80, 81, 0, pacer);
        expect(ceiling[80]! - ceiling[0]!).toBeGreaterThanOrEqual(1_000);
      }
    } finally {
      redis.disconnect();
      await redisServer.stop();
    }

    /** `release` paces NUMBER; this paces another number instead. */
    function pacerFor(pacer: SendPacer, phoneNumberId: string): SendPacer {
      return { perSecond: pacer.perSecond, pace: (_number, send) => pacer.pace(phoneNumberId, send) };
    }
  });
});
