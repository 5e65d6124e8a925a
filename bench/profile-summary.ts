/**
 * Where a CPU profile's time went: self time per function and per package/file, idle excluded.
 * Used by the runner after `--profile`; also a command: `npx tsx bench/profile-summary.ts <file.cpuprofile> [top]`.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface HotSpot {
  name: string;
  where: string;
  selfMs: number;
  /** Of the busy (non-idle) time. */
  share: number;
}

export interface ProfileSummary {
  busyMs: number;
  idleMs: number;
  functions: HotSpot[];
  packages: HotSpot[];
  /** Our own functions (server/…) by inclusive time: what they and everything they call cost. */
  ours: HotSpot[];
}

const REPO_ROOT = path.resolve(import.meta.dirname, "..");

/** node_modules/@scope/name, node_modules/name, a file of ours, or Node's internals. */
function packageOf(url: string): string {
  if (!url) return "(native / VM)";
  if (url.startsWith("node:")) return "node: internals";
  const file = url.startsWith("file://") ? fileURLToPath(url) : url;
  const modules = file.lastIndexOf("node_modules/");
  if (modules >= 0) {
    const parts = file.slice(modules + "node_modules/".length).split("/");
    return parts[0]!.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  return path.relative(REPO_ROOT, file);
}

function location(url: string, line: number): string {
  if (!url) return "";
  const file = url.startsWith("file://") ? fileURLToPath(url) : url;
  const modules = file.lastIndexOf("node_modules/");
  const short = modules >= 0 ? file.slice(modules) : path.relative(REPO_ROOT, file) || file;
  return `${short}:${line + 1}`;
}

/**
 * `fromUs`: ignore samples before this moment (CLOCK_MONOTONIC µs, the clock V8 stamps profiles
 * with and `process.hrtime` reads) — e.g. the server's start-up, to see the steady state only.
 */
export function summarizeProfile(file: string, { top = 15, fromUs = 0 } = {}): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  // timeDeltas[i + 1] is how long the sample i was current.
  let at = profile.startTime;
  profile.samples.forEach((id, index) => {
    at += profile.timeDeltas[index] ?? 0;
    if (at >= fromUs) selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index + 1] ?? 0));
  });
  const byFunction = new Map<string, HotSpot>();
  const byPackage = new Map<string, HotSpot>();
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const inclusive = new Map<string, HotSpot>();
  let idleUs = 0;
  let busyUs = 0;
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = nodes.get(id)!.callFrame;
    if (functionName === "(idle)") {
      idleUs += us;
      continue;
    }
    busyUs += us;
    const name = functionName || "(anonymous)";
    const where = location(url, lineNumber);
    const key = `${name}@${where}`;
    const spot = byFunction.get(key) ?? { name, where, selfMs: 0, share: 0 };
    spot.selfMs += us / 1000;
    byFunction.set(key, spot);
    const counted = new Set<string>();
    for (let frame: number | undefined = id; frame !== undefined; frame = parents.get(frame)) {
      const callFrame = nodes.get(frame)!.callFrame;
      if (!callFrame.url.includes("/server/") || callFrame.url.includes("node_modules") || callFrame.url.includes("/generated/")) continue;
      const ownWhere = location(callFrame.url, callFrame.lineNumber);
      const ownKey = `${callFrame.functionName}@${ownWhere}`;
      if (counted.has(ownKey)) continue;
      counted.add(ownKey);
      const own = inclusive.get(ownKey) ?? { name: callFrame.functionName || "(anonymous)", where: ownWhere, selfMs: 0, share: 0 };
      own.selfMs += us / 1000;
      inclusive.set(ownKey, own);
    }
    const owner = packageOf(url);
    const group = byPackage.get(owner) ?? { name: owner, where: "", selfMs: 0, share: 0 };
    group.selfMs += us / 1000;
    byPackage.set(owner, group);
  }
  const ranked = (spots: Iterable<HotSpot>) =>
    [...spots]
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, top)
      .map((spot) => ({ ...spot, selfMs: Math.round(spot.selfMs), share: Math.round((spot.selfMs / (busyUs / 1000)) * 1000) / 10 }));
  return {
    busyMs: Math.round(busyUs / 1000),
    idleMs: Math.round(idleUs / 1000),
    functions: ranked(byFunction.values()),
    packages: ranked(byPackage.values()),
    ours: ranked(inclusive.values()),
  };
}

export function profileMarkdown(file: string, summary: ProfileSummary): string {
  const lines = [`### ${path.basename(file)} — busy ${summary.busyMs} ms, idle ${summary.idleMs} ms`, "", "| self % | self ms | function | where |", "|---|---|---|---|"];
  for (const spot of summary.functions) lines.push(`| ${spot.share} | ${spot.selfMs} | ${spot.name} | ${spot.where} |`);
  lines.push("", "| self % | self ms | package / file |", "|---|---|---|");
  for (const spot of summary.packages) lines.push(`| ${spot.share} | ${spot.selfMs} | ${spot.name} |`);
  lines.push("", "| inclusive % | inclusive ms | our function | where |", "|---|---|---|---|");
  for (const spot of summary.ours) lines.push(`| ${spot.share} | ${spot.selfMs} | ${spot.name} | ${spot.where} |`);
  return lines.join("\n");
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) {
    console.error("Usage: npx tsx bench/profile-summary.ts <file.cpuprofile> [top]");
    process.exit(1);
  }
  console.log(profileMarkdown(file, summarizeProfile(file, { top: Number(process.argv[3] ?? 25) })));
}
