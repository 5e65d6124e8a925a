/**
 * `npm run bench` — the benchmark of issue 7 (`-- --quick` for CI, `-- --profile` for CPU profiles).
 * Runs each scenario against the product as its own process, on loopback and the embedded SQLite
 * default, with load generators in processes of their own; prints ONE Markdown table on stdout
 * (progress goes to stderr) and writes every raw run to bench/results/bench-<mode>-<time>.json.
 * Exits 1 when a scenario failed or a correctness check did (data lost, a message sent twice),
 * never because a target was missed: targets are for a quiet machine, not for CI.
 */
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseOptions, SCENARIOS, type Options, type ScenarioName } from "./options.ts";
import { killEverything, REPO_ROOT } from "./processes.ts";
import { PROFILE_DIR } from "./product-server.ts";
import { profileMarkdown, summarizeProfile } from "./profile-summary.ts";
import { figure, markdownTable, writeRecord, type BenchmarkRecord, type Figure } from "./report.ts";
import { clientScenario } from "./scenarios/client.ts";
import { connectionsScenario } from "./scenarios/connections.ts";
import type { LiveServers, Scenario, ScenarioContext } from "./scenarios/context.ts";
import { historyScenario } from "./scenarios/history.ts";
import { ingestScenario } from "./scenarios/ingest.ts";
import { startLiveServers } from "./scenarios/live-servers.ts";
import { outboundScenario } from "./scenarios/outbound.ts";
import { campaignScenario } from "./scenarios/campaign.ts";
import { pollingScenario } from "./scenarios/polling.ts";
import { pushScenario } from "./scenarios/push.ts";
import { queriesScenario } from "./scenarios/queries.ts";
import { startupScenario } from "./scenarios/startup.ts";

const RUNNERS: Record<ScenarioName, Scenario> = {
  startup: startupScenario,
  ingest: ingestScenario,
  connections: connectionsScenario,
  push: pushScenario,
  polling: pollingScenario,
  queries: queriesScenario,
  outbound: outboundScenario,
  campaign: campaignScenario,
  client: clientScenario,
  history: historyScenario,
};
/** These share one product and one floor server (see live-servers.ts). */
const LIVE: readonly ScenarioName[] = ["connections", "push", "polling"];
const RESULTS_DIR = path.join(REPO_ROOT, "bench", "results");

const argv = process.argv.slice(2);
let options: Options;
try {
  options = parseOptions(argv);
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
process.chdir(REPO_ROOT);
mkdirSync(RESULTS_DIR, { recursive: true });
const profileDir = options.profile ? PROFILE_DIR : null;
if (profileDir) mkdirSync(profileDir, { recursive: true });

const started = Date.now();
const log = (message: string) => console.error(`[bench ${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${message}`);
const record: BenchmarkRecord = {
  startedAt: new Date(started).toISOString(),
  finishedAt: "",
  mode: options.quick ? "quick" : "full",
  argv,
  machine: {
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    totalMemoryMb: Math.round(os.totalmem() / 2 ** 20),
    loadAverageAtStart: os.loadavg(),
    sizes: options.sizes,
  },
  figures: [],
  raw: {},
  failures: [],
  profiles: [],
  sections: [],
};
const profiles: Array<{ scenario: string; folder: string; fromUs: number }> = [];

function finish(exitCode: number, reason?: string) {
  record.finishedAt = new Date().toISOString();
  record.machine.loadAverageAtEnd = os.loadavg();
  for (const { scenario, folder, fromUs } of profiles) {
    try {
      // One profile per thread; the main thread is the busiest (the other is tsx's module loader).
      const files = readdirSync(folder).filter((name) => name.endsWith(".cpuprofile")).map((name) => path.join(folder, name));
      const [main] = files.map((file) => ({ file, summary: summarizeProfile(file, { fromUs }) })).sort((a, b) => b.summary.busyMs - a.summary.busyMs);
      if (!main) throw new Error("no .cpuprofile written (did the server stop gracefully?)");
      record.profiles.push({ scenario, file: path.relative(REPO_ROOT, main.file), top: main.summary });
      const markdown = profileMarkdown(main.file, main.summary);
      writeFileSync(path.join(folder, "summary.md"), `${markdown}\n`);
      log(`profile of ${scenario} (from the server's readiness on): ${path.relative(REPO_ROOT, main.file)}\n${markdown}`);
    } catch (error) {
      log(`profile of ${scenario} (${folder}) could not be read: ${(error as Error).message}`);
    }
  }
  if (reason) record.failures.push({ scenario: "(runner)", error: reason });
  const file = writeRecord(RESULTS_DIR, record);
  console.log(markdownTable(record.figures));
  console.log(
    `\n${record.mode} run, ${new Date(started).toISOString()}, ${os.cpus().length} cores, load average ${os
      .loadavg()
      .map((value) => value.toFixed(2))
      .join(" ")}; every figure: median of ${options.sizes.runs} runs (min–max). Raw runs: ${path.relative(REPO_ROOT, file)}`,
  );
  for (const section of record.sections) console.log(`\n${section}`);
  if (record.failures.length > 0) console.log(`\nFailed: ${record.failures.map((failure) => `${failure.scenario}: ${failure.error.split("\n")[0]}`).join("; ")}`);
  killEverything();
  process.exit(exitCode);
}

const watchdog = setTimeout(() => {
  log(`watchdog: still running after ${options.sizes.watchdogMs / 60_000} min — stopping everything`);
  finish(2, `watchdog: stopped after ${options.sizes.watchdogMs / 60_000} min`);
}, options.sizes.watchdogMs);
watchdog.unref();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping everything`);
    finish(130, `interrupted by ${signal}`);
  });
}

const shared: { live: Promise<LiveServers> | null } = { live: null };
const selected = SCENARIOS.filter((name) => options.only.includes(name));
for (const name of selected) {
  const figures: Figure[] = [];
  const raw: unknown[] = [];
  const context: ScenarioContext = {
    sizes: options.sizes,
    profileDir,
    log,
    addFigure: (input) => figures.push(figure(input)),
    addRaw: (entry) => raw.push(entry),
    addSection: (markdown) => record.sections.push(markdown),
    addProfile: (server) => {
      if (server.profile) profiles.push({ scenario: name, folder: server.profile, fromUs: server.readyAtUs });
    },
    liveServers: () => {
      shared.live ??= startLiveServers({ ...context, log }).then((servers) => {
        if (servers.product.profile) {
          profiles.push({ scenario: LIVE.filter((entry) => selected.includes(entry)).join("+"), folder: servers.product.profile, fromUs: servers.product.readyAtUs });
        }
        return servers;
      });
      return shared.live;
    },
    restartLiveServers: async () => {
      if (shared.live) await shared.live.then((servers) => servers.stop(), () => undefined);
      shared.live = null;
      return context.liveServers();
    },
  };
  log(`${name}: start`);
  try {
    await RUNNERS[name](context);
    log(`${name}: done`);
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    log(`${name}: FAILED\n${message}`);
    record.failures.push({ scenario: name, error: message });
  }
  record.figures.push(...figures);
  record.raw[name] = raw;
  const liveStillNeeded = selected.slice(selected.indexOf(name) + 1).some((next) => LIVE.includes(next));
  if (shared.live && !liveStillNeeded) {
    await shared.live.then((servers) => servers.stop(), () => undefined);
    shared.live = null;
  }
}

const failedChecks = record.figures.filter((entry) => entry.failure);
finish(record.failures.length > 0 || failedChecks.length > 0 ? 1 : 0);
