/**
 * Merges records that arrive from several places — a page of a query, a refetch while polling,
 * a subscription push, a mutation's answer — into one list without duplicates: the same id is
 * one entry, `pick` chooses between two versions of it, and the result is sorted by `order`.
 */
export function mergeById<T extends { id: string }>(
  existing: readonly T[],
  incoming: readonly T[],
  options: { order: (a: T, b: T) => number; pick?: (current: T, arriving: T) => T },
): T[] {
  const pick = options.pick ?? ((_current: T, arriving: T) => arriving);
  const byId = new Map(existing.map((item) => [item.id, item]));
  for (const item of incoming) {
    const current = byId.get(item.id);
    byId.set(item.id, current ? pick(current, item) : item);
  }
  return [...byId.values()].sort(options.order);
}

/** Plain code-unit order, as the database sorts ISO timestamps and ids (not the locale's order). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
