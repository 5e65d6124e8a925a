/**
 * The Node version the README promises is one every installed package accepts — or the README
 * names the package and why it is safe. A new dependency that declares a newer Node fails here
 * until it is replaced, pinned (package.json `overrides`) or documented.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import semver from "semver";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");

interface LockedPackage {
  version?: string;
  engines?: { node?: string } | string[];
  optional?: boolean;
  os?: string[];
}

const manifest = JSON.parse(read("package.json")) as { engines: { node: string } };
const lock = JSON.parse(read("package-lock.json")) as { packages: Record<string, LockedPackage> };
const oldestNode = semver.minVersion(manifest.engines.node)!.version;

/** Packages whose declared `engines.node` refuses the oldest Node we support: what npm warns about. */
function refusingOldestNode() {
  const refusing = new Set<string>();
  for (const [location, locked] of Object.entries(lock.packages)) {
    const wanted = Array.isArray(locked.engines) ? undefined : locked.engines?.node;
    // Another platform's optional binary is never installed here, so never warned about.
    if (!location || !wanted || (locked.optional && locked.os && !locked.os.includes(process.platform))) continue;
    if (!semver.satisfies(oldestNode, wanted)) refusing.add(location.slice(location.lastIndexOf("node_modules/") + "node_modules/".length));
  }
  return [...refusing].sort();
}

/** The packages the README's "Unsupported engine" paragraph names and explains. */
function documentedInReadme() {
  const paragraph = read("README.md")
    .split(/\n\s*\n/)
    .find((text) => text.includes("Unsupported engine"));
  if (!paragraph) return [];
  const named = [...paragraph.matchAll(/`([^`\s]+)`/g)].map((match) => match[1]!);
  return named.filter((name) => Object.keys(lock.packages).some((location) => location.endsWith(`node_modules/${name}`))).sort();
}

describe("Node versions", () => {
  it("the README's oldest Node is the one package.json declares", () => {
    expect(read("README.md")).toContain(`Node.js ${semver.major(oldestNode)}.${semver.minor(oldestNode)} or newer`);
  });

  it("every installed package accepts the oldest supported Node, except those the README names and explains", () => {
    expect(refusingOldestNode()).toEqual(documentedInReadme());
  });
});
