import { providerOf, type Database } from "./client.ts";

const queues = new WeakMap<Database, Promise<unknown>>();

/**
 * Runs write transactions on one SQLite database one at a time. SQLite has a single writer:
 * letting two transactions race only makes one of them wait for a lock or fail with
 * SQLITE_BUSY. PostgreSQL locks rows, so its writes run side by side.
 */
export function serializedWrite<T>(db: Database, write: () => Promise<T>): Promise<T> {
  if (providerOf(db) === "postgresql") return write();
  const previous = queues.get(db) ?? Promise.resolve();
  const run = previous.then(write, write);
  queues.set(
    db,
    run.catch(() => undefined),
  );
  return run;
}
