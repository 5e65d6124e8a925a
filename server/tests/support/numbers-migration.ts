// The data of a database from before conversations belonged to a business number, and what the
// migration `conversations_per_number` must make of it: the same scenario on SQLite and PostgreSQL.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "vitest";

export const NUMBERS_MIGRATION = "20261206114508_conversations_per_number";

/** Runs one SQL statement (positional `$1…` placeholders are not used: literals only). */
export type Execute = (sql: string) => Promise<unknown>;
export type Query = (sql: string) => Promise<Array<Record<string, unknown>>>;

/**
 * The migration folder's SQL in order, split at the numbers migration: `before` builds the old
 * schema, `numbers` is the migration itself, `after` any that came later.
 */
export function migrationsAround(folder: "migrations" | "migrations-postgres") {
  const dir = path.resolve(import.meta.dirname, "../../../prisma", folder);
  const names = readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  const sql = (name: string) => readFileSync(path.join(dir, name, "migration.sql"), "utf8");
  return {
    before: names.filter((name) => name < NUMBERS_MIGRATION).map(sql),
    numbers: sql(NUMBERS_MIGRATION),
    after: names.filter((name) => name > NUMBERS_MIGRATION).map(sql),
  };
}

const at = (iso: string) => `'${iso}'`;

/**
 * Two workspaces: "ws-one" with its bootstrap number (older) and one connected later, "ws-bare"
 * with none. ws-one's conversations: one naming no number (as every conversation did before it
 * was routed by number), one naming the later number; ws-bare's names none.
 */
export async function seedBeforeNumbers(execute: Execute) {
  const created = at("2026-12-01T10:00:00.000Z");
  await execute(`INSERT INTO "Workspace" ("id", "name", "createdAt") VALUES ('ws-one', 'One', ${created}), ('ws-bare', 'Bare', ${created})`);
  await execute(
    `INSERT INTO "WhatsAppPhoneNumber" ("phoneNumberId", "workspaceId", "createdAt") VALUES ('1001', 'ws-one', ${at("2026-12-01T10:00:00.000Z")}), ('1002', 'ws-one', ${at("2026-12-02T10:00:00.000Z")})`,
  );
  await execute(
    `INSERT INTO "Conversation" ("id", "workspaceId", "waId", "businessPhoneNumberId", "profileName", "unreadCount", "createdAt", "updatedAt") VALUES
      ('c-unnamed', 'ws-one', '919800000001', NULL, 'Asha', 2, ${created}, ${created}),
      ('c-later', 'ws-one', '919800000002', '1002', 'Ravi', 0, ${created}, ${created}),
      ('c-bare', 'ws-bare', '919800000001', NULL, 'Asha elsewhere', 1, ${created}, ${created})`,
  );
  await execute(
    `INSERT INTO "WhatsAppMessage" ("id", "workspaceId", "conversationId", "wamid", "direction", "type", "text", "preview", "status", "timestamp", "createdAt", "updatedAt") VALUES
      ('m-in', 'ws-one', 'c-unnamed', 'wamid.in', 'INBOUND', 'text', 'Hello', 'Hello', 'RECEIVED', ${created}, ${created}, ${created}),
      ('m-out', 'ws-one', 'c-unnamed', 'wamid.out', 'OUTBOUND', 'text', 'Hi Asha', 'Hi Asha', 'DELIVERED', ${created}, ${created}, ${created}),
      ('m-out-later', 'ws-one', 'c-later', NULL, 'OUTBOUND', 'text', 'Queued', 'Queued', 'QUEUED', ${created}, ${created}, ${created})`,
  );
}

/** After the migration: every conversation and message kept, each on its number. */
export async function expectMigratedToNumbers(query: Query, execute: Execute) {
  const conversations = await query(`SELECT "id", "businessPhoneNumberId", "profileName", "unreadCount" FROM "Conversation" ORDER BY "id"`);
  expect(conversations.map((row) => ({ ...row, unreadCount: Number(row.unreadCount) }))).toEqual([
    // A workspace with no number keeps its conversations numberless until it gets one (auth/bootstrap.ts).
    { id: "c-bare", businessPhoneNumberId: null, profileName: "Asha elsewhere", unreadCount: 1 },
    { id: "c-later", businessPhoneNumberId: "1002", profileName: "Ravi", unreadCount: 0 },
    // The workspace's first number: the bootstrap's.
    { id: "c-unnamed", businessPhoneNumberId: "1001", profileName: "Asha", unreadCount: 2 },
  ]);
  const messages = await query(`SELECT "id", "businessPhoneNumberId", "text" FROM "WhatsAppMessage" ORDER BY "id"`);
  expect(messages).toEqual([
    { id: "m-in", businessPhoneNumberId: null, text: "Hello" },
    { id: "m-out", businessPhoneNumberId: "1001", text: "Hi Asha" },
    { id: "m-out-later", businessPhoneNumberId: "1002", text: "Queued" },
  ]);
  // The same customer may now have a conversation on each number of the workspace…
  const created = at("2026-12-03T10:00:00.000Z");
  await execute(
    `INSERT INTO "Conversation" ("id", "workspaceId", "waId", "businessPhoneNumberId", "unreadCount", "createdAt", "updatedAt") VALUES ('c-second', 'ws-one', '919800000001', '1002', 0, ${created}, ${created})`,
  );
  // …but only one on each.
  await expect(
    execute(
      `INSERT INTO "Conversation" ("id", "workspaceId", "waId", "businessPhoneNumberId", "unreadCount", "createdAt", "updatedAt") VALUES ('c-twice', 'ws-one', '919800000001', '1001', 0, ${created}, ${created})`,
    ),
  ).rejects.toThrow(/unique/i);
}
