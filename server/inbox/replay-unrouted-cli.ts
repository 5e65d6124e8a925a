// `npm run webhooks:replay-unrouted`: stores what the unrouted log kept that can be read now.
import { loadConfigOrExit } from "../config.ts";
import { createDatabase } from "../db/client.ts";
import { applyMigrations } from "../db/migrate.ts";
import { countOf } from "../plural.ts";
import { writeConversationFile } from "../storage/conversation-files.ts";
import { replayUnroutedWebhooks } from "./replay-unrouted.ts";

const config = loadConfigOrExit();
await applyMigrations(config.DATABASE_URL);
const db = createDatabase(config.DATABASE_URL);
const result = await replayUnroutedWebhooks(db);
for (const conversationId of result.conversationIds) await writeConversationFile(db, config.CONVERSATIONS_DIR, conversationId);
await db.$disconnect();
console.log(
  `Replayed ${countOf(result.replayed, "unrouted webhook item")} (${countOf(result.stored, "new message")} stored); ${countOf(result.kept, "item")} kept in the unrouted log`,
);
