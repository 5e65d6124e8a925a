/** Starts the floor server (floor-server.ts) as its own process, on a database seeded like the product's. */
import path from "node:path";
import { ADMIN_API_TOKEN, APP_SECRET, PHONE_NUMBER_ID, WORKSPACE_ID } from "./fixtures.ts";
import { GC_ON_SIGNAL, rssKb, startNodeChild, waitForOutput } from "./processes.ts";
import type { ServerUnderTest } from "./product-server.ts";

export const FLOOR_DATABASE_FILE = "floor.db";

export async function startFloorServer(dir: string, { gcOnSignal = false } = {}): Promise<ServerUnderTest> {
  const databaseUrl = `file:${path.join(dir, FLOOR_DATABASE_FILE)}`;
  const child = startNodeChild({
    name: "floor server",
    script: "bench/floor-server.ts",
    nodeArgs: gcOnSignal ? GC_ON_SIGNAL : [],
    env: {
      FLOOR_DATABASE_URL: databaseUrl,
      FLOOR_APP_SECRET: APP_SECRET,
      FLOOR_API_TOKEN: ADMIN_API_TOKEN,
      FLOOR_WORKSPACE_ID: WORKSPACE_ID,
      FLOOR_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
    },
  });
  const [, url] = await waitForOutput(child, /floor listening on (http:\/\/\S+)/, 60_000);
  return {
    label: "floor",
    url: url!,
    wsUrl: `${url!.replace("http", "ws")}/graphql`,
    pid: child.pid,
    databaseUrl,
    rssKb: () => rssKb(child.pid),
    stop: () => child.stop("SIGTERM", 10_000),
  };
}
