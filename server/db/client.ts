import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Client, Config } from "@libsql/client";
import { PrismaLibSQL } from "@prisma/adapter-libsql";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client.ts";
import { PrismaClient as PostgresPrismaClient } from "../generated/prisma-postgres/client.ts";
import { shareConnection } from "./driver-transaction.ts";
import { openSqliteConnection } from "./sqlite-connection.ts";

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

/**
 * The file of a `file:` URL, as SQLite opens it (relative to the working folder), percent-decoded
 * as @libsql/client read it; other names as they are (`:memory:`). The configuration refuses a
 * query or fragment (config.ts), which @libsql/client refused too.
 */
function sqliteFile(databaseUrl: string): string {
  if (databaseUrl.startsWith("file://")) return fileURLToPath(databaseUrl);
  return databaseUrl.startsWith("file:") ? decodeURIComponent(databaseUrl.slice("file:".length)) : databaseUrl;
}

/** The folder of a `file:` database (data/ by default); null for PostgreSQL. */
export function databaseFolder(databaseUrl: string): string | null {
  if (databaseProvider(databaseUrl) !== "sqlite") return null;
  return path.dirname(path.resolve(sqliteFile(databaseUrl)));
}

/** Creates the folder of a `file:` database so that a fresh clone needs no setup step. */
export function ensureDatabaseDirectory(databaseUrl: string) {
  const folder = databaseFolder(databaseUrl);
  if (folder) mkdirSync(folder, { recursive: true });
}

export function createDatabase(databaseUrl: string): Database {
  const provider = databaseProvider(databaseUrl);
  let db: Database;
  let adapter: PrismaPg | OneConnectionLibSQL;
  if (provider === "postgresql") {
    adapter = new PrismaPg({ connectionString: databaseUrl });
    db = new PostgresPrismaClient({ adapter }) as unknown as Database;
  } else {
    ensureDatabaseDirectory(databaseUrl);
    adapter = new OneConnectionLibSQL({ url: databaseUrl });
    db = new PrismaClient({ adapter });
  }
  providers.set(db, provider);
  shareConnection(db, adapter, provider);
  return db;
}

/**
 * Prisma's adapter for the embedded database, on our one connection (sqlite-connection.ts) instead
 * of @libsql/client's.
 */
class OneConnectionLibSQL extends PrismaLibSQL {
  override createClient(config: Config): Client {
    return openSqliteConnection(sqliteFile(config.url));
  }
}
