import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createClient } from "@libsql/client";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations } from "../../db/migrate.ts";
import { startPostgres, type TestPostgres } from "../support/postgres.ts";
import { expectMigratedToNumbers, migrationsAround, seedBeforeNumbers } from "../support/numbers-migration.ts";

let postgres: TestPostgres | null = null;
let postgresAdminUrl: string;
const dir = mkdtempSync(path.join(tmpdir(), "bharat-migrations-"));

beforeAll(async () => {
  if (!process.env.TEST_POSTGRES_ADMIN_URL) postgres = await startPostgres();
  postgresAdminUrl = process.env.TEST_POSTGRES_ADMIN_URL ?? postgres!.adminUrl;
});
afterAll(async () => {
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

type Columns = Record<string, Record<string, { nullable: boolean }>>;

async function sqliteColumns(url: string): Promise<Columns> {
  const client = createClient({ url });
  const tables = await client.execute(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations'`);
  const columns: Columns = {};
  for (const { name } of tables.rows) {
    const info = await client.execute(`PRAGMA table_info("${String(name)}")`);
    columns[String(name)] = Object.fromEntries(info.rows.map((row) => [String(row.name), { nullable: Number(row.notnull) === 0 && Number(row.pk) === 0 }]));
  }
  client.close();
  return columns;
}

async function postgresColumns(url: string): Promise<Columns> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const result = await client.query<{ table_name: string; column_name: string; is_nullable: string }>(
    `SELECT table_name, column_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
  );
  await client.end();
  const columns: Columns = {};
  for (const row of result.rows) (columns[row.table_name] ??= {})[row.column_name] = { nullable: row.is_nullable === "YES" };
  return columns;
}

describe("the two migration folders", () => {
  it("build the same tables and columns on SQLite and on PostgreSQL", async () => {
    const sqliteUrl = `file:${path.join(dir, "empty.db")}`;
    const client = new pg.Client({ connectionString: postgresAdminUrl });
    await client.connect();
    await client.query(`CREATE DATABASE migrations_compare`);
    await client.end();
    const postgresUrl = postgresAdminUrl.replace(/\/[^/]*$/, "/migrations_compare");

    const applied = await Promise.all([applyMigrations(sqliteUrl), applyMigrations(postgresUrl)]);
    expect(applied[0].applied).toEqual(applied[1].applied);
    expect(await postgresColumns(postgresUrl)).toEqual(await sqliteColumns(sqliteUrl));
  });

  it("are applied once when several instances start together", async () => {
    const client = new pg.Client({ connectionString: postgresAdminUrl });
    await client.connect();
    await client.query(`CREATE DATABASE migrations_race`);
    await client.end();
    const url = postgresAdminUrl.replace(/\/[^/]*$/, "/migrations_race");
    const results = await Promise.all([applyMigrations(url), applyMigrations(url), applyMigrations(url)]);
    expect(results.filter((result) => result.applied.length > 0)).toHaveLength(1);
    expect(results.flatMap((result) => result.applied)).toContain("20261125120000_init");
  });

  it("keep every conversation and message on PostgreSQL when conversations move onto business numbers", async () => {
    const admin = new pg.Client({ connectionString: postgresAdminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE migrations_numbers`);
    await admin.end();
    const client = new pg.Client({ connectionString: postgresAdminUrl.replace(/\/[^/]*$/, "/migrations_numbers") });
    await client.connect();
    try {
      const { before, numbers, after } = migrationsAround("migrations-postgres");
      for (const sql of before) await client.query(sql);
      await seedBeforeNumbers((sql) => client.query(sql));
      await client.query(numbers);
      for (const sql of after) await client.query(sql);
      await expectMigratedToNumbers(async (sql) => (await client.query(sql)).rows, (sql) => client.query(sql));
    } finally {
      await client.end();
    }
  });
});
