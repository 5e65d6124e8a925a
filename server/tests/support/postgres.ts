// A throwaway PostgreSQL from Debian's package: initdb in a temporary folder, loopback only,
// an ephemeral port, stopped by its own pid. As root (CI), the server runs as user postgres.
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { freePort } from "./ports.ts";

const BIN = process.env.POSTGRES_BIN ?? "/usr/lib/postgresql/15/bin";

function asPostgresUser(command: string, args: string[]) {
  const isRoot = process.getuid?.() === 0;
  return isRoot ? execFileSync("runuser", ["-u", "postgres", "--", command, ...args], { stdio: "pipe" }) : execFileSync(command, args, { stdio: "pipe" });
}

export interface TestPostgres {
  /** A superuser URL of the `postgres` database. */
  adminUrl: string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startPostgres(): Promise<TestPostgres> {
  if (!existsSync(path.join(BIN, "initdb"))) {
    throw new Error(`PostgreSQL not found in ${BIN}: install it with \`apt-get install postgresql\` (or set POSTGRES_BIN)`);
  }
  const dir = mkdtempSync(path.join(tmpdir(), "bharat-pg-"));
  chmodSync(dir, 0o777);
  const data = path.join(dir, "data");
  const port = await freePort();
  asPostgresUser(path.join(BIN, "initdb"), ["-D", data, "-U", "bharat", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"]);
  const server = spawn(
    process.getuid?.() === 0 ? "runuser" : path.join(BIN, "postgres"),
    [
      ...(process.getuid?.() === 0 ? ["-u", "postgres", "--", path.join(BIN, "postgres")] : []),
      "-D", data, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=200",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  const adminUrl = `postgresql://bharat@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const client = new pg.Client({ connectionString: adminUrl });
    try {
      await client.connect();
      await client.end();
      break;
    } catch (error) {
      await client.end().catch(() => {});
      if (Date.now() > deadline || server.exitCode !== null) throw new Error(`PostgreSQL did not start: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    adminUrl,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name.replace(/[^a-z0-9_]/gi, "_")}"`);
      } finally {
        await client.end();
      }
      return adminUrl.replace(/\/postgres$/, `/${name}`);
    },
    async stop() {
      // The postmaster's own pid (runuser's child), from its pid file: stopped by pid, not by name.
      const pidFile = path.join(data, "postmaster.pid");
      const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8").split("\n")[0]) : null;
      if (pid) {
        process.kill(pid, "SIGINT");
        const until = Date.now() + 10_000;
        while (existsSync(pidFile) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      if (server.exitCode === null) server.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
