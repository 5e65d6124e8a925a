/**
 * The product and the floor that the live scenarios (connections, push, polling) share, on
 * databases seeded alike with a few conversations. Started with GC_ON_SIGNAL for the memory figure;
 * the connections scenario restarts them for each of its runs (fresh processes), and the last pair
 * serves push and polling.
 */
import { customerWaId, seededConversationId } from "../fixtures.ts";
import { FLOOR_DATABASE_FILE, startFloorServer } from "../floor.ts";
import { makeWorkdir } from "../processes.ts";
import { PRODUCT_DATABASE_FILE, startProductServer } from "../product-server.ts";
import { seedDatabase } from "../seed.ts";
import type { LiveServers, ScenarioContext } from "./context.ts";

export async function startLiveServers(context: Pick<ScenarioContext, "profileDir" | "log">): Promise<LiveServers> {
  const work = makeWorkdir("live");
  const seed = { conversations: 10, messages: 200, contactShare: 0.5 };
  await Promise.all([seedDatabase(`file:${work.dir}/${PRODUCT_DATABASE_FILE}`, seed), seedDatabase(`file:${work.dir}/${FLOOR_DATABASE_FILE}`, seed)]);
  const [product, floor] = await Promise.all([
    startProductServer({ name: "live", dir: work.dir, profileDir: context.profileDir, gcOnSignal: true }),
    startFloorServer(work.dir, { gcOnSignal: true }),
  ]);
  context.log(`live servers: product ${product.url} (pid ${product.pid}), floor ${floor.url} (pid ${floor.pid})`);
  return {
    product,
    floor,
    conversationId: seededConversationId(0),
    customerWaId: customerWaId(0, 0),
    async stop() {
      await floor.stop();
      await product.stop();
      work.remove();
    },
  };
}
