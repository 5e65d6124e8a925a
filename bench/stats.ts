/** Small, dependency-free statistics for benchmark samples. */

export function sorted(values: readonly number[]): number[] {
  return [...values].filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
}

/** Nearest-rank percentile (p in 0…100): the smallest sample with at least p % of samples at or below it. */
export function percentile(values: readonly number[], p: number): number {
  const ordered = sorted(values);
  if (ordered.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * ordered.length));
  return ordered[Math.min(ordered.length, rank) - 1]!;
}

export function median(values: readonly number[]): number {
  const ordered = sorted(values);
  if (ordered.length === 0) return Number.NaN;
  const middle = Math.floor(ordered.length / 2);
  return ordered.length % 2 === 1 ? ordered[middle]! : (ordered[middle - 1]! + ordered[middle]!) / 2;
}

export function mean(values: readonly number[]): number {
  const finite = values.filter((value) => Number.isFinite(value));
  return finite.length === 0 ? Number.NaN : finite.reduce((sum, value) => sum + value, 0) / finite.length;
}

export function min(values: readonly number[]): number {
  const ordered = sorted(values);
  return ordered.length === 0 ? Number.NaN : ordered[0]!;
}

export function max(values: readonly number[]): number {
  const ordered = sorted(values);
  return ordered.length === 0 ? Number.NaN : ordered[ordered.length - 1]!;
}

/** What one run's latency samples boil down to in the JSON (the samples themselves are kept too). */
export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarize(samples: readonly number[]): LatencySummary {
  return { count: samples.length, p50: percentile(samples, 50), p99: percentile(samples, 99), max: max(samples), mean: mean(samples) };
}

/** Rounds for the JSON: sub-millisecond precision is noise on a shared machine. */
export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
