/**
 * Every process the benchmark starts goes through here: started with tsx, the orphan guard and the
 * highest file-descriptor limit allowed, tracked, and killed by its own pid when the benchmark ends
 * — normally, on an error, on Ctrl-C or on the watchdog.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export const REPO_ROOT = path.resolve(import.meta.dirname, "..");
const ORPHAN_GUARD = path.join(import.meta.dirname, "load", "orphan-guard.ts");
/** Node options that let `collectGarbage` force a full GC in the child (see load/gc-on-signal.ts). */
export const GC_ON_SIGNAL = ["--expose-gc", "--import", path.join(import.meta.dirname, "load", "gc-on-signal.ts")];
const OUTPUT_KEPT_CHARS = 64 * 1024;

const running = new Map<number, ChildProcess>();
/** Children in process groups of their own (commands): signalled as a group. */
const groups = new Set<number>();
const workdirs = new Set<string>();

/** Hard stop for everything still running: the last resort on exit. */
export function killEverything() {
  for (const [pid, child] of running) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(groups.has(pid) ? -pid : pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
  running.clear();
  for (const dir of workdirs) rmSync(dir, { recursive: true, force: true });
  workdirs.clear();
}
process.on("exit", killEverything);

/** A temporary folder removed when the benchmark ends (or earlier, by `remove`). */
export function makeWorkdir(name: string) {
  const dir = mkdtempSync(path.join(tmpdir(), `bharat-bench-${name}-`));
  workdirs.add(dir);
  return {
    dir,
    remove() {
      rmSync(dir, { recursive: true, force: true });
      workdirs.delete(dir);
    },
  };
}

export interface NodeChild {
  name: string;
  child: ChildProcess;
  pid: number;
  /** The last 64 KB it wrote to stdout and stderr. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM (or `signal`), then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

export interface NodeChildOptions {
  name: string;
  /** A .ts file, absolute or relative to the repository. */
  script: string;
  /**
   * Instead of `script` through tsx: a command run as it is (`["npm", "start"]`), in the
   * repository, in a process group of its own that is signalled as a whole — npm does not pass
   * SIGTERM on to the script it runs.
   */
  command?: string[];
  env: Record<string, string>;
  /** Node options before the script, e.g. --cpu-prof. */
  nodeArgs?: string[];
  /** An IPC channel (for load generators). */
  ipc?: boolean;
}

/**
 * `node --import tsx --import orphan-guard <nodeArgs> <script>` through `sh -c 'ulimit -n <hard>; exec …'`:
 * the shell is replaced by node (same pid), which inherits the raised descriptor limit.
 */
export function startNodeChild(options: NodeChildOptions): NodeChild {
  const script = path.resolve(REPO_ROOT, options.script);
  const argv = options.command ?? [process.execPath, "--import", "tsx", "--import", ORPHAN_GUARD, ...(options.nodeArgs ?? []), script];
  const child = spawn("/bin/sh", ["-c", 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"', ...argv], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? tmpdir(), ...options.env },
    stdio: options.ipc ? ["ignore", "pipe", "pipe", "ipc"] : ["ignore", "pipe", "pipe"],
    serialization: "advanced",
    detached: options.command !== undefined,
  });
  if (child.pid === undefined) throw new Error(`Could not start ${options.name}`);
  const pid = child.pid;
  running.set(pid, child);
  if (options.command) groups.add(pid);
  const signal = (name: NodeJS.Signals) => (options.command ? process.kill(-pid, name) : child.kill(name));
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_KEPT_CHARS);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      running.delete(pid);
      groups.delete(pid);
      resolve({ code, signal });
    }),
  );
  return {
    name: options.name,
    child,
    pid,
    output: () => output,
    exited,
    async stop(stopSignal = "SIGTERM", graceMs = 15_000) {
      if (child.exitCode === null && child.signalCode === null) {
        signal(stopSignal);
        const timer = setTimeout(() => signal("SIGKILL"), graceMs);
        await exited;
        clearTimeout(timer);
      }
      // npm exits on SIGTERM before the server it runs has finished shutting down; that server
      // still writes to the work folder, so the folder cannot be removed until it is gone too.
      if (options.command && !(await until(() => !groupHasLiveMembers(pid), graceMs))) {
        process.kill(-pid, "SIGKILL");
        await until(() => !groupHasLiveMembers(pid), 5_000);
      }
    },
  };
}

/** Whether any process of group `groupId` is still running (zombies waiting to be reaped are not). */
function groupHasLiveMembers(groupId: number): boolean {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited while we looked
    }
    const [state, , processGroup] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(processGroup) === groupId && state !== "Z") return true;
  }
  return false;
}

/** Resolves with the first match of `pattern` in the child's output; fails if it exits or times out. */
export async function waitForOutput(child: NodeChild, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(child.output());
    if (match) return match;
    if (child.child.exitCode !== null || child.child.signalCode !== null) {
      throw new Error(`${child.name} exited while starting:\n${child.output()}`);
    }
    if (Date.now() > deadline) throw new Error(`${child.name} did not start within ${timeoutMs} ms:\n${child.output()}`);
    await sleep(25);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** High-resolution milliseconds since the epoch: comparable across processes of one machine. */
export const epochNow = () => performance.timeOrigin + performance.now();

/** The process's resident set size, from /proc (Linux). */
export function rssKb(pid: number): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!match) throw new Error(`No VmRSS for pid ${pid}`);
  return Number(match[1]);
}

/** Two full garbage collections in a child started with GC_ON_SIGNAL, then quiet: VmRSS is then live memory. */
export async function collectGarbage(pid: number) {
  for (let round = 0; round < 2; round++) {
    process.kill(pid, "SIGUSR2");
    await sleep(150);
  }
  await waitForQuiet(pid, { timeoutMs: 5_000 });
}

/** CPU time (user + system) the process has used, in clock ticks (1/100 s on Linux). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

const TICK_MS = 10;

/**
 * Waits until the process has been nearly idle (under `maxShare` of one core) for `windowMs`:
 * background work of the previous run (file mirror, GC) must not bill the next one. Bounded by `timeoutMs`.
 */
export async function waitForQuiet(pid: number, { maxShare = 0.1, windowMs = 250, timeoutMs = 15_000 } = {}): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const before = cpuTicks(pid);
    await sleep(windowMs);
    if (((cpuTicks(pid) - before) * TICK_MS) / windowMs <= maxShare) return true;
  }
  return false;
}

/** Polls `check` every `everyMs` until it holds; false after `timeoutMs`. */
export async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(everyMs);
  }
}
