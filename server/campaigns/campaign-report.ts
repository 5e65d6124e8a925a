import { providerOf, type Database } from "../db/client.ts";
import { sqlValues } from "../db/sql-values.ts";
import { Prisma, type Campaign, type MessageStatus } from "../generated/prisma/client.ts";
import { customerCountry, estimateCost, type CostEstimate } from "../reports/pricing.ts";
import type { PricingRates } from "../whatsapp/pricing.ts";
import { recipientKey, repliedCondition } from "./campaigns.service.ts";

/**
 * What Meta charges for the campaign so far: its messages whose status webhooks said they are
 * billable, by the pricing category Meta reported, at the configured rates. Grouped in the
 * database (by category and the first digits of the number, as the estimate groups countries),
 * so 100,000 recipients are a few rows here.
 */
export async function campaignCost(db: Database, campaign: Pick<Campaign, "id" | "workspaceId">, pricing: PricingRates): Promise<CostEstimate> {
  const sql = sqlValues(providerOf(db));
  const groups = await db.$queryRaw<Array<{ category: string | null; waId: string | null; userId: string | null; messages: bigint | number }>>`
    SELECT m."pricingCategory" AS "category", MIN(c."waId") AS "waId", MIN(c."userId") AS "userId", COUNT(*) AS "messages"
    FROM "WhatsAppMessage" m JOIN "Conversation" c ON c."id" = m."conversationId"
    WHERE m."campaignId" = ${campaign.id} AND m."workspaceId" = ${campaign.workspaceId} AND m."pricingBillable" = ${sql.boolean(true)}
    GROUP BY m."pricingCategory", COALESCE(SUBSTR(c."waId", 1, 6), SUBSTR(c."userId", 1, 2))`;
  const byLine = new Map<string, { category: string | null; country: string | null; messages: number }>();
  for (const group of groups) {
    const country = customerCountry(group.waId, group.userId);
    const key = `${group.category}|${country}`;
    const line = byLine.get(key) ?? { category: group.category, country, messages: 0 };
    line.messages += Number(group.messages);
    byLine.set(key, line);
  }
  return estimateCost(byLine.values(), pricing);
}

/** One recipient's outcome, as the CSV writes it. */
export interface RecipientOutcome {
  name: string | null;
  /** International digits without "+" (Meta's wa_id); null when only the BSUID is known. */
  waId: string | null;
  /** Meta's business-scoped user id, when the customer has one. */
  userId: string | null;
  status: MessageStatus;
  /** When it reached that status (only the latest status's time is kept). */
  statusAt: Date | null;
  replied: boolean;
  errorCode: number | null;
  errorTitle: string | null;
}

/**
 * Recipients per query: a page of rows in memory at a time, however large the campaign. Each page
 * reads the campaign's rows on the (campaignId, status) index and sorts them by id, so fewer,
 * larger pages are faster: 100,000 recipients took 12.8 s in pages of 1,000 and 4.6 s in pages of
 * 5,000 (load average 10 on the 2 cores).
 */
export const RECIPIENT_PAGE_SIZE = 5_000;

interface OutcomeRow {
  id: string;
  status: MessageStatus;
  statusAt: Date | string | null;
  errorCode: number | bigint | null;
  errorTitle: string | null;
  contactName: string | null;
  profileName: string | null;
  waId: string | null;
  userId: string | null;
  replied: number | bigint | boolean;
}

/**
 * Every recipient's outcome, page by page in the order they were queued (keyset on the row's
 * id, so a page costs the same at the end as at the start). A recipient's contact is the one its
 * row was queued for (recipientKey); a contact deleted since leaves the WhatsApp profile name.
 * Recipients a cancellation dropped have no row any more and are not listed.
 */
export async function* recipientOutcomes(db: Database, campaign: Campaign, pageSize = RECIPIENT_PAGE_SIZE): AsyncGenerator<RecipientOutcome[]> {
  const sql = sqlValues(providerOf(db));
  const keyPrefix = recipientKey(campaign.id, "");
  const replied = campaign.startedAt ? repliedCondition(db, campaign) : Prisma.sql`1 = 0`;
  let after = "";
  for (;;) {
    const rows = await db.$queryRaw<OutcomeRow[]>`
      SELECT m."id", m."status", m."statusAt", m."errorCode", m."errorTitle", k."name" AS "contactName", c."profileName", c."waId", c."userId",
        CASE WHEN ${replied} THEN 1 ELSE 0 END AS "replied"
      FROM "WhatsAppMessage" m
      JOIN "Conversation" c ON c."id" = m."conversationId"
      LEFT JOIN "Contact" k ON k."workspaceId" = m."workspaceId" AND k."id" = SUBSTR(m."idempotencyKey", ${sql.integer(keyPrefix.length + 1)})
      WHERE m."campaignId" = ${sql.text(campaign.id)} AND m."workspaceId" = ${sql.text(campaign.workspaceId)} AND m."id" > ${sql.text(after)}
      ORDER BY m."id" LIMIT ${sql.integer(pageSize)}`;
    if (rows.length === 0) return;
    yield rows.map((row) => ({
      name: row.contactName ?? row.profileName,
      waId: row.waId,
      userId: row.userId,
      status: row.status,
      statusAt: row.statusAt === null ? null : new Date(row.statusAt),
      replied: Number(row.replied) === 1,
      errorCode: row.errorCode === null ? null : Number(row.errorCode),
      errorTitle: row.errorTitle,
    }));
    if (rows.length < pageSize) return;
    after = rows.at(-1)!.id;
  }
}
