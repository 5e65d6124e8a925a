import { describe, expect, it } from "vitest";
import { createSendPacer, pacingDelay, PACER_SAFETY_MARGIN_MS } from "./send-pacer.ts";

describe("the send pacer", () => {
  it("spaces sends at 80/s by half the even spacing, and holds the 81st until the window frees", () => {
    expect(pacingDelay([0], 0, 80)).toBeCloseTo(6.25);
    const fullWindow = Array.from({ length: 80 }, (_, index) => index * 12.5);
    expect(pacingDelay(fullWindow, 1_000, 80)).toBe(1_000 + PACER_SAFETY_MARGIN_MS - 1_000);
  });

  it("at 1,000/s sends without waiting for a timer each time, but never more than 1,000 in the window", async () => {
    const pacer = createSendPacer(1_000);
    const released: number[] = [];
    const started = performance.now();
    await Promise.all(Array.from({ length: 1_200 }, () => pacer.wait("106540352242922").then(() => released.push(performance.now() - started))));
    released.sort((a, b) => a - b);
    // Without a timer per send the first thousand go in one stretch, whatever else the loop does.
    expect(released[999]!).toBeLessThan(500);
    expect(released[1_000]!).toBeGreaterThanOrEqual(1_000);
  });
});
