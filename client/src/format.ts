/**
 * Made on first use, then kept. Making an Intl formatter is costly (ICU loads locale data and
 * builds its patterns: tens of milliseconds each on a cold start), and the first screen needs
 * few of them, if any.
 */
export function onFirstUse<T>(make: () => T): () => T {
  let made: T | undefined;
  return () => (made ??= make());
}

const dateTime = onFirstUse(() => new Intl.DateTimeFormat("en-IN", { dateStyle: "medium", timeStyle: "short" }));
const date = onFirstUse(() => new Intl.DateTimeFormat("en-IN", { dateStyle: "medium" }));

/** "25 Nov 2025, 5:32 pm" in the agent's time zone, from the server's ISO DateTime. */
export function formatDateTime(iso: string): string {
  return dateTime().format(new Date(iso));
}

/** "25 Nov 2025". */
export function formatDate(iso: string): string {
  return date().format(new Date(iso));
}

/**
 * The browser's own locale, not en-IN: a date input (which the page cannot format) shows its day
 * that way, so the figures beside it follow it and one screen has one date format.
 */
const calendarDay = onFirstUse(() => new Intl.DateTimeFormat(undefined, { day: "2-digit", month: "2-digit", year: "numeric", timeZone: "UTC" }));

/** A calendar day ("2025-11-25") as the agent's locale writes it: "25/11/2025" in India, "11/25/2025" in the US. */
export function formatCalendarDay(isoDate: string): string {
  return calendarDay().format(new Date(`${isoDate}T00:00:00Z`));
}

const dayMonth = onFirstUse(() => new Intl.DateTimeFormat("en-IN", { day: "numeric", month: "short" }));
const longDay = onFirstUse(() => new Intl.DateTimeFormat("en-IN", { weekday: "long", day: "numeric", month: "long", year: "numeric" }));

const twoDigits = (value: number) => String(value).padStart(2, "0");

/** The local calendar day of a moment, e.g. "2025-11-25": for "same day?" comparisons. */
export function localDay(moment: Date): string {
  return `${moment.getFullYear()}-${twoDigits(moment.getMonth() + 1)}-${twoDigits(moment.getDate())}`;
}

function daysBefore(now: Date, days: number): string {
  return localDay(new Date(now.getFullYear(), now.getMonth(), now.getDate() - days));
}

/**
 * Written out rather than by Intl (whose en-IN h23 output it equals): the inbox's first screen
 * is mostly today's conversations, and then needs no formatter at all.
 */
function clockOf(moment: Date): string {
  return `${twoDigits(moment.getHours())}:${twoDigits(moment.getMinutes())}`;
}

/** "17:32", 24-hour, as WhatsApp shows times in India. */
export function formatClock(iso: string): string {
  return clockOf(new Date(iso));
}

/** A conversation list's time: "17:32" today, "Yesterday", "24 Nov" this year, else "24/11/2024". */
export function formatListTime(iso: string, now = new Date()): string {
  const moment = new Date(iso);
  const day = localDay(moment);
  if (day === localDay(now)) return clockOf(moment);
  if (day === daysBefore(now, 1)) return "Yesterday";
  if (moment.getFullYear() === now.getFullYear()) return dayMonth().format(moment);
  return moment.toLocaleDateString("en-IN");
}

/** A chat's date separator: "Today", "Yesterday", else "Monday, 24 November 2025". */
export function formatDaySeparator(iso: string, now = new Date()): string {
  const day = localDay(new Date(iso));
  if (day === localDay(now)) return "Today";
  if (day === daysBefore(now, 1)) return "Yesterday";
  return longDay().format(new Date(iso));
}

/** Meta's reason for a failed send, e.g. "Message undeliverable (131026)". */
export function failureReason(errorTitle: string | null | undefined, errorCode: number | null | undefined): string {
  return `${errorTitle || "Unknown error"}${errorCode == null ? "" : ` (${errorCode})`}`;
}
