import { ValidationError, type FieldError } from "../errors.ts";
import { addDays, daysInRange, parseDay, startOfDay, today, type Day } from "./calendar.ts";

/** A year, leap day included: longer ranges are refused rather than computed slowly. */
export const MAX_REPORT_DAYS = 366;
/** Without dates a report covers the last 30 days, today included. */
export const DEFAULT_REPORT_DAYS = 30;

export interface ReportRangeInput {
  from?: string | null;
  to?: string | null;
}

/** Whole local days of a workspace: `start` (inclusive) and `end` (exclusive) are the instants bounding them. */
export interface ReportRange {
  from: Day;
  to: Day;
  timeZone: string;
  start: Date;
  end: Date;
  /** Every day from `from` to `to`, in order. */
  days: Day[];
}

const NOT_A_DATE = "must be a date such as 2026-11-25";

/**
 * The days a report covers, in the workspace's time zone. Missing ends default to the last
 * {@link DEFAULT_REPORT_DAYS} days; a malformed date, a reversed range or one longer than
 * {@link MAX_REPORT_DAYS} days is a ValidationError naming the field.
 */
export function resolveReportRange(input: ReportRangeInput, timeZone: string, now: Date): ReportRange {
  const errors: FieldError[] = [];
  const read = (field: "from" | "to"): Day | null | undefined => {
    const text = input[field]?.trim();
    if (!text) return undefined;
    const day = parseDay(text);
    if (!day) errors.push({ field, message: `${field} ${NOT_A_DATE}` });
    return day;
  };
  const givenFrom = read("from");
  const givenTo = read("to");
  if (errors.length > 0) throw new ValidationError(errors);

  const to = givenTo ?? (givenFrom ? maxDay(givenFrom, today(timeZone, now)) : today(timeZone, now));
  const from = givenFrom ?? addDays(to, 1 - DEFAULT_REPORT_DAYS);
  const length = daysInRange(from, to);
  if (length < 1) throw ValidationError.of("to", "to must be on or after from");
  if (length > MAX_REPORT_DAYS) throw ValidationError.of("to", `A report covers at most ${MAX_REPORT_DAYS} days: choose a shorter range`);

  return {
    from,
    to,
    timeZone,
    start: startOfDay(from, timeZone),
    end: startOfDay(addDays(to, 1), timeZone),
    days: Array.from({ length }, (_, index) => addDays(from, index)),
  };
}

const maxDay = (a: Day, b: Day) => (a > b ? a : b);
