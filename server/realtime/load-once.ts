/**
 * Every subscriber of a workspace hears the same event object (one per publish, or one per Redis
 * message), and most of them select the same fields. Loading the row once per distinct selection,
 * instead of once per subscriber, keeps a fan-out to thousands of agents at one query.
 */
const loadsByEvent = new WeakMap<object, Map<string, Promise<unknown>>>();

export function loadOncePerEvent<T>(event: object, query: object, load: () => Promise<T>): Promise<T> {
  let loads = loadsByEvent.get(event);
  if (!loads) loadsByEvent.set(event, (loads = new Map()));
  const selection = JSON.stringify(query);
  let loaded = loads.get(selection) as Promise<T> | undefined;
  if (!loaded) {
    loaded = load();
    loads.set(selection, loaded);
  }
  return loaded;
}
