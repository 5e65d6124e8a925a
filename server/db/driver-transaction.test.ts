// Runs on SQLite, and on PostgreSQL in the cluster suite (the harness picks the database).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { v7 as uuidv7 } from "uuid";
import { Prisma } from "../generated/prisma/client.ts";
import { startTestServer, type TestServer } from "../tests/support/harness.ts";
import type { Database } from "./client.ts";
import { driverTransaction, insertRows, queryChunks } from "./driver-transaction.ts";
import { isUniqueViolation } from "./unique-violation.ts";

let server: TestServer;
let db: Database;
let workspaceId: string;
beforeAll(async () => {
  server = await startTestServer();
  db = server.app.db;
  workspaceId = (await db.workspace.findFirstOrThrow()).id;
});
afterAll(() => server.stop());

const conversation = (waId: string, at: Date) => ({
  id: uuidv7(),
  workspaceId,
  // A conversation is unique per business number and customer.
  businessPhoneNumberId: "106540352242922",
  waId,
  lastMessageAt: at,
  lastMessagePreview: `hello from ${waId}`,
  unreadCount: 2,
  createdAt: at,
  updatedAt: at,
});

describe("a transaction on the database driver", () => {
  it("writes rows that Prisma reads back exactly, sorted by time among the rows Prisma wrote", async () => {
    const early = new Date("2026-12-01T10:00:00.123Z");
    const late = new Date("2026-12-01T10:00:00.456Z");
    const middle = await db.conversation.create({ data: { workspaceId, waId: "919800000002", lastMessageAt: new Date("2026-12-01T10:00:00.300Z") } });
    await driverTransaction(db, (tx) => insertRows(tx, "Conversation", [conversation("919800000001", early), conversation("919800000003", late)]));

    const rows = await db.conversation.findMany({ where: { workspaceId, waId: { startsWith: "9198000000" } }, orderBy: { lastMessageAt: "asc" } });
    expect(rows.map((row) => row.waId)).toEqual(["919800000001", "919800000002", "919800000003"]);
    expect(rows[0]).toMatchObject({ lastMessageAt: early, createdAt: early, unreadCount: 2, status: "OPEN", lastMessagePreview: "hello from 919800000001" });
    expect(rows[1]!.id).toBe(middle.id);
  });

  it("answers rows by column name, for any number of values", async () => {
    const waIds = Array.from({ length: 1_200 }, (_, index) => `91970000${String(index).padStart(4, "0")}`);
    const at = new Date("2026-12-02T08:30:00.000Z");
    await driverTransaction(db, (tx) => insertRows(tx, "Conversation", waIds.map((waId) => conversation(waId, at))));
    const rows = await driverTransaction(db, (tx) =>
      queryChunks<{ waId: string; lastMessageAt: string; unreadCount: number }, string>(
        tx,
        waIds,
        (chunk) => Prisma.sql`SELECT "waId", "lastMessageAt", "unreadCount" FROM "Conversation" WHERE "workspaceId" = ${workspaceId} AND "waId" IN (${Prisma.join(chunk)})`,
      ),
    );
    expect(rows).toHaveLength(1_200);
    expect(new Date(rows[0]!.lastMessageAt)).toEqual(at);
    expect(Number(rows[0]!.unreadCount)).toBe(2);
  });

  it("keeps nothing of a transaction that throws, and says when a unique value was taken", async () => {
    const taken = conversation("919600000001", new Date());
    await driverTransaction(db, (tx) => insertRows(tx, "Conversation", [taken]));
    const failure = await driverTransaction(db, async (tx) => {
      await insertRows(tx, "Conversation", [conversation("919600000002", new Date())]);
      await insertRows(tx, "Conversation", [conversation("919600000001", new Date())]);
    }).catch((error: unknown) => error);

    expect(isUniqueViolation(failure)).toBe(true);
    expect(await db.conversation.count({ where: { waId: "919600000002" } })).toBe(0);
    // The connection is usable afterwards, by Prisma and by the driver alike.
    await driverTransaction(db, (tx) => insertRows(tx, "Conversation", [conversation("919600000003", new Date())]));
    expect(await db.conversation.count({ where: { waId: { in: ["919600000001", "919600000003"] } } })).toBe(2);
  });
});
