// `npm run db:migration -- <name>`: after editing prisma/schema.prisma, writes the SQL that takes
// the checked-in migrations to it — for SQLite (prisma/migrations) and PostgreSQL
// (prisma/migrations-postgres, under the same name) — and regenerates schema.postgres.prisma.
// PostgreSQL's diff needs a server: a throwaway one is started from Debian's package.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startPostgres } from "../server/tests/support/postgres.ts";
import { POSTGRES_SCHEMA, postgresSchemaFrom, SQLITE_SCHEMA } from "./postgres-schema.ts";

const PRISMA_DIR = import.meta.dirname;

function migrateDiff(config: string, databaseUrl: string, from: string[], to: string[]) {
  const sql = execFileSync(
    "npx",
    ["prisma", "migrate", "diff", "--config", path.join(PRISMA_DIR, config), ...from, ...to, "--script"],
    { env: { ...process.env, DATABASE_URL: databaseUrl }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  );
  return sql.includes("This is an empty migration.") ? "" : sql.trim();
}

/** SQLite: the SQL from "every migration applied" to "the schema file" (empty when in step). */
export async function pendingSchemaChanges(): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), "bharat-migration-"));
  try {
    // The CLI replays the migrations into a shadow database; it also opens DATABASE_URL.
    return migrateDiff("prisma.config.ts", `file:${path.join(dir, "unused.db")}`, ["--from-migrations", path.join(PRISMA_DIR, "migrations")], [
      "--to-schema-datamodel",
      SQLITE_SCHEMA,
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** PostgreSQL: the SQL from the checked-in schema.postgres.prisma to one generated from `sqliteSchema`. */
async function pendingPostgresChanges(nextPostgresSchema: string): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), "bharat-migration-"));
  const postgres = await startPostgres();
  try {
    const next = path.join(dir, "schema.postgres.prisma");
    writeFileSync(next, nextPostgresSchema);
    const url = await postgres.createDatabase("diff");
    return migrateDiff("prisma.postgres.config.ts", url, ["--from-schema-datamodel", POSTGRES_SCHEMA], ["--to-schema-datamodel", next]);
  } finally {
    await postgres.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [name] = process.argv.slice(2);
  const sqlite = await pendingSchemaChanges();
  const nextPostgresSchema = postgresSchemaFrom(readFileSync(SQLITE_SCHEMA, "utf8"));
  const postgres = await pendingPostgresChanges(nextPostgresSchema);
  if (!sqlite && !postgres) {
    console.log("The migrations already match prisma/schema.prisma.");
  } else if (!name || !/^[a-z0-9_]+$/.test(name)) {
    console.error("Name the migration: npm run db:migration -- add_media_fields");
    process.exit(1);
  } else {
    const folder = `${new Date().toISOString().replace(/\D/g, "").slice(0, 14)}_${name}`;
    for (const [migrations, sql] of [["migrations", sqlite], ["migrations-postgres", postgres]] as const) {
      mkdirSync(path.join(PRISMA_DIR, migrations, folder), { recursive: true });
      writeFileSync(path.join(PRISMA_DIR, migrations, folder, "migration.sql"), `${sql}\n`);
      console.log(`Wrote prisma/${migrations}/${folder}/migration.sql`);
    }
    writeFileSync(POSTGRES_SCHEMA, nextPostgresSchema);
  }
}
