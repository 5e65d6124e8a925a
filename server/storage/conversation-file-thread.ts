import { Worker } from "node:worker_threads";

/**
 * Writes conversation files on a worker thread (conversation-file-worker.ts), with a database
 * connection of its own: reading a whole conversation, serialising it and writing it cost the
 * thread that answers Meta about 15 ms a file, between deliveries (issue 16). The thread starts
 * with the first file and starts again after it ended (a crash fails only the file it was writing:
 * the mirror logs it, and `npm run conversations:rebuild` or the next change rewrites it).
 */
export interface ConversationFileWriter {
  /** Rewrites the conversation's file from the database; rejects when it could not. */
  write(conversationId: string): Promise<void>;
  /** Lets the thread finish and close its connection. */
  close(): Promise<void>;
}

export interface FileThreadData {
  databaseUrl: string;
  dir: string;
}
export type FileThreadRequest = { type: "write"; id: number; conversationId: string } | { type: "close" };
export type FileThreadAnswer = { id: number; error?: string };

/** How long a stop waits for the thread to close its connection before ending it. */
const CLOSE_GRACE_MS = 5_000;

export function conversationFileThread(databaseUrl: string, dir: string): ConversationFileWriter {
  let thread: FileThread | null = null;

  return {
    write(conversationId) {
      thread ??= startThread({ databaseUrl, dir }, () => (thread = null));
      return thread.write(conversationId);
    },
    async close() {
      const closing = thread;
      thread = null;
      await closing?.close();
    },
  };
}

interface FileThread {
  write(conversationId: string): Promise<void>;
  close(): Promise<void>;
}

function startThread(data: FileThreadData, onExit: () => void): FileThread {
  const worker = spawn(data);
  const pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  let sequence = 0;
  // Holds the process open only while a file is being written: an idle thread must not keep a
  // stopping server (or a finished test) alive.
  worker.unref();
  const exited = new Promise<void>((resolve) => {
    worker.once("exit", (code) => {
      onExit();
      for (const { reject } of pending.values()) reject(new Error(`The conversation file thread ended (exit code ${code})${failure ? `: ${failure.message}` : ""}`));
      pending.clear();
      resolve();
    });
  });
  let failure: Error | null = null;
  worker.on("error", (error) => (failure = error));
  worker.on("message", ({ id, error }: FileThreadAnswer) => {
    const request = pending.get(id);
    if (!request) return;
    pending.delete(id);
    if (pending.size === 0) worker.unref();
    if (error === undefined) request.resolve();
    else request.reject(new Error(error));
  });
  return {
    write(conversationId) {
      const id = ++sequence;
      return new Promise<void>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.ref();
        worker.postMessage({ type: "write", id, conversationId } satisfies FileThreadRequest);
      });
    },
    async close() {
      worker.postMessage({ type: "close" } satisfies FileThreadRequest);
      let grace: NodeJS.Timeout | undefined;
      const ended = await Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => (grace = setTimeout(resolve, CLOSE_GRACE_MS, false)))]);
      clearTimeout(grace);
      if (!ended) await worker.terminate();
    },
  };
}

/**
 * The bundle (`npm start`, scripts/build.mjs) has the thread's code beside it, compiled; from the
 * sources (tsx, tests) the thread registers tsx itself first: on Node 20 a worker's `--import tsx`
 * comes too late for its own first module. The thread gets none of this process's options
 * (`--import`s of the benchmark, `--cpu-prof`).
 */
function spawn(workerData: FileThreadData): Worker {
  if (!import.meta.url.endsWith(".ts")) return new Worker(new URL("./conversation-file-worker.mjs", import.meta.url), { workerData, execArgv: [] });
  const tsx = import.meta.resolve("tsx/esm/api");
  const entry = new URL("./conversation-file-worker.ts", import.meta.url).href;
  return new Worker(`import(${JSON.stringify(tsx)}).then(({ register }) => (register(), import(${JSON.stringify(entry)})));`, { eval: true, workerData, execArgv: [] });
}
