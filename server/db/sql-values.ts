import { Prisma } from "../generated/prisma/client.ts";
import type { DatabaseProvider } from "./client.ts";

/** Prisma's DateTime as SQLite stores it ("2026-11-25T12:00:00.000+00:00"); text that sorts by time. */
export const sqliteDateTime = (value: Date) => value.toISOString().replace("Z", "+00:00");

/**
 * Values for the few raw statements that both databases must read alike. PostgreSQL types the
 * parameters of a VALUES list only through explicit casts (and enums by name); SQLite keeps
 * Prisma's DateTime as text, so a raw value must be exactly that text or rows would compare and
 * sort wrongly next to the ones Prisma wrote.
 */
export function sqlValues(provider: DatabaseProvider) {
  const postgres = provider === "postgresql";
  return {
    text: (value: string | null) => (postgres ? Prisma.sql`CAST(${value} AS TEXT)` : Prisma.sql`${value}`),
    integer: (value: number | null) => (postgres ? Prisma.sql`CAST(${value} AS INTEGER)` : Prisma.sql`${value}`),
    /** SQLite keeps Prisma's Boolean as 0 or 1. */
    boolean: (value: boolean | null) => (postgres ? Prisma.sql`CAST(${value} AS BOOLEAN)` : Prisma.sql`${value === null ? null : Number(value)}`),
    dateTime: (value: Date | null) =>
      postgres ? Prisma.sql`CAST(${value?.toISOString() ?? null} AS TIMESTAMP(3))` : Prisma.sql`${value ? sqliteDateTime(value) : null}`,
    enumValue: (value: string | null, type: string) => (postgres ? Prisma.sql`CAST(${value} AS ${Prisma.raw(`"${type}"`)})` : Prisma.sql`${value}`),
  };
}

export type SqlValues = ReturnType<typeof sqlValues>;

/**
 * Rows per raw statement: SQLite takes at most 32,766 parameters in one statement and PostgreSQL
 * 65,535, and one webhook may carry thousands of items (up to 3 MB).
 */
export const RAW_ROWS_PER_STATEMENT = 500;

/** SQLite's limit (PostgreSQL's is twice that). */
export const MAX_PARAMETERS_PER_STATEMENT = 32_766;

/** `items` in runs of RAW_ROWS_PER_STATEMENT, one statement each. */
export function statementChunks<T>(items: readonly T[], size = RAW_ROWS_PER_STATEMENT): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}
