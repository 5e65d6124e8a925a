import type { DeliveryReport } from "./aggregate.ts";

export type CsvCell = string | number | null;

/** Spreadsheets run a cell starting with one of these as a formula (CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. Text that a
 * spreadsheet would run as a formula gets a leading apostrophe, so it shows as typed; numbers
 * are written as numbers (a negative one is not a formula).
 */
export function csvCell(value: CsvCell): string {
  if (value === null) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(rows: readonly (readonly CsvCell[])[]): string {
  return rows.map((row) => row.map(csvCell).join(",")).join("\r\n") + "\r\n";
}

/** The report's daily figures, one row per day, as the reports page shows them. */
export function dailyReportCsv(report: DeliveryReport): string {
  return toCsv([
    ["date", "messages_in", "messages_out", "delivered", "read", "failed", "delivery_rate", "read_rate", `estimated_cost_${report.cost.currency}`],
    ...report.days.map((day) => [day.date, day.inbound, day.outbound, day.delivered, day.read, day.failed, day.deliveryRate, day.readRate, day.estimatedCost]),
  ]);
}
