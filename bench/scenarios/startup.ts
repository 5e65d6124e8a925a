/**
 * Scenario 0 — start-up. How long `npm start` takes, on a checkout already built and a database
 * already created (a restart, as after a crash: every second of it Meta's webhooks wait), from
 * the command to the first 200 at /healthz. Baseline: a bare `node:http` server started the same
 * way, to its first answer — what any Node server costs on this machine at this moment.
 */
import http from "node:http";
import path from "node:path";
import { freePort } from "../../server/tests/support/ports.ts";
import { makeWorkdir, startNodeChild, type NodeChild } from "../processes.ts";
import type { Scenario } from "./context.ts";

const READY_TIMEOUT_MS = 120_000;
const BARE_SERVER = "require('node:http').createServer((_, response) => response.end('ok')).listen(Number(process.env.PORT), process.env.HOST)";

function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get(url, { agent: false, timeout: 1_000 }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode === 200));
    });
    request.on("timeout", () => request.destroy());
    request.on("error", () => resolve(false));
  });
}

/** Starts `command`, answers the ms until /healthz answered 200, and stops it. */
async function timeToReady(name: string, command: string[], env: Record<string, string>): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child: NodeChild = startNodeChild({ name, script: "", command, env: { ...env, HOST: "127.0.0.1", PORT: String(port) } });
  try {
    for (;;) {
      if (await answers(`http://127.0.0.1:${port}/healthz`)) return performance.now() - started;
      if (child.child.exitCode !== null || child.child.signalCode !== null) throw new Error(`${name} exited while starting:\n${child.output()}`);
      if (performance.now() - started > READY_TIMEOUT_MS) throw new Error(`${name} did not answer /healthz within ${READY_TIMEOUT_MS} ms:\n${child.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    await child.stop("SIGTERM", 30_000);
  }
}

export const startupScenario: Scenario = async ({ sizes, log, addFigure, addRaw }) => {
  const workdir = makeWorkdir("startup");
  const env = {
    LOG_LEVEL: "warn",
    DATABASE_URL: `file:${path.join(workdir.dir, "bharat.db")}`,
    CONVERSATIONS_DIR: path.join(workdir.dir, "conversations"),
    MEDIA_DIR: path.join(workdir.dir, "media"),
  };
  try {
    // The first start builds what changed and creates the database: not a restart.
    const first = await timeToReady("npm start (first)", ["npm", "start"], env);
    log(`startup: first start (build if needed, new database) ${Math.round(first)} ms`);
    const product: number[] = [];
    const bare: number[] = [];
    for (let run = 0; run < sizes.runs; run++) {
      bare.push(await timeToReady("bare node:http", [process.execPath, "-e", BARE_SERVER], {}));
      product.push(await timeToReady("npm start", ["npm", "start"], env));
      log(`startup: run ${run + 1}/${sizes.runs}: npm start ${Math.round(product.at(-1)!)} ms, bare node:http ${Math.round(bare.at(-1)!)} ms`);
    }
    addRaw({ firstStartMs: first, productMs: product, bareMs: bare });
    addFigure({
      scenario: "startup",
      figure: "`npm start` to /healthz, built checkout, existing database",
      unit: "ms",
      runs: product,
      baseline: { label: "bare `node:http` server", runs: bare },
      target: { op: "<=", value: 2_000 },
    });
  } finally {
    workdir.remove();
  }
};
