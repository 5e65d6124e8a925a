/**
 * What the benchmark prints and keeps: one Markdown table (scenario | figure | median (min–max) |
 * baseline | ratio | target | met?) and a JSON file with every raw run, under bench/results/.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { max, median, min } from "./stats.ts";

export type Unit = "msg/s" | "sends/s" | "ms" | "KB" | "count";

export type Target = { op: "<=" | ">="; value: number } | { op: "between"; low: number; high: number };

export interface FigureInput {
  scenario: string;
  figure: string;
  unit: Unit;
  /** One value per run. */
  runs: number[];
  baseline?: { label: string; runs: number[] };
  target?: Target;
  /** A target on median / baseline median (e.g. at least half of the floor). */
  ratioTarget?: Target;
  /** Set when a correctness check failed (data lost, a message sent twice): the figure does not count. */
  failure?: string;
  /** Said next to the figure in the table. */
  note?: string;
}

export interface Figure extends FigureInput {
  median: number;
  min: number;
  max: number;
  baselineMedian: number | null;
  ratio: number | null;
  met: boolean | null;
}

function holds(value: number, target: Target): boolean {
  if (target.op === "between") return value >= target.low && value <= target.high;
  return target.op === "<=" ? value <= target.value : value >= target.value;
}

function describeTarget(target: Target, format: (value: number) => string): string {
  if (target.op === "between") return `${format(target.low)}–${format(target.high)}`;
  return `${target.op === "<=" ? "≤" : "≥"} ${format(target.value)}`;
}

export function figure(input: FigureInput): Figure {
  const value = median(input.runs);
  const baselineMedian = input.baseline ? median(input.baseline.runs) : null;
  const ratio = baselineMedian ? value / baselineMedian : null;
  const checks: boolean[] = [];
  if (input.target) checks.push(Number.isFinite(value) && holds(value, input.target));
  if (input.ratioTarget) checks.push(ratio !== null && Number.isFinite(ratio) && holds(ratio, input.ratioTarget));
  const met = input.failure ? false : checks.length > 0 ? checks.every(Boolean) : null;
  return { ...input, median: value, min: min(input.runs), max: max(input.runs), baselineMedian, ratio, met };
}

function number(value: number, unit: Unit): string {
  if (!Number.isFinite(value)) return "—";
  const digits = unit === "ms" ? (value < 10 ? 2 : value < 100 ? 1 : 0) : unit === "KB" ? (value < 100 ? 1 : 0) : value < 10 ? 2 : value < 100 ? 1 : 0;
  return value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

const withUnit = (value: number, unit: Unit) => (unit === "count" ? number(value, unit) : `${number(value, unit)} ${unit}`);

function targetText(entry: Figure): string {
  const parts: string[] = [];
  if (entry.target) parts.push(describeTarget(entry.target, (value) => withUnit(value, entry.unit)));
  if (entry.ratioTarget) parts.push(`ratio ${describeTarget(entry.ratioTarget, (value) => String(value))}`);
  return parts.join("; ") || "—";
}

export function markdownTable(figures: Figure[]): string {
  const rows = figures.map((entry) => {
    const range = entry.runs.length > 1 ? ` (${number(entry.min, entry.unit)}–${number(entry.max, entry.unit)})` : "";
    const value = `${withUnit(entry.median, entry.unit)}${range}`;
    const baseline = entry.baseline && entry.baselineMedian !== null ? `${withUnit(entry.baselineMedian, entry.unit)} ${entry.baseline.label}` : "—";
    const ratio = entry.ratio !== null && Number.isFinite(entry.ratio) ? `${entry.ratio.toFixed(entry.ratio < 10 ? 2 : 0)}×` : "—";
    const met = entry.failure ? `**FAILED**: ${entry.failure}` : entry.met === null ? "—" : entry.met ? "yes" : "no";
    const name = entry.note ? `${entry.figure} (${entry.note})` : entry.figure;
    return `| ${entry.scenario} | ${name} | ${value} | ${baseline} | ${ratio} | ${targetText(entry)} | ${met} |`;
  });
  return ["| scenario | figure | median (min–max) | baseline | ratio | target | met? |", "|---|---|---|---|---|---|---|", ...rows].join("\n");
}

export interface BenchmarkRecord {
  startedAt: string;
  finishedAt: string;
  mode: "full" | "quick";
  argv: string[];
  machine: Record<string, unknown>;
  figures: Figure[];
  /** Every run's raw measurements, by scenario. */
  raw: Record<string, unknown>;
  failures: Array<{ scenario: string; error: string }>;
  profiles: Array<{ scenario: string; file: string; top: unknown }>;
  /** Markdown printed after the table (breakdowns that are not figures). */
  sections: string[];
}

export function writeRecord(directory: string, record: BenchmarkRecord): string {
  const file = path.join(directory, `bench-${record.mode}-${record.startedAt.replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, `${JSON.stringify(record, (_key, value: unknown) => (typeof value === "number" && !Number.isFinite(value) ? null : value), 2)}\n`);
  return file;
}
