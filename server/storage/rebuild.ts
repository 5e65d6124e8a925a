// `npm run conversations:rebuild`: regenerates conversations/{workspaceId}/{phone}.json from the database.
import { loadConfigOrExit } from "../config.ts";
import { createDatabase } from "../db/client.ts";
import { applyMigrations } from "../db/migrate.ts";
import { countOf } from "../plural.ts";
import { rebuildConversationFiles } from "./conversation-files.ts";

const config = loadConfigOrExit();
await applyMigrations(config.DATABASE_URL);
const db = createDatabase(config.DATABASE_URL);
const count = await rebuildConversationFiles(db, config.CONVERSATIONS_DIR);
await db.$disconnect();
console.log(`Rebuilt ${countOf(count, "conversation file")} in ${config.CONVERSATIONS_DIR}/`);
