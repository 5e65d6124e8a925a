/** Command line and the sizes of each scenario, full (`npm run bench`) or quick (`-- --quick`, for CI). */

export const SCENARIOS = ["startup", "ingest", "connections", "push", "polling", "queries", "outbound", "campaign", "client", "history"] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface Sizes {
  /** Runs per figure: every figure is the median of these, with min–max. */
  runs: number;
  ingest: { concurrency: number[]; durationMs: number; customersPerRun: number; sentOutbound: number };
  /**
   * `freshServers`: restart product and floor before every run (the cost of growing from a fresh
   * process); otherwise only the first run is fresh and later ones follow a forced GC (cheaper,
   * and lower by about a third: freed pages get reused).
   */
  connections: { subscribers: number; freshServers: boolean };
  push: { subscribers: number[]; subscribersPerProcess: number };
  polling: { intervalsMs: number[]; messages: number; meanGapMs: number };
  queries: { conversations: number; messages: number; requestsPerRun: number };
  outbound: { rates: number[]; messagesPerRate: Record<number, number> };
  /** Recipients of one campaign, queued by startCampaign, then sent at `rate`. */
  campaign: { recipients: number; rate: number };
  client: { conversations: number };
  /** Coexistence: a WhatsApp Business app history of `messages` over `threads` customers, `chunkSize` per webhook. */
  history: { messages: number; threads: number; chunkSize: number; batchSize: number };
  /** The whole benchmark stops (and says so) after this long. */
  watchdogMs: number;
}

export const FULL: Sizes = {
  runs: 5,
  ingest: { concurrency: [1, 8, 32], durationMs: 5_000, customersPerRun: 100, sentOutbound: 2_000 },
  connections: { subscribers: 5_000, freshServers: true },
  push: { subscribers: [100, 1_000, 5_000], subscribersPerProcess: 2_500 },
  polling: { intervalsMs: [3_000, 5_000], messages: 30, meanGapMs: 1_000 },
  queries: { conversations: 10_000, messages: 1_000_000, requestsPerRun: 300 },
  outbound: { rates: [80, 1_000], messagesPerRate: { 80: 800, 1_000: 2_000 } },
  campaign: { recipients: 100_000, rate: 1_000 },
  client: { conversations: 1_000 },
  history: { messages: 100_000, threads: 1_000, chunkSize: 2_000, batchSize: 500 },
  watchdogMs: 60 * 60_000,
};

/** Fits in about two minutes on a 2-core machine: every scenario runs, smaller. */
export const QUICK: Sizes = {
  runs: 3,
  ingest: { concurrency: [1, 8], durationMs: 1_000, customersPerRun: 50, sentOutbound: 500 },
  connections: { subscribers: 1_000, freshServers: false },
  push: { subscribers: [100, 1_000], subscribersPerProcess: 2_500 },
  polling: { intervalsMs: [3_000, 5_000], messages: 6, meanGapMs: 500 },
  queries: { conversations: 1_000, messages: 100_000, requestsPerRun: 50 },
  outbound: { rates: [80], messagesPerRate: { 80: 200 } },
  campaign: { recipients: 5_000, rate: 1_000 },
  client: { conversations: 1_000 },
  history: { messages: 10_000, threads: 200, chunkSize: 1_000, batchSize: 500 },
  watchdogMs: 6 * 60_000,
};

export interface Options {
  quick: boolean;
  profile: boolean;
  only: ScenarioName[];
  sizes: Sizes;
}

const USAGE = `Usage: npx tsx bench/run.ts [--quick] [--profile] [--only ${SCENARIOS.join(",")}] [--runs N]
  --quick    smaller sizes, about two minutes (CI)
  --profile  the product server runs with --cpu-prof; profiles and their top functions in bench/results/profiles
  --only     a comma-separated subset of scenarios
  --runs N   runs per figure (default 5, quick 3)`;

export function parseOptions(argv: string[]): Options {
  const options: Options = { quick: false, profile: false, only: [...SCENARIOS], sizes: FULL };
  let runs: number | null = null;
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]!;
    const value = () => {
      const next = argv[++index];
      if (next === undefined) throw new Error(`${argument} needs a value\n${USAGE}`);
      return next;
    };
    if (argument === "--quick") options.quick = true;
    else if (argument === "--profile") options.profile = true;
    else if (argument === "--only" || argument.startsWith("--only=")) {
      const names = (argument.includes("=") ? argument.split("=")[1]! : value()).split(",").map((name) => name.trim());
      const unknown = names.filter((name) => !(SCENARIOS as readonly string[]).includes(name));
      if (unknown.length > 0) throw new Error(`Unknown scenario ${unknown.join(", ")}\n${USAGE}`);
      options.only = names as ScenarioName[];
    } else if (argument === "--runs" || argument.startsWith("--runs=")) {
      runs = Number(argument.includes("=") ? argument.split("=")[1] : value());
      if (!Number.isInteger(runs) || runs < 1 || runs > 50) throw new Error(`--runs must be 1…50\n${USAGE}`);
    } else if (argument === "--help" || argument === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`Unknown argument ${argument}\n${USAGE}`);
  }
  const base = options.quick ? QUICK : FULL;
  options.sizes = { ...base, runs: runs ?? base.runs };
  return options;
}
