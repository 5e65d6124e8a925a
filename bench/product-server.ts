/**
 * The server under test, as production runs it: `node --import tsx server/main.ts` in a child
 * process of its own, configured only through its environment — every variable set explicitly, so
 * that a developer's `.env` changes nothing — on loopback, with the embedded SQLite database.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { CLEAN_STOP_MARKER } from "../server/storage/conversation-files.ts";
import { freePort } from "../server/tests/support/ports.ts";
import { ADMIN, ADMIN_API_TOKEN, APP_SECRET, BUSINESS_ACCOUNT_ID, PHONE_NUMBER_ID, WHATSAPP_TOKEN } from "./fixtures.ts";
import type { StepTimingAnswer, StepTimingMessage, StepTimings } from "./load/step-timing.ts";
import { GC_ON_SIGNAL, REPO_ROOT, rssKb, sleep, startNodeChild, type NodeChild } from "./processes.ts";

/** What a scenario needs of a server it measures: the product, or the floor it is compared with. */
export interface ServerUnderTest {
  label: "product" | "floor";
  url: string;
  wsUrl: string;
  pid: number;
  databaseUrl: string;
  rssKb(): number;
  stop(): Promise<void>;
}

export interface ProductServer extends ServerUnderTest {
  label: "product";
  process: NodeChild;
  /** Graceful stop (SIGTERM: the server drains and, when profiled, writes its CPU profile). */
  stop(): Promise<void>;
  /**
   * With --profile, the folder its CPU profiles land in when it stops: one file per thread (the
   * main thread and tsx's module-loader thread), hence a folder of their own.
   */
  profile: string | null;
  /** When it became ready, CLOCK_MONOTONIC µs: profiles are summarised from there (start-up excluded). */
  readyAtUs: number;
  /** With `stepTiming`: forgets what was timed so far, then hands over what was timed since (load/step-timing.ts). */
  stepTimings: { reset(): Promise<void>; take(): Promise<StepTimings> } | null;
}

export interface ProductServerOptions {
  /** Names the CPU profile. */
  name: string;
  /** A folder holding `bharat.db` (seeded or not) and the conversation files. */
  dir: string;
  env?: Record<string, string>;
  /** Where to write a CPU profile (`--cpu-prof`), or null. */
  profileDir: string | null;
  /** Lets the benchmark force a GC (memory measurements): --expose-gc and load/gc-on-signal.ts. */
  gcOnSignal?: boolean;
  /**
   * Start "as after a clean stop" (default): the conversation-files marker is written first, or the
   * server would rewrite every conversation file in the background (its crash recovery).
   */
  cleanStop?: boolean;
  /** Times each step of every webhook delivery (load/step-timing.ts, over IPC). */
  stepTiming?: boolean;
}

export const PRODUCT_DATABASE_FILE = "bharat.db";

export async function startProductServer(options: ProductServerOptions): Promise<ProductServer> {
  const port = await freePort();
  const databaseUrl = `file:${path.join(options.dir, PRODUCT_DATABASE_FILE)}`;
  const conversationsDir = path.join(options.dir, "conversations");
  mkdirSync(conversationsDir, { recursive: true });
  if (options.cleanStop !== false) writeFileSync(path.join(conversationsDir, CLEAN_STOP_MARKER), `${new Date().toISOString()}\n`);
  const env: Record<string, string> = {
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    PORT: String(port),
    LOG_LEVEL: "warn",
    DATABASE_URL: databaseUrl,
    CONVERSATIONS_DIR: conversationsDir,
    MEDIA_DIR: path.join(options.dir, "media"),
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    ADMIN_API_TOKEN,
    WHATSAPP_TOKEN,
    WHATSAPP_PHONE_ID: PHONE_NUMBER_ID,
    WHATSAPP_BUSINESS_ACCOUNT_ID: BUSINESS_ACCOUNT_ID,
    WHATSAPP_APP_SECRET: APP_SECRET,
    WHATSAPP_WEBHOOK_VERIFY_TOKEN: "bench-verify-token",
    WHATSAPP_ALLOW_UNSIGNED_WEBHOOKS: "false",
    // Nothing listens there: scenarios that send point it at the simulator.
    WHATSAPP_API_BASE_URL: "http://127.0.0.1:9",
    WHATSAPP_API_TIMEOUT_MS: "15000",
    // The default (12,000 a minute from one address) would cap the benchmark's single client at
    // 200 POSTs/s; Meta delivers from many addresses. Measured as a finding, not as the ceiling.
    WEBHOOK_RATE_LIMIT_PER_MINUTE: "60000000",
    REDIS_URL: "",
    COOKIE_SECURE: "false",
    ...options.env,
  };
  const profile = options.profileDir ? path.join(options.profileDir, `${options.name}-${new Date().toISOString().replace(/[:.]/g, "-")}`) : null;
  const nodeArgs = [
    ...(profile ? ["--cpu-prof", "--cpu-prof-dir", profile] : []),
    ...(options.gcOnSignal ? GC_ON_SIGNAL : []),
    ...(options.stepTiming ? ["--import", path.join(import.meta.dirname, "load", "step-timing.ts")] : []),
  ];
  const child = startNodeChild({ name: `product server (${options.name})`, script: "server/main.ts", env, nodeArgs, ipc: options.stepTiming });
  const url = `http://127.0.0.1:${port}`;

  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.child.exitCode !== null || child.child.signalCode !== null) throw new Error(`The product server exited while starting:\n${child.output()}`);
    if (await isReady(`${url}/readyz`)) break;
    if (Date.now() > deadline) {
      await child.stop("SIGKILL");
      throw new Error(`The product server was not ready within 90 s:\n${child.output()}`);
    }
    await sleep(50);
  }
  return {
    label: "product",
    url,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    pid: child.pid,
    databaseUrl,
    process: child,
    rssKb: () => rssKb(child.pid),
    stop: () => child.stop("SIGTERM", 30_000),
    profile,
    readyAtUs: Number(process.hrtime.bigint() / 1000n),
    stepTimings: options.stepTiming ? stepTimingsOf(child) : null,
  };
}

function stepTimingsOf(child: NodeChild): NonNullable<ProductServer["stepTimings"]> {
  const ask = <T extends StepTimingAnswer["type"]>(message: StepTimingMessage, answer: T) =>
    new Promise<Extract<StepTimingAnswer, { type: T }>>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.child.off("message", listen);
        reject(new Error(`The product server did not answer ${message.type}`));
      }, 30_000);
      const listen = (received: StepTimingAnswer) => {
        if (received.type !== answer) return;
        clearTimeout(timer);
        child.child.off("message", listen);
        resolve(received as Extract<StepTimingAnswer, { type: T }>);
      };
      child.child.on("message", listen);
      child.child.send(message);
    });
  return {
    reset: async () => void (await ask({ type: "step-timing:reset" }, "step-timing:reset-done")),
    take: async () => (await ask({ type: "step-timing:take" }, "step-timing")).timings,
  };
}

/**
 * GET /readyz on a connection of its own (no keep-alive): an idle pooled connection would hold up
 * the server's graceful stop until its keep-alive timeout.
 */
function isReady(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get(url, { agent: false, timeout: 2_000 }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode === 200));
    });
    request.on("timeout", () => request.destroy());
    request.on("error", () => resolve(false));
  });
}

export const PROFILE_DIR = path.join(REPO_ROOT, "bench", "results", "profiles");
