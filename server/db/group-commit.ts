/**
 * Turns many small writes into few transactions. A database pays per statement and per commit
 * (SQLite's fsync runs on this very thread), not per row: requests that arrive while a
 * transaction is being written wait and are then written together by one `commit` call.
 *
 * `commit` gets the waiting items in arrival order and answers one result per item. When a group
 * fails, each of its items is committed alone, so one bad item fails only its own caller.
 */
export function groupCommits<Item, Result>(
  commit: (items: Item[]) => Promise<Result[]>,
  options: { maxSize: number; sizeOf?: (item: Item) => number },
): (item: Item) => Promise<Result> {
  const sizeOf = options.sizeOf ?? (() => 1);
  const waiting: Array<{ item: Item; resolve: (result: Result) => void; reject: (error: unknown) => void }> = [];
  let draining = false;

  async function drain() {
    draining = true;
    try {
      while (waiting.length > 0) {
        // SQLite answers synchronously: without a pause each request would be committed before
        // the next is even read. One turn of the event loop lets everything already received join.
        await new Promise((resolve) => setImmediate(resolve));
        const group = [waiting.shift()!];
        let size = sizeOf(group[0]!.item);
        while (waiting.length > 0 && size + sizeOf(waiting[0]!.item) <= options.maxSize) {
          const next = waiting.shift()!;
          group.push(next);
          size += sizeOf(next.item);
        }
        try {
          const results = await commit(group.map(({ item }) => item));
          group.forEach(({ resolve }, index) => resolve(results[index]!));
        } catch (error) {
          if (group.length === 1) {
            group[0]!.reject(error);
            continue;
          }
          for (const { item, resolve, reject } of group) {
            await commit([item]).then(([result]) => resolve(result!), reject);
          }
        }
      }
    } finally {
      draining = false;
    }
  }

  return (item) =>
    new Promise<Result>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (!draining) void drain();
    });
}
