import { describe, expect, it } from "vitest";
import { windowState } from "./useWindowState.ts";

// Local times: the labels are in the agent's time zone.
const at = (day: number, hours: number, minutes = 0) => new Date(2025, 10, day, hours, minutes);

describe("windowState", () => {
  it("is open until the moment it closes, with that time", () => {
    expect(windowState(at(25, 17, 32).toISOString(), at(25, 9))).toEqual({ open: true, label: "Window open until 17:32" });
  });

  it("says tomorrow when the window closes after midnight, as a 24-hour window mostly does", () => {
    expect(windowState(at(26, 9, 5).toISOString(), at(25, 21))).toEqual({ open: true, label: "Window open until 09:05 tomorrow" });
  });

  it("needs a template once the window has closed", () => {
    expect(windowState(at(25, 9).toISOString(), at(25, 9))).toEqual({ open: false, label: "Template needed" });
    expect(windowState(at(24, 9).toISOString(), at(25, 9)).open).toBe(false);
  });

  it("needs a template when the customer has never written", () => {
    expect(windowState(null, at(25, 9))).toEqual({ open: false, label: "Template needed" });
  });
});
