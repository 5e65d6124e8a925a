import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { LibsqlError, type Client } from "@libsql/client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSqliteConnection } from "./sqlite-connection.ts";

let dir: string;
let file: string;
let connection: Client;
beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "bharat-sqlite-"));
  file = path.join(dir, "test.db");
  connection = openSqliteConnection(file);
  await connection.execute("CREATE TABLE item (id TEXT PRIMARY KEY, n INTEGER, data BLOB)");
});
afterEach(() => {
  connection.close();
  rmSync(dir, { recursive: true, force: true });
});

const rowsOf = async (sql: string, args: Array<string | number> = []) => (await connection.execute({ sql, args })).rows.map((row) => Array.from(row as ArrayLike<unknown>));

describe("the embedded database's connection (prepared statements kept)", () => {
  it("runs a kept statement again with new arguments, reads and writes alike", async () => {
    const insert = "INSERT INTO item (id, n) VALUES (?, ?)";
    expect((await connection.execute({ sql: insert, args: ["a", 1] })).rowsAffected).toBe(1);
    expect((await connection.execute({ sql: insert, args: ["b", 2] })).rowsAffected).toBe(1);
    const select = "SELECT id, n FROM item WHERE n >= ? ORDER BY id";
    expect(await rowsOf(select, [1])).toEqual([["a", 1], ["b", 2]]);
    expect(await rowsOf(select, [2])).toEqual([["b", 2]]);
    expect((await connection.execute({ sql: select, args: [2] })).columns).toEqual(["id", "n"]);
  });

  it("reports a failed statement as @libsql/client does (the code Prisma maps), and the statement works again after it", async () => {
    const insert = "INSERT INTO item (id, n) VALUES (?, ?)";
    await connection.execute({ sql: insert, args: ["a", 1] });
    const error = await connection.execute({ sql: insert, args: ["a", 2] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LibsqlError);
    expect(error).toMatchObject({ code: "SQLITE_CONSTRAINT_PRIMARYKEY" });
    await connection.execute({ sql: insert, args: ["b", 2] });
    expect(await rowsOf("SELECT id FROM item ORDER BY id")).toEqual([["a"], ["b"]]);
    await expect(connection.executeMultiple("CREATE TABLE other (id TEXT); CREATE TABLE item (id TEXT);")).rejects.toBeInstanceOf(LibsqlError);
  });

  it("sees a column another connection added since the statement was kept", async () => {
    await connection.execute({ sql: "INSERT INTO item (id, n) VALUES (?, ?)", args: ["a", 1] });
    expect(await rowsOf("SELECT * FROM item")).toEqual([["a", 1, null]]);
    const other = openSqliteConnection(file);
    try {
      await other.execute("ALTER TABLE item ADD COLUMN label TEXT DEFAULT 'new'");
    } finally {
      other.close();
    }
    const again = await connection.execute("SELECT * FROM item");
    expect(again.columns).toEqual(["id", "n", "data", "label"]);
    expect(Array.from(again.rows[0] as ArrayLike<unknown>)).toEqual(["a", 1, null, "new"]);
  });

  it("keeps a bounded number of statements and still runs every other one", async () => {
    for (let index = 0; index < 600; index++) {
      await connection.execute({ sql: `INSERT INTO item (id, n) VALUES (?, ${index})`, args: [`id${index}`] });
    }
    expect(await rowsOf("SELECT COUNT(*), SUM(n) FROM item")).toEqual([[600, (599 * 600) / 2]]);
  });

  it("returns integers beyond 2^53 as an error, never rounded, and blobs byte for byte", async () => {
    await connection.execute({ sql: "INSERT INTO item (id, n, data) VALUES (?, ?, ?)", args: ["big", 2n ** 60n, new Uint8Array([0, 1, 2, 255]).buffer] });
    await expect(connection.execute("SELECT n FROM item")).rejects.toThrow(RangeError);
    const [[data]] = await rowsOf("SELECT data FROM item");
    expect(Array.from(new Uint8Array(data as ArrayBuffer))).toEqual([0, 1, 2, 255]);
  });

  it("runs a transaction on the same connection, and refuses its statements once it has ended", async () => {
    const transaction = await connection.transaction("write");
    await transaction.execute({ sql: "INSERT INTO item (id, n) VALUES (?, ?)", args: ["a", 1] });
    await transaction.commit();
    await expect(transaction.execute("SELECT 1")).rejects.toMatchObject({ code: "TRANSACTION_CLOSED" });
    const rolledBack = await connection.transaction("write");
    await rolledBack.execute({ sql: "INSERT INTO item (id, n) VALUES (?, ?)", args: ["b", 2] });
    await rolledBack.rollback();
    expect(await rowsOf("SELECT id FROM item")).toEqual([["a"]]);
  });
});
