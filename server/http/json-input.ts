/**
 * Checks on JSON that arrives from outside, before any of it reaches the database. Both walk
 * the value with an explicit stack, never by recursion: a body nested 30,000 levels deep must be
 * refused, not overflow the call stack.
 */

/**
 * JSON nested deeper than this is refused. Meta's webhooks nest about 8 levels and our own API
 * inputs fewer; anything near the limit is an attack or a bug. @default 64
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Text the database cannot store as given: NUL (SQLite cuts the string there; PostgreSQL refuses
 * it) and unpaired UTF-16 surrogates (no UTF-8 encoding exists; Prisma refuses the query).
 */
const MALFORMED_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export const MALFORMED_TEXT_MESSAGE = "text must not contain NUL characters or unpaired surrogates";

export function isMalformedText(text: string): boolean {
  MALFORMED_TEXT.lastIndex = 0;
  return MALFORMED_TEXT.test(text);
}

/** True when `value` has objects or arrays nested more than `maxDepth` levels. */
export function exceedsDepth(value: unknown, maxDepth = MAX_JSON_DEPTH): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== "object") continue;
    if (depth >= maxDepth) return true;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * True when `value` has a `__proto__` key, or a `constructor` key holding a `prototype` — what
 * Fastify's JSON parser refuses in REST bodies. JSON.parse keeps such keys as plain data, but code
 * that merges or copies objects may later treat them as prototypes; refusing them everywhere is
 * simpler than auditing every copy.
 */
export function hasPrototypeKeys(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const current = stack.pop();
    if (current === null || typeof current !== "object") continue;
    if (Object.hasOwn(current, "__proto__")) return true;
    const constructorValue: unknown = Object.hasOwn(current, "constructor") ? (current as { constructor: unknown }).constructor : undefined;
    if (constructorValue !== null && typeof constructorValue === "object" && Object.hasOwn(constructorValue, "prototype")) return true;
    stack.push(...Object.values(current));
  }
  return false;
}

export const PROTOTYPE_KEYS_MESSAGE = "keys named __proto__ (or constructor.prototype) are not accepted";

/** Where the first string with malformed text is (`input.name`, `messages.0`), or null. */
export function findMalformedText(value: unknown): string | null {
  const stack: Array<[unknown, string]> = [[value, ""]];
  while (stack.length > 0) {
    const [current, where] = stack.pop()!;
    if (typeof current === "string") {
      if (isMalformedText(current)) return where || "body";
    } else if (current !== null && typeof current === "object") {
      for (const [key, child] of Object.entries(current)) stack.push([child, where ? `${where}.${key}` : key]);
    }
  }
  return null;
}

/**
 * Replaces, in place, each NUL and unpaired surrogate of every string value with U+FFFD (what a
 * decoder shows for bytes it cannot read). For webhooks: refusing one would make Meta deliver it
 * again for days, and the rest of the message is worth keeping.
 */
export function replaceMalformedText(value: unknown): void {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const current = stack.pop();
    if (current === null || typeof current !== "object") continue;
    const record = current as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const child = record[key];
      if (typeof child === "string") {
        if (isMalformedText(child)) record[key] = child.replace(MALFORMED_TEXT, "\ufffd");
      } else {
        stack.push(child);
      }
    }
  }
}
