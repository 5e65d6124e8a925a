import { describe, expect, it } from "vitest";
import { DEFAULT_OUTBOX_OPTIONS, dueBatchSize } from "./outbox.ts";

describe("the outbox's claims", () => {
  it("take no more rows than the pacer lets go in a quarter of their lease, so none waits past it", () => {
    const { leaseMs } = DEFAULT_OUTBOX_OPTIONS;
    // At 1 send a second, 500 claimed rows would wait up to 500 s: another worker would take the
    // ones whose 60 s lease ended, and send them a second time.
    expect(dueBatchSize(1, leaseMs)).toBe(15);
    expect(dueBatchSize(10, leaseMs)).toBe(150);
    expect(dueBatchSize(80, leaseMs)).toBe(500);
    expect(dueBatchSize(1_000, leaseMs)).toBe(500);
    expect(dueBatchSize(1, 1_000)).toBe(1);
  });
});
