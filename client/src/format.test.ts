import { describe, expect, it } from "vitest";
import { formatClock, formatListTime } from "./format.ts";

describe("formatClock", () => {
  it("writes the time as Intl's en-IN 24-hour clock does", () => {
    const intl = new Intl.DateTimeFormat("en-IN", { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    for (const moment of [new Date(2025, 10, 25, 0, 0), new Date(2025, 10, 25, 9, 5), new Date(2025, 10, 25, 17, 32), new Date(2025, 10, 25, 23, 59)]) {
      expect(formatClock(moment.toISOString())).toBe(intl.format(moment));
    }
  });
});

describe("formatListTime", () => {
  const now = new Date(2025, 10, 25, 18, 0);

  it("shows today's time, yesterday by name, this year's day and month, and older dates in full", () => {
    expect(formatListTime(new Date(2025, 10, 25, 9, 5).toISOString(), now)).toBe("09:05");
    expect(formatListTime(new Date(2025, 10, 24, 23, 0).toISOString(), now)).toBe("Yesterday");
    expect(formatListTime(new Date(2025, 10, 3, 12, 0).toISOString(), now)).toBe("3 Nov");
    expect(formatListTime(new Date(2024, 10, 24, 12, 0).toISOString(), now)).toBe("24/11/2024");
  });
});
