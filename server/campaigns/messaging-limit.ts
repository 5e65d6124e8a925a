/**
 * Meta's messaging limit: how many unique customers a business portfolio may reach with
 * business-initiated messages (outside a customer-service window) in a moving 24 hours. A
 * campaign is checked against it before it starts: refused when it would pass the limit, or —
 * when the admin chose so — split over days, the recipients beyond today's room queued with a
 * not-before time (the outbox's `nextAttemptAt`) a day later each.
 */
import { providerOf, type Database } from "../db/client.ts";
import { sqlValues } from "../db/sql-values.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { serializedWrite } from "../db/write-queue.ts";
import { ExpectedError } from "../errors.ts";
import { countOf } from "../plural.ts";
import type { QualityUpdateEvent } from "../whatsapp/webhook-events.ts";
import { limitOfTier } from "../whatsapp/messaging-limit-tiers.ts";
import type { CampaignRecipient } from "./audience.ts";

export const DAY_MS = 24 * 3600_000;
/**
 * A later day's batch waits a day and this long: by then every customer counted in the window
 * when the previous batch began has left it, and that batch itself (100,000 at 80/s take 21 minutes).
 */
export const SPLIT_MARGIN_MS = 30 * 60_000;

/**
 * WITHIN: everyone fits today. SPLIT: beyond today's room, the rest follows on the next days.
 * REFUSED: it would pass the limit and is not to be split. UNLIMITED: the tier has no limit.
 * UNKNOWN: the number's tier is not known (WhatsApp has not told it yet): not checked.
 */
export type LimitVerdict = "WITHIN" | "SPLIT" | "REFUSED" | "UNLIMITED" | "UNKNOWN";

export interface SendBatch {
  count: number;
  notBefore: Date;
}

export interface LimitPlan {
  tier: string | null;
  limit: number | null;
  /** Unique customers the workspace's numbers reached business-initiated in the last 24 hours. */
  usedLast24h: number;
  /** Recipients who would count against the limit: not reached in the last 24 h and without an open window. */
  newCustomers: number;
  /** New customers the limit still allows now. */
  room: number | null;
  verdict: LimitVerdict;
  /** Recipients by the time they may go, the first batch now. */
  batches: SendBatch[];
  /** Plain words for the admin: the verdict with its numbers. */
  summary: string;
  /** Recipients (by contact) that wait: their not-before time. */
  notBefore: ReadonlyMap<string, Date>;
}

const addressOf = (recipient: Pick<CampaignRecipient, "waId" | "userId">) => recipient.waId ?? recipient.userId ?? "";
const format = (count: number) => count.toLocaleString("en");

/**
 * The customers the workspace's numbers messaged business-initiated in the 24 hours before `now`:
 * a template (not failed) with no message from the customer in the 24 hours before it. Queued
 * rows count (they are about to go); rows waiting for a later day do not yet.
 */
export async function customersReached(db: Database, workspaceId: string, now: Date): Promise<Set<string>> {
  const since = new Date(now.getTime() - DAY_MS);
  const sql = sqlValues(providerOf(db));
  // One joined statement: Prisma's relation loading took seconds for a day of 100,000 templates.
  const templates = await db.$queryRaw<Array<{ conversationId: string; at: Date | string; address: string | null }>>(Prisma.sql`
    SELECT m."conversationId" AS "conversationId", m."timestamp" AS "at", COALESCE(c."waId", c."userId") AS "address"
    FROM "WhatsAppMessage" m JOIN "Conversation" c ON c."id" = m."conversationId"
    WHERE m."workspaceId" = ${workspaceId} AND m."direction" = ${sql.enumValue("OUTBOUND", "MessageDirection")} AND m."type" = 'template'
      AND m."status" <> ${sql.enumValue("FAILED", "MessageStatus")} AND m."timestamp" >= ${sql.dateTime(since)} AND m."timestamp" <= ${sql.dateTime(now)}`);
  if (templates.length === 0) return new Set();
  // The customers' own messages that could have opened a window for one of those templates.
  const inbound = await db.whatsAppMessage.findMany({
    where: { workspaceId, direction: "INBOUND", timestamp: { gte: new Date(since.getTime() - DAY_MS), lte: now } },
    select: { conversationId: true, timestamp: true },
  });
  const wrote = new Map<string, number[]>();
  for (const row of inbound) {
    const times = wrote.get(row.conversationId);
    if (times) times.push(row.timestamp.getTime());
    else wrote.set(row.conversationId, [row.timestamp.getTime()]);
  }
  const reached = new Set<string>();
  for (const row of templates) {
    if (!row.address || reached.has(row.address)) continue;
    const at = new Date(row.at).getTime();
    const inWindow = (wrote.get(row.conversationId) ?? []).some((time) => time <= at && time > at - DAY_MS);
    if (!inWindow) reached.add(row.address);
  }
  return reached;
}

/** Customers of the sending number whose customer-service window is open now: a template to them is not business-initiated. */
async function windowOpen(db: Database, workspaceId: string, businessPhoneNumberId: string, now: Date): Promise<Set<string>> {
  const rows = await db.conversation.findMany({
    where: { workspaceId, businessPhoneNumberId, lastInboundAt: { gt: new Date(now.getTime() - DAY_MS) } },
    select: { waId: true, userId: true },
  });
  return new Set(rows.map(addressOf).filter(Boolean));
}

/** The campaign's recipients against the number's messaging limit: who goes now, who waits for which day. */
export async function planAgainstLimit(
  db: Database,
  input: { workspaceId: string; businessPhoneNumberId: string; recipients: readonly CampaignRecipient[]; splitOverDays: boolean; now?: Date },
): Promise<LimitPlan> {
  const now = input.now ?? new Date();
  const { recipients } = input;
  const number = await db.whatsAppPhoneNumber.findUnique({ where: { phoneNumberId: input.businessPhoneNumberId }, select: { messagingLimitTier: true } });
  const tier = number?.messagingLimitTier ?? null;
  const limit = limitOfTier(tier);
  const everyoneNow = (verdict: LimitVerdict, summary: string, used = 0, newCustomers = 0): LimitPlan => ({
    tier,
    limit: limit ?? null,
    usedLast24h: used,
    newCustomers,
    room: null,
    verdict,
    batches: recipients.length > 0 ? [{ count: recipients.length, notBefore: now }] : [],
    summary,
    notBefore: new Map(),
  });
  if (limit === undefined) return everyoneNow("UNKNOWN", "The number's messaging limit is not known yet: WhatsApp tells it when the number is connected or the server starts, and when it changes. Messages beyond the limit would fail.");
  if (limit === null) return everyoneNow("UNLIMITED", "The number's messaging limit is unlimited.");

  const reached = await customersReached(db, input.workspaceId, now);
  const open = await windowOpen(db, input.workspaceId, input.businessPhoneNumberId, now);
  const counted = recipients.filter((recipient) => !reached.has(addressOf(recipient)) && !open.has(addressOf(recipient)));
  const room = Math.max(0, limit - reached.size);
  const base = { tier, limit, usedLast24h: reached.size, newCustomers: counted.length, room };
  const reachedWords = `${format(reached.size)} of ${format(limit)} new customers in 24 h already reached`;
  if (counted.length <= room) {
    return { ...everyoneNow("WITHIN", `Within the messaging limit: ${format(counted.length)} new customers, ${reachedWords}.`), ...base };
  }
  if (!input.splitOverDays) {
    return {
      ...everyoneNow(
        "REFUSED",
        `Over the messaging limit: ${format(counted.length)} new customers, but only ${format(room)} more can be reached today (${reachedWords}). Split it over days, or choose a smaller audience.`,
      ),
      ...base,
    };
  }
  // Today's room first, then a limit's worth a day, each day a day (and a margin) after the previous.
  const notBefore = new Map<string, Date>();
  const later: number[] = [];
  counted.slice(room).forEach((recipient, index) => {
    const day = Math.floor(index / limit) + 1;
    notBefore.set(recipient.contactId, new Date(now.getTime() + day * (DAY_MS + SPLIT_MARGIN_MS)));
    later[day - 1] = (later[day - 1] ?? 0) + 1;
  });
  const batches: SendBatch[] = [{ count: recipients.length - notBefore.size, notBefore: now }, ...later.map((count, index) => ({ count, notBefore: new Date(now.getTime() + (index + 1) * (DAY_MS + SPLIT_MARGIN_MS)) }))];
  const days = batches.length;
  return {
    ...base,
    verdict: "SPLIT",
    batches,
    notBefore,
    summary: `Over the messaging limit, so split over ${countOf(days, "day")}: ${format(batches[0]!.count)} now, then ${later.map((count) => format(count)).join(", ")} a day later each (${reachedWords}).`,
  };
}

/** A campaign that would pass the number's messaging limit, and is not to be split over days. */
export class MessagingLimitError extends ExpectedError {
  override name = "MessagingLimitError";
  readonly code = "MESSAGING_LIMIT";
  readonly httpStatus = 409;
  constructor(readonly plan: LimitPlan) {
    super(plan.summary);
  }

  override answerFields() {
    return { limit: this.plan.limit, usedLast24h: this.plan.usedLast24h, newCustomers: this.plan.newCustomers, room: this.plan.room };
  }
}

/**
 * Meta tells of a new messaging limit in `phone_number_quality_update`: it is the portfolio's, so
 * every number of that business account takes it (numbers configured by environment learn theirs
 * this way, not only at connect).
 */
export async function recordMessagingLimits(db: Database, events: readonly QualityUpdateEvent[]) {
  for (const event of events) {
    if (!event.limit || limitOfTier(event.limit) === undefined) continue;
    await serializedWrite(db, () => db.whatsAppPhoneNumber.updateMany({ where: { businessAccountId: event.businessAccountId }, data: { messagingLimitTier: event.limit } }));
  }
}
