import { describe, expect, it } from "vitest";
import { customerServiceWindow } from "./window.ts";

const now = new Date("2026-11-25T12:00:00Z");

describe("the 24-hour customer-service window", () => {
  it("is closed when the customer has never written", () => {
    expect(customerServiceWindow(null, now)).toEqual({ isOpen: false, closesAt: null });
  });

  it("is open for 24 hours after the customer's last message", () => {
    const window = customerServiceWindow(new Date("2026-11-24T12:00:01Z"), now);
    expect(window).toEqual({ isOpen: true, closesAt: new Date("2026-11-25T12:00:01Z") });
  });

  it("is closed from the 24th hour on", () => {
    expect(customerServiceWindow(new Date("2026-11-24T12:00:00Z"), now).isOpen).toBe(false);
  });
});
