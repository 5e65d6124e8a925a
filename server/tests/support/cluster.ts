// `npm run test:cluster`: several instances. Starts PostgreSQL and Redis from Debian's packages
// (temporary folders, loopback, stopped by pid), runs the whole server suite against
// PostgreSQL, then the cluster tests (two instances sharing PostgreSQL and Redis).
import { spawnSync } from "node:child_process";
import { startPostgres } from "./postgres.ts";
import { startRedis } from "./redis.ts";

/** SQLite-only: the SQLite migrator and the SQLite schema's drift check (PostgreSQL's are in the cluster tests). */
const SQLITE_ONLY = ["server/db/migrate.test.ts"];

const postgres = await startPostgres();
const redis = await startRedis();
const env = { ...process.env, TEST_POSTGRES_ADMIN_URL: postgres.adminUrl, TEST_REDIS_URL: redis.url };
const vitest = (args: string[]) => spawnSync("npx", ["vitest", "run", ...args], { env, stdio: "inherit" }).status ?? 1;

let status = 1;
try {
  console.log("== the server suite on PostgreSQL");
  status = vitest(["--project", "server", ...SQLITE_ONLY.flatMap((file) => ["--exclude", file])]);
  if (status === 0) {
    console.log("== several instances");
    status = vitest(["--project", "cluster"]);
  }
} finally {
  await redis.stop();
  await postgres.stop();
}
process.exit(status);
