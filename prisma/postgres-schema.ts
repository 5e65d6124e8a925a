// `npm run db:postgres-schema`: writes prisma/schema.postgres.prisma from prisma/schema.prisma.
// Prisma fixes the provider per schema file, so PostgreSQL gets its own file — generated,
// never edited by hand; a test fails when the two diverge.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

export const SQLITE_SCHEMA = path.join(import.meta.dirname, "schema.prisma");
export const POSTGRES_SCHEMA = path.join(import.meta.dirname, "schema.postgres.prisma");

const HEADER = "// GENERATED from prisma/schema.prisma by prisma/postgres-schema.ts: do not edit (npm run db:migration regenerates it).\n";

function replaceOnce(text: string, search: RegExp, replacement: string) {
  if (!search.test(text)) throw new Error(`prisma/schema.prisma no longer contains ${search}`);
  return text.replace(search, replacement);
}

export function postgresSchemaFrom(sqliteSchema: string): string {
  let schema = sqliteSchema.replace(/^\/\/ The source schema.*\n/, HEADER);
  schema = replaceOnce(schema, /provider = "sqlite"/, 'provider = "postgresql"');
  schema = replaceOnce(schema, /url {6}= "file:\.\/unused\.db"/, 'url      = "postgresql://unused@localhost/unused"');
  schema = replaceOnce(schema, /output {7}= "\.\.\/server\/generated\/prisma"/, 'output       = "../server/generated/prisma-postgres"');
  // Pothos types come from the SQLite client: the models are the same.
  schema = replaceOnce(schema, /generator pothos \{[^}]*\}\n\n/, "");
  return schema;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(POSTGRES_SCHEMA, postgresSchemaFrom(readFileSync(SQLITE_SCHEMA, "utf8")));
}
