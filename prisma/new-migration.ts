// `npm run db:migration -- <name>`: writes the SQL that takes the checked-in migrations to
// prisma/schema.prisma into prisma/migrations/<timestamp>_<name>/.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const PRISMA_DIR = import.meta.dirname;

/** The SQL from "every migration applied" to "the schema file" (empty when in step). */
export async function pendingSchemaChanges(): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), "bharat-migration-"));
  try {
    // The CLI replays the migrations into a shadow database; it also opens DATABASE_URL.
    const url = `file:${path.join(dir, "unused.db")}`;
    const sql = execFileSync(
      "npx",
      ["prisma", "migrate", "diff", "--config", path.join(PRISMA_DIR, "prisma.config.ts"),
        "--from-migrations", path.join(PRISMA_DIR, "migrations"),
        "--to-schema-datamodel", path.join(PRISMA_DIR, "schema.prisma"), "--script"],
      { env: { ...process.env, DATABASE_URL: url }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
    return sql.includes("This is an empty migration.") ? "" : sql.trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [name] = process.argv.slice(2);
  const sql = await pendingSchemaChanges();
  if (!sql) {
    console.log("The migrations already match prisma/schema.prisma.");
  } else if (!name || !/^[a-z0-9_]+$/.test(name)) {
    console.error("Name the migration: npm run db:migration -- add_media_fields");
    process.exit(1);
  } else {
    const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
    const folder = path.join(PRISMA_DIR, "migrations", `${stamp}_${name}`);
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, "migration.sql"), `${sql}\n`);
    console.log(`Wrote ${path.relative(process.cwd(), folder)}/migration.sql`);
  }
}
