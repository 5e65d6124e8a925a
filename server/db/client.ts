import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PrismaLibSQL } from "@prisma/adapter-libsql";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client.ts";
import { PrismaClient as PostgresPrismaClient } from "../generated/prisma-postgres/client.ts";

/**
 * The Prisma client, typed from the SQLite schema. The PostgreSQL client is generated from a
 * schema derived mechanically from the same file (prisma/postgres-schema.ts), so its models
 * and queries are the same: one type serves both.
 */
export type Database = PrismaClient;
export type DatabaseProvider = "sqlite" | "postgresql";

const providers = new WeakMap<Database, DatabaseProvider>();

export function databaseProvider(databaseUrl: string): DatabaseProvider {
  return /^postgres(ql)?:\/\//.test(databaseUrl) ? "postgresql" : "sqlite";
}

export function providerOf(db: Database): DatabaseProvider {
  return providers.get(db) ?? "sqlite";
}

/** Creates the folder of a `file:` database so that a fresh clone needs no setup step. */
export function ensureDatabaseDirectory(databaseUrl: string) {
  if (databaseProvider(databaseUrl) !== "sqlite") return;
  const file = databaseUrl.startsWith("file://") ? fileURLToPath(databaseUrl) : databaseUrl.slice("file:".length);
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
}

export function createDatabase(databaseUrl: string): Database {
  const provider = databaseProvider(databaseUrl);
  let db: Database;
  if (provider === "postgresql") {
    db = new PostgresPrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) }) as unknown as Database;
  } else {
    ensureDatabaseDirectory(databaseUrl);
    db = new PrismaClient({ adapter: new PrismaLibSQL({ url: databaseUrl }) });
  }
  providers.set(db, provider);
  return db;
}
