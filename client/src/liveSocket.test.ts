import { describe, expect, it } from "vitest";
import { RETRY_BASE_MS, RETRY_MAX_MS, retryDelayMs } from "./liveSocket.ts";

describe("retryDelayMs", () => {
  it("doubles from the base with jitter, never past the ceiling", () => {
    expect(retryDelayMs(0, () => 0)).toBe(RETRY_BASE_MS / 2);
    expect(retryDelayMs(0, () => 1)).toBe(RETRY_BASE_MS);
    expect(retryDelayMs(2, () => 1)).toBe(RETRY_BASE_MS * 4);
    expect(retryDelayMs(30, () => 1)).toBe(RETRY_MAX_MS);
  });
});
