import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { createClient } from "@libsql/client";
import pg from "pg";
import { databaseProvider, ensureDatabaseDirectory, type DatabaseProvider } from "./client.ts";

const MIGRATION_FOLDERS: Record<DatabaseProvider, string> = {
  sqlite: path.resolve(import.meta.dirname, "../../prisma/migrations"),
  postgresql: path.resolve(import.meta.dirname, "../../prisma/migrations-postgres"),
};

/** Prisma's own bookkeeping table, so that `prisma migrate status` agrees with us. */
const CREATE_MIGRATIONS_TABLE: Record<DatabaseProvider, string> = {
  sqlite: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL, "finished_at" DATETIME,
    "migration_name" TEXT NOT NULL, "logs" TEXT, "rolled_back_at" DATETIME,
    "started_at" DATETIME NOT NULL DEFAULT current_timestamp, "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0)`,
  postgresql: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`,
};

const APPLIED = `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;

/** Any constant: instances starting together take this PostgreSQL advisory lock to migrate one at a time. */
const MIGRATION_LOCK_KEY = 7_216_031_986;

export interface MigrationResult {
  applied: string[];
}

interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

/** The SQL statements of one migration and their bookkeeping row, run in one transaction. */
interface MigrationTarget {
  appliedNames(): Promise<Set<string>>;
  apply(migration: Migration, record: { id: string; startedAt: string }): Promise<void>;
}

async function pendingMigrations(provider: DatabaseProvider, applied: Set<string>): Promise<Migration[]> {
  const folder = MIGRATION_FOLDERS[provider];
  const names = (await readdir(folder, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory() && !applied.has(entry.name))
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(folder, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    }),
  );
}

async function run(provider: DatabaseProvider, target: MigrationTarget): Promise<MigrationResult> {
  const applied: string[] = [];
  for (const migration of await pendingMigrations(provider, await target.appliedNames())) {
    try {
      await target.apply(migration, { id: randomUUID(), startedAt: new Date().toISOString() });
    } catch (error) {
      throw new Error(`Migration ${migration.name} failed: ${(error as Error).message}`, { cause: error });
    }
    applied.push(migration.name);
  }
  return { applied };
}

const RECORD = `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)`;

async function migrateSqlite(databaseUrl: string) {
  ensureDatabaseDirectory(databaseUrl);
  const client = createClient({ url: databaseUrl });
  try {
    // WAL lets readers work while the webhook writes.
    await client.execute("PRAGMA journal_mode = WAL");
    await client.execute(CREATE_MIGRATIONS_TABLE.sqlite);
    return await run("sqlite", {
      appliedNames: async () => new Set((await client.execute(APPLIED)).rows.map((row) => String(row.migration_name))),
      async apply({ name, sql, checksum }, { id, startedAt }) {
        const transaction = await client.transaction("write");
        try {
          await transaction.executeMultiple(sql);
          await transaction.execute({ sql: `${RECORD} VALUES (?, ?, ?, ?, ?, 1)`, args: [id, checksum, new Date().toISOString(), name, startedAt] });
          await transaction.commit();
        } catch (error) {
          await transaction.rollback();
          throw error;
        } finally {
          transaction.close();
        }
      },
    });
  } finally {
    client.close();
  }
}

async function migratePostgres(databaseUrl: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    await client.query(CREATE_MIGRATIONS_TABLE.postgresql);
    return await run("postgresql", {
      appliedNames: async () => new Set((await client.query<{ migration_name: string }>(APPLIED)).rows.map((row) => row.migration_name)),
      async apply({ name, sql, checksum }, { id, startedAt }) {
        await client.query("BEGIN");
        try {
          await client.query(sql);
          await client.query(`${RECORD} VALUES ($1, $2, now(), $3, $4, 1)`, [id, checksum, name, startedAt]);
          await client.query("COMMIT");
        } catch (error) {
          await client.query("ROLLBACK");
          throw error;
        }
      },
    });
  } finally {
    await client.end();
  }
}

/**
 * Applies every pending migration of the database's provider — `prisma/migrations` (SQLite) or
 * `prisma/migrations-postgres` — each in its own transaction, and records it as `prisma migrate
 * deploy` would. Runs at start-up: no CLI, no engine. Several PostgreSQL instances starting at
 * once take turns on an advisory lock.
 */
export function applyMigrations(databaseUrl: string): Promise<MigrationResult> {
  return databaseProvider(databaseUrl) === "postgresql" ? migratePostgres(databaseUrl) : migrateSqlite(databaseUrl);
}
