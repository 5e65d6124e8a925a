import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Database } from "../db/client.ts";
import { driverQuery } from "../db/driver-transaction.ts";
import { applyMigrations } from "../db/migrate.ts";
import { sqlValues } from "../db/sql-values.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { claimStatement, dueRowsStatement, markedStatement } from "./outbox.ts";

/**
 * The outbox's statements run every second while anything is queued, on the thread that paces
 * sends and answers webhooks. SQLite plans without statistics: given an indexed equality true of
 * nearly every row (`"sendStartedAt" IS NULL`), it read every unsent message, 45 ms a claim in a
 * 100,000-recipient campaign. These plans must stay lookups on the indexes made for them.
 */
let dir: string;
let db: Database;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "bharat-plans-"));
  const url = `file:${path.join(dir, "plans.db")}`;
  await applyMigrations(url);
  db = createDatabase(url);
});
afterAll(async () => {
  await db.$disconnect();
  rmSync(dir, { recursive: true, force: true });
});

const sql = sqlValues("sqlite");
const now = new Date("2026-12-06T12:00:00Z");

/** The plan's lines that read WhatsAppMessage. */
async function messageReads(statement: Prisma.Sql): Promise<string[]> {
  const plan = await driverQuery<{ detail: string }>(db, Prisma.sql`EXPLAIN QUERY PLAN ${statement}`);
  return plan.map(({ detail }) => detail.replaceAll('"', "")).filter((detail) => /\bWhatsAppMessage\b/.test(detail));
}

describe("the outbox's periodic statements (SQLite)", () => {
  it.each([
    ["no campaign running", new Set<string>()],
    ["campaigns running", new Set(["campaign-1", "campaign-2"])],
  ])("look for due rows on the (status, nextAttemptAt) index, in each of the three arms, never reading the table: %s", async (_, running) => {
    const reads = await messageReads(dueRowsStatement(sql, now, running, 500));
    expect(reads).toHaveLength(3);
    for (const read of reads) expect(read).toMatch(/^SEARCH WhatsAppMessage USING INDEX \S*status_nextAttemptAt\S* \(status=\?/);
  });

  it("claim the rows by their ids, whatever else the claim asks of them", async () => {
    const ids = Array.from({ length: 500 }, (_, index) => `message-${index}`);
    const reads = await messageReads(claimStatement(sql, now, new Date(now.getTime() + 60_000), ids, new Set(["campaign-1"])));
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatch(/^SEARCH WhatsAppMessage USING INDEX \S+ \(id=\?\)$/);
  });

  it("find the rows marked 'attempt started' as a range of the mark's index", async () => {
    const reads = await messageReads(markedStatement(sql));
    expect(reads).toEqual([expect.stringMatching(/^SEARCH WhatsAppMessage USING INDEX \S*sendStartedAt\S* \(sendStartedAt>\?\)$/)]);
  });
});
