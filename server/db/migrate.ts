import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { createClient } from "@libsql/client";
import { ensureDatabaseDirectory } from "./client.ts";

const MIGRATIONS_DIR = path.resolve(import.meta.dirname, "../../prisma/migrations");

/** Prisma's own bookkeeping table, so that `prisma migrate status` agrees with us. */
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "checksum" TEXT NOT NULL,
  "finished_at" DATETIME,
  "migration_name" TEXT NOT NULL,
  "logs" TEXT,
  "rolled_back_at" DATETIME,
  "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
  "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

export interface MigrationResult {
  applied: string[];
}

/**
 * Applies every pending `prisma/migrations/<name>/migration.sql`, each in its own transaction,
 * and records it as `prisma migrate deploy` would. Runs at start-up: no CLI, no engine.
 * Also switches the database to WAL, which lets readers work while the webhook writes.
 */
export async function applyMigrations(databaseUrl: string): Promise<MigrationResult> {
  ensureDatabaseDirectory(databaseUrl);
  const client = createClient({ url: databaseUrl });
  try {
    await client.execute("PRAGMA journal_mode = WAL");
    await client.execute(CREATE_MIGRATIONS_TABLE);
    const done = await client.execute(
      `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    const appliedNames = new Set(done.rows.map((row) => String(row.migration_name)));
    const names = (await readdir(MIGRATIONS_DIR, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    const applied: string[] = [];
    for (const name of names) {
      if (appliedNames.has(name)) continue;
      const sql = await readFile(path.join(MIGRATIONS_DIR, name, "migration.sql"), "utf8");
      const checksum = createHash("sha256").update(sql).digest("hex");
      const startedAt = new Date().toISOString();
      const transaction = await client.transaction("write");
      try {
        await transaction.executeMultiple(sql);
        await transaction.execute({
          sql: `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
                VALUES (?, ?, ?, ?, ?, 1)`,
          args: [randomUUID(), checksum, new Date().toISOString(), name, startedAt],
        });
        await transaction.commit();
      } catch (error) {
        await transaction.rollback();
        throw new Error(`Migration ${name} failed: ${(error as Error).message}`, { cause: error });
      } finally {
        transaction.close();
      }
      applied.push(name);
    }
    return { applied };
  } finally {
    client.close();
  }
}
