// Prisma CLI configuration for PostgreSQL (several instances): the WebAssembly schema engine
// through the pg driver adapter. Used for `prisma generate` and migration diffs of
// schema.postgres.prisma; the server applies migrations itself (server/db/migrate.ts).
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma/config";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join(import.meta.dirname, "schema.postgres.prisma"),
  async adapter() {
    return new PrismaPg({ connectionString: process.env.DATABASE_URL ?? "postgresql://unused@localhost/unused" });
  },
});
