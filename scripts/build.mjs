// @ts-check
// `npm run build`, and the first step of `npm start`: builds the Vue client (Vite) and the server
// (one esbuild bundle, server/dist/main.mjs) — each only when its inputs changed since its last
// build, known by a hash of their contents. Plain JavaScript, so that checking costs no compiler:
// an unchanged checkout starts at once.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(import.meta.dirname, "..");
const STAMPS = path.join(ROOT, "node_modules", ".cache", "bharat-build");
export const SERVER_BUNDLE = path.join(ROOT, "server", "dist", "main.mjs");

/** Tests and test helpers change nothing that is built. */
const NOT_BUILT = /(\.test\.ts$|^server[\\/](dist|test)[\\/]|^client[\\/](dist|src[\\/]testing)[\\/])/;

/**
 * @typedef {object} Target
 * @property {string} name
 * @property {string[]} inputs files and folders, relative to the repository
 * @property {string} output a file the build writes, relative to the repository
 * @property {() => void | Promise<void>} build
 */

/** @type {Target[]} */
const TARGETS = [
  {
    name: "client",
    inputs: ["client", "package-lock.json"],
    output: "client/dist/index.html",
    build: () => run(path.join(ROOT, "node_modules", "vite", "bin", "vite.js"), ["build", "--config", "client/vite.config.ts", "--logLevel", "warn"]),
  },
  {
    name: "server",
    inputs: ["server", "package-lock.json", "tsconfig.json", "scripts/build.mjs"],
    output: "server/dist/main.mjs",
    build: buildServer,
  },
];

/**
 * Our code in one file (the conversation files' thread in another), with the packages that find
 * files of their own at run time (native drivers, Prisma's engines, pino's workers, ioredis) left
 * to node_modules. It sits two folders
 * deep like server/*.ts, so that its paths to client/dist and prisma/migrations hold.
 */
async function buildServer() {
  // Loaded only to build: an unchanged checkout does not pay for it.
  const esbuild = await import("esbuild");
  await esbuild.build({
    absWorkingDir: ROOT,
    // The conversation files' thread (server/storage/conversation-file-thread.ts) loads its
    // compiled entry from beside main.mjs.
    entryPoints: { main: "server/main.ts", "conversation-file-worker": "server/storage/conversation-file-worker.ts" },
    outdir: path.dirname(SERVER_BUNDLE),
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    sourcemap: true,
    logLevel: "warning",
    external: ["@libsql/*", "libsql", "@prisma/*", "pg", "pino", "pino-pretty", "ioredis", "@graphql-yoga/redis-event-target", "bufferutil", "utf-8-validate"],
    // Bundled CommonJS packages call require(): ESM has none of its own.
    banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
  });
}

/** @param {string} script @param {string[]} args */
function run(script, args) {
  const result = spawnSync(process.execPath, [script, ...args], { cwd: ROOT, stdio: "inherit" });
  if (result.status !== 0) throw new Error(`${path.relative(ROOT, script)} ${args[0]} failed (exit ${result.status ?? result.signal})`);
}

/** A hash of the inputs' paths and contents, in a stable order. @param {string[]} inputs */
function hashOf(inputs) {
  const hash = createHash("sha256");
  for (const input of inputs) {
    for (const file of filesOf(path.join(ROOT, input))) {
      const relative = path.relative(ROOT, file);
      if (NOT_BUILT.test(relative)) continue;
      hash.update(relative).update("\0").update(readFileSync(file)).update("\0");
    }
  }
  return hash.digest("hex");
}

/** @param {string} absolute @returns {string[]} */
function filesOf(absolute) {
  if (!existsSync(absolute)) return [];
  try {
    return readdirSync(absolute, { withFileTypes: true, recursive: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.join(entry.parentPath, entry.name))
      .sort();
  } catch {
    return [absolute];
  }
}

/** Builds what changed; answers the names of the targets built. */
export async function buildIfChanged() {
  mkdirSync(STAMPS, { recursive: true });
  const built = [];
  for (const target of TARGETS) {
    const stamp = path.join(STAMPS, `${target.name}.sha256`);
    const hash = hashOf(target.inputs);
    const upToDate = existsSync(path.join(ROOT, target.output)) && existsSync(stamp) && readFileSync(stamp, "utf8") === hash;
    if (upToDate) continue;
    console.error(`Building the ${target.name} (its sources changed since the last build)…`);
    await target.build();
    writeFileSync(stamp, hash);
    built.push(target.name);
  }
  return built;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    await buildIfChanged();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
