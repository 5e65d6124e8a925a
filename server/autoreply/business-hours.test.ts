import { describe, expect, it } from "vitest";
import { businessHoursProblems, isOpen, isTimeZone, localTime, parseBusinessHours, type BusinessHours } from "./business-hours.ts";

const WEEKDAYS_9_TO_6: BusinessHours = {
  mon: [["09:00", "18:00"]],
  tue: [["09:00", "18:00"]],
  wed: [["09:00", "18:00"]],
  thu: [["09:00", "18:00"]],
  fri: [["09:00", "18:00"]],
  sat: [["10:00", "14:00"]],
};

describe("business hours in Asia/Kolkata (UTC+5:30, no daylight saving)", () => {
  const open = (iso: string) => isOpen(WEEKDAYS_9_TO_6, "Asia/Kolkata", new Date(iso));

  it("is open at 09:00 IST on a Wednesday (03:30 UTC) and closed a minute before", () => {
    expect(open("2026-11-25T03:30:00Z")).toBe(true);
    expect(open("2026-11-25T03:29:00Z")).toBe(false);
  });

  it("closes at 18:00 IST sharp (12:30 UTC)", () => {
    expect(open("2026-11-25T12:29:00Z")).toBe(true);
    expect(open("2026-11-25T12:30:00Z")).toBe(false);
  });

  it("reads the day in India, not in UTC: 20:00 UTC on Friday is 01:30 on Saturday, closed", () => {
    expect(localTime(new Date("2026-11-27T20:00:00Z"), "Asia/Kolkata")).toEqual({ day: "sat", minutes: 90 });
    expect(open("2026-11-27T20:00:00Z")).toBe(false);
    // Saturday 11:00 IST
    expect(open("2026-11-28T05:30:00Z")).toBe(true);
  });

  it("is closed all Sunday, a day left out", () => {
    expect(open("2026-11-29T06:00:00Z")).toBe(false);
  });

  it("is always open without hours, and never open with empty hours", () => {
    expect(isOpen(null, "Asia/Kolkata", new Date("2026-11-29T22:00:00Z"))).toBe(true);
    expect(isOpen({}, "Asia/Kolkata", new Date("2026-11-25T06:00:00Z"))).toBe(false);
  });
});

describe("business hours in Europe/London, across daylight saving", () => {
  const hours: BusinessHours = { mon: [["09:00", "17:00"]], sun: [["09:00", "17:00"]] };
  const open = (iso: string) => isOpen(hours, "Europe/London", new Date(iso));

  it("opens at 09:00 London time: 08:00 UTC in summer (BST), 09:00 UTC in winter (GMT)", () => {
    expect(open("2026-07-06T08:00:00Z")).toBe(true);
    expect(open("2026-07-06T07:59:00Z")).toBe(false);
    expect(open("2026-11-23T08:30:00Z")).toBe(false);
    expect(open("2026-11-23T09:00:00Z")).toBe(true);
  });

  it("follows the clocks on the very days they change", () => {
    // 29 March 2026: clocks go forward at 01:00 UTC; 08:30 UTC is 09:30 BST.
    expect(open("2026-03-29T08:30:00Z")).toBe(true);
    // 25 October 2026: clocks go back at 01:00 UTC; 08:30 UTC is 08:30 GMT.
    expect(open("2026-10-25T08:30:00Z")).toBe(false);
    expect(open("2026-10-25T16:59:00Z")).toBe(true);
  });
});

describe("overnight hours", () => {
  // A night pharmacy: Friday 22:00 until Saturday 02:00, and Saturday until midnight.
  const hours: BusinessHours = { fri: [["22:00", "02:00"]], sat: [["18:00", "24:00"]] };
  const open = (iso: string) => isOpen(hours, "UTC", new Date(iso));

  it("is open from the evening into the next morning, and closed after", () => {
    expect(open("2026-11-27T21:59:00Z")).toBe(false);
    expect(open("2026-11-27T22:00:00Z")).toBe(true);
    expect(open("2026-11-28T01:59:00Z")).toBe(true);
    expect(open("2026-11-28T02:00:00Z")).toBe(false);
  });

  it("treats 24:00 as the end of the day", () => {
    expect(open("2026-11-28T23:59:00Z")).toBe(true);
    expect(open("2026-11-29T00:00:00Z")).toBe(false);
  });
});

describe("checking hours and zones", () => {
  it("accepts IANA zones and refuses offsets, abbreviations and nonsense", () => {
    for (const zone of ["Asia/Kolkata", "Europe/London", "America/Argentina/Buenos_Aires", "UTC"]) expect(isTimeZone(zone), zone).toBe(true);
    for (const zone of ["+05:30", "IST", "Mars/Olympus", "", "Asia/Kolkata; DROP TABLE"]) expect(isTimeZone(zone), zone).toBe(false);
  });

  it("names each problem of a malformed schedule", () => {
    expect(businessHoursProblems({ mon: [["09:00", "18:00"]], sat: [["22:00", "02:00"]] })).toEqual([]);
    expect(businessHoursProblems({ funday: [] })).toEqual(["Unknown day “funday”: use mon, tue, wed, thu, fri, sat, sun"]);
    expect(businessHoursProblems({ mon: [["9", "18:00"]] })).toEqual(["Monday: “9–18:00” is not a time range (HH:MM, 24-hour clock)"]);
    expect(businessHoursProblems({ tue: [["25:00", "26:00"]] })).toHaveLength(1);
    expect(businessHoursProblems({ wed: [["10:00", "10:00"]] })).toEqual(["Wednesday: a range must not open and close at the same time"]);
    expect(businessHoursProblems({ thu: "09:00-18:00" })).toEqual(["Thursday: give a list of [opens, closes] ranges"]);
    expect(businessHoursProblems([])).toHaveLength(1);
  });

  it("reads back what was stored, and null as always open", () => {
    expect(parseBusinessHours(null)).toBeNull();
    expect(parseBusinessHours(JSON.stringify(WEEKDAYS_9_TO_6))).toEqual(WEEKDAYS_9_TO_6);
  });
});
