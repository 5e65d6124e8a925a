import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { LibsqlError, type Client, type Config, type Transaction, type TransactionMode } from "@libsql/client";
import { PrismaLibSQL } from "@prisma/adapter-libsql";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client.ts";
import { PrismaClient as PostgresPrismaClient } from "../generated/prisma-postgres/client.ts";
import { shareConnection } from "./driver-transaction.ts";

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

/** The folder of a `file:` database (data/ by default); null for PostgreSQL. */
export function databaseFolder(databaseUrl: string): string | null {
  if (databaseProvider(databaseUrl) !== "sqlite") return null;
  const file = databaseUrl.startsWith("file://") ? fileURLToPath(databaseUrl) : databaseUrl.slice("file:".length);
  return path.dirname(path.resolve(file));
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

/** How long a statement waits for another process's write lock on the SQLite file. @default 5 s */
export const SQLITE_BUSY_TIMEOUT_MS = 5_000;

/**
 * libsql hands its connection to each transaction and opens a fresh one for whatever comes next,
 * so every Prisma transaction paid for opening the file and reading its schema again — several
 * times the cost of the queries in it. The adapter already lets nothing else run while a
 * transaction is open, so the transaction can simply run on the one connection.
 */
class OneConnectionLibSQL extends PrismaLibSQL {
  override createClient(config: Config): Client {
    const client = super.createClient(config);
    // Another process writing the file (a script, a benchmark) makes SQLite answer "database is
    // locked" at once by default; wait for it instead, as better-sqlite3 does by default. The
    // statement runs synchronously, before anything else can use the connection.
    void client.execute(`PRAGMA busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    const transaction = async (mode: TransactionMode = "write"): Promise<Transaction> => {
      await client.execute(mode === "write" ? "BEGIN IMMEDIATE" : mode === "read" ? "BEGIN TRANSACTION READONLY" : "BEGIN DEFERRED");
      let closed = false;
      const finish = async (statement: "COMMIT" | "ROLLBACK") => {
        if (closed) return;
        closed = true;
        try {
          await client.execute(statement);
        } catch (error) {
          // A failed COMMIT leaves the transaction open on the shared connection: end it here.
          if (statement === "COMMIT") await client.execute("ROLLBACK").catch(() => undefined);
          throw error;
        }
      };
      // After its end (a commit, or Prisma's rollback on timeout) a transaction must not run
      // late statements on the shared connection, outside any transaction.
      const open = () => {
        if (closed) throw new LibsqlError("The transaction is closed", "TRANSACTION_CLOSED");
      };
      return {
        execute: async (statement) => (open(), client.execute(statement)),
        batch: async (statements) => (open(), client.batch(statements)),
        executeMultiple: async (sql) => (open(), client.executeMultiple(sql)),
        commit: () => finish("COMMIT"),
        rollback: () => finish("ROLLBACK"),
        close: () => void finish("ROLLBACK").catch(() => undefined),
        get closed() {
          return closed;
        },
      };
    };
    client.transaction = transaction;
    return client;
  }
}
