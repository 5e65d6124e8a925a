/**
 * The conversation files' own thread (conversation-file-thread.ts starts it): reads a conversation
 * on a database connection of its own, serialises it and writes its file, so that none of that
 * holds the thread that answers Meta. One request at a time, in the order asked.
 */
import { parentPort, workerData } from "node:worker_threads";
import { createDatabase } from "../db/client.ts";
import { writeConversationFile } from "./conversation-files.ts";
import type { FileThreadAnswer, FileThreadData, FileThreadRequest } from "./conversation-file-thread.ts";

const port = parentPort!;
if (!parentPort) throw new Error("conversation-file-worker.ts runs as a worker thread (conversation-file-thread.ts)");
const { databaseUrl, dir } = workerData as FileThreadData;
const db = createDatabase(databaseUrl);

/** Requests run one after another, as they came. */
let queue = Promise.resolve();
port.on("message", (request: FileThreadRequest) => {
  queue = queue.then(() => handle(request));
});

async function handle(request: FileThreadRequest) {
  if (request.type === "close") {
    await db.$disconnect().catch(() => undefined);
    port.close();
    return;
  }
  let answer: FileThreadAnswer;
  try {
    await writeConversationFile(db, dir, request.conversationId);
    answer = { id: request.id };
  } catch (error) {
    answer = { id: request.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  port.postMessage(answer);
}
