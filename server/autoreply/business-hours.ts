/**
 * A workspace's opening hours, read in its own time zone. Stored as JSON on the workspace:
 * `{"mon": [["09:00", "18:00"]], "sat": [["10:00", "14:00"]]}` — days left out are closed; a
 * range that closes before it opens runs past midnight (`["22:00", "02:00"]`). No hours at all
 * (null) means always open.
 */

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** [opens, closes] as "HH:MM", 24-hour clock; closes may be "24:00". */
export type TimeRange = readonly [opens: string, closes: string];
export type BusinessHours = Partial<Record<Weekday, readonly TimeRange[]>>;

export const DEFAULT_TIME_ZONE = "Asia/Kolkata";
/** More would be a mistake, not a schedule. @default 6 ranges per day */
export const MAX_RANGES_PER_DAY = 6;

const WEEKDAY_NAMES: Record<Weekday, string> = {
  mon: "Monday",
  tue: "Tuesday",
  wed: "Wednesday",
  thu: "Thursday",
  fri: "Friday",
  sat: "Saturday",
  sun: "Sunday",
};

const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Minutes since midnight of "HH:MM" ("24:00" = 1440), or null when it is not a time. */
function minutesOf(clock: string, allowEndOfDay: boolean): number | null {
  if (allowEndOfDay && clock === "24:00") return 24 * 60;
  if (!CLOCK.test(clock)) return null;
  return Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3));
}

/**
 * Whether `zone` is an IANA time zone name this runtime knows ("Asia/Kolkata", "UTC").
 * Offsets and abbreviations ("+05:30", "IST") are refused: they do not follow daylight saving.
 */
export function isTimeZone(zone: string): boolean {
  const shaped = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(zone);
  if (!shaped || (/^[A-Z]{2,5}$/.test(zone) && zone !== "UTC")) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** What is wrong with a schedule, one sentence per problem; empty when it is valid. */
export function businessHoursProblems(hours: unknown): string[] {
  if (typeof hours !== "object" || hours === null || Array.isArray(hours)) return ["Business hours must map days (mon…sun) to time ranges"];
  const problems: string[] = [];
  for (const [day, ranges] of Object.entries(hours)) {
    if (!(WEEKDAYS as readonly string[]).includes(day)) {
      problems.push(`Unknown day “${day}”: use mon, tue, wed, thu, fri, sat, sun`);
      continue;
    }
    const name = WEEKDAY_NAMES[day as Weekday];
    if (!Array.isArray(ranges)) {
      problems.push(`${name}: give a list of [opens, closes] ranges`);
      continue;
    }
    if (ranges.length > MAX_RANGES_PER_DAY) problems.push(`${name}: at most ${MAX_RANGES_PER_DAY} ranges`);
    for (const range of ranges) {
      if (!Array.isArray(range) || range.length !== 2 || typeof range[0] !== "string" || typeof range[1] !== "string") {
        problems.push(`${name}: each range is [opens, closes], e.g. ["09:00", "18:00"]`);
        continue;
      }
      const [opens, closes] = range as [string, string];
      const from = minutesOf(opens, false);
      const to = minutesOf(closes, true);
      if (from === null || to === null) problems.push(`${name}: “${opens}–${closes}” is not a time range (HH:MM, 24-hour clock)`);
      else if (from === to) problems.push(`${name}: a range must not open and close at the same time`);
    }
  }
  return problems;
}

/** The stored JSON, read back; null (always open) when there is none. Throws on a corrupt value. */
export function parseBusinessHours(json: string | null): BusinessHours | null {
  if (json === null) return null;
  const hours: unknown = JSON.parse(json);
  const problems = businessHoursProblems(hours);
  if (problems.length > 0) throw new Error(`Stored business hours are invalid: ${problems.join("; ")}`);
  return hours as BusinessHours;
}

interface LocalTime {
  day: Weekday;
  /** Minutes since local midnight */
  minutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The wall-clock weekday and time in `timeZone` at `at`. Intl applies the zone's rules for
 * that very instant, so daylight-saving changes need no arithmetic of ours.
 */
export function localTime(at: Date, timeZone: string): LocalTime {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", { timeZone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((part) => [part.type, part.value]));
  const day = String(parts.weekday).slice(0, 3).toLowerCase() as Weekday;
  return { day, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

/** Whether the business is open at `at`. Null hours: always open. */
export function isOpen(hours: BusinessHours | null, timeZone: string, at: Date): boolean {
  if (hours === null) return true;
  const { day, minutes } = localTime(at, timeZone);
  const yesterday = WEEKDAYS[(WEEKDAYS.indexOf(day) + 6) % 7]!;
  for (const [opens, closes] of hours[day] ?? []) {
    const from = minutesOf(opens, false)!;
    const to = minutesOf(closes, true)!;
    // Past midnight, today's range covers the rest of today; yesterday's covers this morning.
    if (from < to ? minutes >= from && minutes < to : minutes >= from) return true;
  }
  for (const [opens, closes] of hours[yesterday] ?? []) {
    const from = minutesOf(opens, false)!;
    const to = minutesOf(closes, true)!;
    if (from > to && minutes < to) return true;
  }
  return false;
}
