import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Database } from "./client.ts";
import { applyMigrations } from "./migrate.ts";

let dir: string;
let url: string;
let db: Database;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "bharat-db-"));
  url = `file:${path.join(dir, "test.db")}`;
  await applyMigrations(url);
  db = createDatabase(url);
});
afterAll(async () => {
  await db.$disconnect();
  rmSync(dir, { recursive: true, force: true });
});

describe("the embedded SQLite database", () => {
  it("waits for another process's write to finish instead of failing with 'database is locked'", async () => {
    // Another process: SQLite's wait for the lock is synchronous, so nothing in this one could let go of it.
    const holder = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import { createClient } from "@libsql/client";
         const other = createClient({ url: process.argv[1] });
         await other.execute("BEGIN IMMEDIATE");
         await other.execute("INSERT INTO \\"Workspace\\" (id, name) VALUES ('wother', 'Other process')");
         console.log("locked");
         setTimeout(async () => { await other.execute("COMMIT"); other.close(); }, 300);`,
        url,
      ],
      { cwd: process.cwd(), stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    holder.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const locked = await Promise.race([once(holder.stdout, "data").then(() => true), once(holder, "exit").then(() => false)]);
    expect(locked, stderr).toBe(true);
    const created = await db.workspace.create({ data: { name: "Ours" } });
    await once(holder, "exit");
    expect(await db.workspace.count({ where: { id: { in: [created.id, "wother"] } } })).toBe(2);
  });

  it("opens the file a percent-encoded URL names, as @libsql/client did: migrations and queries on the same file", async () => {
    const encoded = `file:${path.join(dir, "with%20space", "inbox.db")}`;
    await applyMigrations(encoded);
    const spaced = createDatabase(encoded);
    try {
      await spaced.workspace.create({ data: { name: "Spaced" } });
      expect(await spaced.workspace.count({ where: { name: "Spaced" } })).toBe(1);
    } finally {
      await spaced.$disconnect();
    }
    expect(existsSync(path.join(dir, "with space", "inbox.db"))).toBe(true);
    expect(existsSync(path.join(dir, "with%20space"))).toBe(false);
  });
});
