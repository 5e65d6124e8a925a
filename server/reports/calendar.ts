/** Calendar days and hours in a workspace's time zone, with nothing but Intl. */

/** A calendar day as forms, GraphQL and CSV write it: `2026-11-25`. */
export type Day = string;

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;
/** Every time zone's offset from UTC is a whole number of quarter hours (Nepal +05:45, Chatham +12:45…). */
const MS_PER_QUARTER_HOUR = 900_000;

/** The day itself when `text` is a real calendar date in `YYYY-MM-DD` form (no 2026-02-30), else null. */
export function parseDay(text: string): Day | null {
  const match = DAY_PATTERN.exec(text);
  if (!match) return null;
  const [year, month, date] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const utc = new Date(Date.UTC(year, month - 1, date));
  return utc.getUTCFullYear() === year && utc.getUTCMonth() === month - 1 && utc.getUTCDate() === date ? text : null;
}

const utcMidnight = (day: Day) => Date.parse(`${day}T00:00:00Z`);

export function addDays(day: Day, days: number): Day {
  return new Date(utcMidnight(day) + days * MS_PER_DAY).toISOString().slice(0, 10);
}

/** How many days `from`…`to` spans, both included (1 for a single day, 0 or less when reversed). */
export function daysInRange(from: Day, to: Day): number {
  return Math.round((utcMidnight(to) - utcMidnight(from)) / MS_PER_DAY) + 1;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Local wall-clock fields of an instant in a time zone. */
function wallClock(timeZone: string) {
  const format = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  });
  return (ms: number) => {
    const parts: Record<string, string> = {};
    for (const part of format.formatToParts(ms)) parts[part.type] = part.value;
    return {
      day: `${parts.year}-${parts.month}-${parts.day}`,
      hour: Number(parts.hour),
      /** The same wall-clock time read as if it were UTC: minus `ms`, it is the zone's offset. */
      asUtc: Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second)),
    };
  };
}

/**
 * Reads instants as the zone's local day and hour. Formatting is the costly part of a report
 * over many messages, so answers are remembered per quarter hour: within one, the local day
 * and hour cannot change.
 */
export function zonedClock(timeZone: string): (instant: Date) => { day: Day; hour: number } {
  const read = wallClock(timeZone);
  const seen = new Map<number, { day: Day; hour: number }>();
  return (instant) => {
    const quarter = Math.floor(instant.getTime() / MS_PER_QUARTER_HOUR);
    let local = seen.get(quarter);
    if (!local) {
      const { day, hour } = read(quarter * MS_PER_QUARTER_HOUR);
      local = { day, hour };
      seen.set(quarter, local);
    }
    return local;
  };
}

/** The zone's current day. */
export function today(timeZone: string, now: Date): Day {
  return wallClock(timeZone)(now.getTime()).day;
}

/** The instant a local day begins in the zone (around a DST change, the first instant of that day). */
export function startOfDay(day: Day, timeZone: string): Date {
  const read = wallClock(timeZone);
  const midnightAsUtc = utcMidnight(day);
  const offsetAt = (ms: number) => read(ms).asUtc - ms;
  let start = midnightAsUtc - offsetAt(midnightAsUtc);
  // The offset at the guess may differ from the offset at the day's start (a DST change in between).
  const corrected = midnightAsUtc - offsetAt(start);
  if (corrected !== start && read(corrected).day === day) start = corrected;
  return new Date(start);
}
