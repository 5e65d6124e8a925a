import { providerOf, type Database } from "./client.ts";

/**
 * A case-insensitive "contains" filter. SQLite's LIKE already ignores ASCII case; PostgreSQL
 * needs `mode: "insensitive"`, which the SQLite client's types do not know — hence the cast.
 */
export function containsText(db: Database, text: string): { contains: string } {
  return providerOf(db) === "postgresql" ? ({ contains: text, mode: "insensitive" } as { contains: string }) : { contains: text };
}

/**
 * What a search box can mean: a case-insensitive text fragment and, when it has at least three
 * digits, the digits of a phone number however they were typed ("98765 43210"). Null when empty.
 */
export function searchTerms(db: Database, search?: string | null) {
  const text = search?.trim();
  if (!text) return null;
  const digits = text.replace(/\D/g, "");
  return { text: containsText(db, text), digits: digits.length >= 3 ? { contains: digits } : null };
}
