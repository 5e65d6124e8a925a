import { describe, expect, it } from "vitest";
import { createSendPacer, nextSendAt, PACER_CATCH_UP_MS, PACER_SAFETY_MARGIN_MS } from "./send-pacer.ts";

const NUMBER = "106540352242922";

/** Releases `count` sends through a fresh pacer; answers when each went, ms from the start, in order. */
async function release(perSecond: number, count: number) {
  const pacer = createSendPacer(perSecond);
  const started = performance.now();
  const released: number[] = [];
  await Promise.all(Array.from({ length: count }, () => pacer.wait(NUMBER).then(() => released.push(performance.now() - started))));
  return released.sort((a, b) => a - b);
}

describe("the send pacer", () => {
  it("gives each send the next slot at the rate, lets a late sender catch up a little, and waits for a full window", () => {
    expect(nextSendAt({ nextSlot: 112.5, sentTimes: [100] }, 100, 80)).toBe(112.5);
    expect(nextSendAt({ nextSlot: 112.5, sentTimes: [100] }, 500, 80)).toBe(500 - PACER_CATCH_UP_MS);
    const fullWindow = Array.from({ length: 80 }, (_, index) => index * 12.5);
    expect(nextSendAt({ nextSlot: 1_000, sentTimes: fullWindow }, 1_000, 80)).toBe(1_000 + PACER_SAFETY_MARGIN_MS);
  });

  it("spreads a backlog evenly at 80/s instead of sending it in bursts", async () => {
    const released = await release(80, 40);
    // 40 sends at least 12.5 ms apart: about half a second, never a burst.
    expect(released.at(-1)!).toBeGreaterThanOrEqual(39 * 12.5 - 2 * PACER_CATCH_UP_MS);
    expect(released.filter((at) => at < 100).length).toBeLessThanOrEqual(Math.ceil((100 + PACER_CATCH_UP_MS) / 12.5) + 1);
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
});
