// Several instances of the product behind one database and one Redis, as behind a load balancer.
import type { AppOptions } from "../../app.ts";
import { startTestServer, type TestServer } from "./harness.ts";
import { startPostgres } from "./postgres.ts";
import { startRedis } from "./redis.ts";

export interface Instances {
  servers: TestServer[];
  redisUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts `count` instances sharing one PostgreSQL database and one Redis: the cluster runner's
 * (`npm run test:cluster`), or throwaway ones. Several instances need PostgreSQL: SQLite is the
 * embedded single-instance default.
 */
export async function startInstances(count: number, env: Record<string, string> = {}, options: Omit<AppOptions, "logger"> = {}): Promise<Instances> {
  const ownRedis = process.env.TEST_REDIS_URL ? null : await startRedis();
  const redisUrl = process.env.TEST_REDIS_URL ?? ownRedis!.url;
  const ownPostgres = process.env.TEST_POSTGRES_ADMIN_URL ? null : await startPostgres();
  const databaseUrl = ownPostgres ? await ownPostgres.createDatabase("instances") : undefined;
  const first = await startTestServer({ ...env, REDIS_URL: redisUrl, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) }, options);
  const others = await Promise.all(
    Array.from({ length: count - 1 }, () => startTestServer({ ...env, REDIS_URL: redisUrl, DATABASE_URL: first.app.config.DATABASE_URL }, options)),
  );
  const servers = [first, ...others];
  return {
    servers,
    redisUrl,
    async stop() {
      for (const server of servers.reverse()) await server.stop();
      await ownRedis?.stop();
      await ownPostgres?.stop();
    },
  };
}
