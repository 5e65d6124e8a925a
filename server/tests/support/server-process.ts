// The server as production runs it — `node --import tsx server/main.ts`, a child process with its
// own SQLite file and conversation folder — for tests that kill it, stop it, or read its output.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { ADMIN_API_TOKEN, ADMIN_EMAIL, ADMIN_PASSWORD, TEST_SECRETS_KEY } from "./harness.ts";
import { freePort } from "./ports.ts";
import { TEST_APP_SECRET, TEST_PHONE_NUMBER_ID, TEST_WABA_ID } from "./webhook-fixtures.ts";

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves once the process has ended. */
  exited: Promise<Exit>;
  /** Sends the signal and waits for the process to end. */
  kill(signal: NodeJS.Signals): Promise<Exit>;
}

/**
 * Every variable the server reads, set explicitly: a developer's `.env` (read by main.ts for
 * unset variables) can then change nothing. WhatsApp points at `apiBaseUrl` (a simulator).
 */
export async function serverEnvironment(dir: string, overrides: Record<string, string> = {}): Promise<Record<string, string>> {
  return {
    NODE_ENV: "test",
    HOST: "127.0.0.1",
    PORT: String(await freePort()),
    LOG_LEVEL: "warn",
    DATABASE_URL: `file:${path.join(dir, "bharat.db")}`,
    CONVERSATIONS_DIR: path.join(dir, "conversations"),
    MEDIA_DIR: path.join(dir, "media"),
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    ADMIN_API_TOKEN,
    WHATSAPP_TOKEN: "simulated-access-token-0123456789",
    WHATSAPP_PHONE_ID: TEST_PHONE_NUMBER_ID,
    WHATSAPP_BUSINESS_ACCOUNT_ID: TEST_WABA_ID,
    WHATSAPP_APP_SECRET: TEST_APP_SECRET,
    WHATSAPP_WEBHOOK_VERIFY_TOKEN: "verify-token-of-the-test-0123",
    WHATSAPP_ALLOW_UNSIGNED_WEBHOOKS: "false",
    WHATSAPP_API_BASE_URL: "http://127.0.0.1:9",
    WHATSAPP_API_TIMEOUT_MS: "3000",
    OUTBOX_RETRY_BASE_MS: "100",
    REDIS_URL: "",
    COOKIE_SECURE: "",
    // Instances on one PostgreSQL must share a secrets key (config.ts refuses to start without one).
    ...(overrides.DATABASE_URL?.startsWith("postgres") ? { SECRETS_KEY: TEST_SECRETS_KEY } : {}),
    ...overrides,
  };
}

/**
 * Starts the server and resolves once `/readyz` answers 200 (its database is open). `terminal`
 * runs it on a pseudo-terminal (util-linux `script`), as `npm start` in a shell does; what is
 * written to its stdin is typed on that terminal (Ctrl-C: "\x03").
 */
export async function startServerProcess(env: Record<string, string>, timeoutMs = 30_000, { terminal = false } = {}): Promise<ServerProcess> {
  const command = [process.execPath, "--import", "tsx", "server/main.ts"];
  const child = spawn(terminal ? "script" : command[0]!, terminal ? ["--quiet", "--flush", "--return", "--command", `exec ${command.join(" ")}`, "/dev/null"] : command.slice(1), {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: [terminal ? "pipe" : "ignore", "pipe", "pipe"],
  });
  const chunks: string[] = [];
  child.stdout!.on("data", (chunk: Buffer) => chunks.push(chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => chunks.push(chunk.toString()));
  const exited = new Promise<Exit>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const output = () => chunks.join("");
  const url = `http://${env.HOST}:${env.PORT}`;

  const deadline = Date.now() + timeoutMs;
  let ended = false;
  void exited.then(() => (ended = true));
  for (;;) {
    if (ended) throw new Error(`The server exited while starting:\n${output()}`);
    const ready = await fetch(`${url}/readyz`).then((response) => response.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`The server was not ready within ${timeoutMs} ms:\n${output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    child,
    output,
    exited,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
