import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PrismaLibSQL } from "@prisma/adapter-libsql";
import { PrismaClient } from "../generated/prisma/client.ts";

export type Database = PrismaClient;

/** Creates the folder of a `file:` database so that a fresh clone needs no setup step. */
export function ensureDatabaseDirectory(databaseUrl: string) {
  const file = databaseUrl.startsWith("file://") ? fileURLToPath(databaseUrl) : databaseUrl.slice("file:".length);
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
}

export function createDatabase(databaseUrl: string): Database {
  ensureDatabaseDirectory(databaseUrl);
  return new PrismaClient({ adapter: new PrismaLibSQL({ url: databaseUrl }) });
}
