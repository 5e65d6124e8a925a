// @ts-check
// `npm start`: builds what changed (usually nothing), then runs the server's bundle in this
// process — no compiler and no second Node at start-up, so a restart after a crash is quick.
import { pathToFileURL } from "node:url";
import { buildIfChanged, SERVER_BUNDLE } from "./build.mjs";

try {
  await buildIfChanged();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
// Stack traces in the logs name server/*.ts lines, not the bundle's.
process.setSourceMapsEnabled(true);
await import(pathToFileURL(SERVER_BUNDLE).href);
