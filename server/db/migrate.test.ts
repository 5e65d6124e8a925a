import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createClient } from "@libsql/client";
import { afterAll, describe, expect, it } from "vitest";
import { pendingSchemaChanges } from "../../prisma/new-migration.ts";
import { POSTGRES_SCHEMA, postgresSchemaFrom, SQLITE_SCHEMA } from "../../prisma/postgres-schema.ts";
import { applyMigrations } from "./migrate.ts";
import { expectMigratedToNumbers, migrationsAround, seedBeforeNumbers } from "../tests/support/numbers-migration.ts";

const dir = mkdtempSync(path.join(tmpdir(), "bharat-migrate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("migrations at start-up", () => {
  it("creates a missing database folder and applies every migration once", async () => {
    const url = `file:${path.join(dir, "nested", "folder", "app.db")}`;
    const first = await applyMigrations(url);
    expect(first.applied).toContain("20261125120000_init");
    expect((await applyMigrations(url)).applied).toEqual([]);

    const client = createClient({ url });
    const tables = await client.execute("SELECT name FROM sqlite_master WHERE type = 'table'");
    expect(tables.rows.map((row) => row.name)).toEqual(expect.arrayContaining(["Contact", "WhatsAppMessage", "Conversation"]));
    const recorded = await client.execute(`SELECT migration_name, checksum FROM "_prisma_migrations"`);
    client.close();
    // Prisma compares this checksum: a mismatch would make `prisma migrate status` report drift.
    const sql = readFileSync(path.resolve("prisma/migrations/20261125120000_init/migration.sql"));
    expect(recorded.rows[0]).toMatchObject({
      migration_name: "20261125120000_init",
      checksum: createHash("sha256").update(sql).digest("hex"),
    });
  });
});

describe("the migration that puts conversations on business numbers", () => {
  it("keeps every conversation and message, each on its workspace's first number unless it named one", async () => {
    const client = createClient({ url: `file:${path.join(dir, "before-numbers.db")}` });
    try {
      const { before, numbers, after } = migrationsAround("migrations");
      for (const sql of before) await client.executeMultiple(sql);
      await seedBeforeNumbers((sql) => client.execute(sql));
      await client.executeMultiple(numbers);
      for (const sql of after) await client.executeMultiple(sql);
      await expectMigratedToNumbers(
        async (sql) => (await client.execute(sql)).rows.map((row) => ({ ...row })),
        (sql) => client.execute(sql),
      );
    } finally {
      client.close();
    }
  });
});

describe("the migration that puts templates on business accounts", () => {
  it("gives each workspace's templates its first connected number's business account, and unknown stays unknown", async () => {
    const client = createClient({ url: `file:${path.join(dir, "before-template-accounts.db")}` });
    const migrationsDir = path.resolve("prisma/migrations");
    const names = readdirSync(migrationsDir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
    const ours = names.find((name) => name.endsWith("_templates_per_account"))!;
    const sql = (name: string) => readFileSync(path.join(migrationsDir, name, "migration.sql"), "utf8");
    try {
      for (const name of names.filter((name) => name < ours)) await client.executeMultiple(sql(name));
      const at = "'2026-12-01T10:00:00.000Z'";
      await client.executeMultiple(`
        INSERT INTO "Workspace" ("id", "name", "createdAt") VALUES ('ws-one', 'One', ${at}), ('ws-unknown', 'Unknown', ${at});
        INSERT INTO "WhatsAppPhoneNumber" ("phoneNumberId", "workspaceId", "businessAccountId", "status", "createdAt") VALUES
          ('1000', 'ws-one', 'waba-gone', 'DISCONNECTED', '2026-11-30T10:00:00.000Z'),
          ('1001', 'ws-one', 'waba-first', 'CONNECTED', '2026-12-01T10:00:00.000Z'),
          ('1002', 'ws-one', 'waba-later', 'CONNECTED', '2026-12-02T10:00:00.000Z'),
          ('2001', 'ws-unknown', NULL, 'CONNECTED', ${at});
        INSERT INTO "WhatsAppTemplate" ("id", "workspaceId", "name", "language", "category", "status", "components", "syncedAt") VALUES
          ('t-one', 'ws-one', 'hello_world', 'en_US', 'UTILITY', 'APPROVED', '[]', ${at}),
          ('t-unknown', 'ws-unknown', 'hello_world', 'en_US', 'UTILITY', 'APPROVED', '[]', ${at});`);
      await client.executeMultiple(sql(ours));
      for (const name of names.filter((name) => name > ours)) await client.executeMultiple(sql(name));
      const rows = await client.execute(`SELECT "id", "businessAccountId" FROM "WhatsAppTemplate" ORDER BY "id"`);
      expect(rows.rows.map((row) => ({ ...row }))).toEqual([
        { id: "t-one", businessAccountId: "waba-first" },
        { id: "t-unknown", businessAccountId: null },
      ]);
      // The same name and language is now two templates when the accounts differ.
      await client.execute(
        `INSERT INTO "WhatsAppTemplate" ("id", "workspaceId", "businessAccountId", "name", "language", "category", "status", "components", "syncedAt") VALUES ('t-later', 'ws-one', 'waba-later', 'hello_world', 'en_US', 'UTILITY', 'APPROVED', '[]', ${at})`,
      );
      await expect(
        client.execute(
          `INSERT INTO "WhatsAppTemplate" ("id", "workspaceId", "businessAccountId", "name", "language", "category", "status", "components", "syncedAt") VALUES ('t-twice', 'ws-one', 'waba-later', 'hello_world', 'en_US', 'UTILITY', 'APPROVED', '[]', ${at})`,
        ),
      ).rejects.toThrow(/UNIQUE/);
    } finally {
      client.close();
    }
  });
});

describe("prisma/schema.prisma", () => {
  it("is what the checked-in migrations build (run `npm run db:migration -- <name>` after editing it)", async () => {
    expect(await pendingSchemaChanges()).toBe("");
  });
});

describe("prisma/schema.postgres.prisma", () => {
  it("is generated from prisma/schema.prisma, never edited by hand", () => {
    expect(readFileSync(POSTGRES_SCHEMA, "utf8")).toBe(postgresSchemaFrom(readFileSync(SQLITE_SCHEMA, "utf8")));
  });
});
