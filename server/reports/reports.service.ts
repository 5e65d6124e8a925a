import type { Database } from "../db/client.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { createReportBuilder, type DeliveryReport, type ReportMessage } from "./aggregate.ts";
import { isValidTimeZone } from "./calendar.ts";
import type { PricingRates } from "../whatsapp/pricing.ts";
import { customerCountry, estimateCost, type CostEstimate } from "./pricing.ts";
import { resolveReportRange, type ReportRangeInput } from "./range.ts";

/** Rows read per query: a year of a busy workspace never sits in memory at once. */
const PAGE_SIZE = 2_000;
/** Conversation ids per `IN (…)` list: well under SQLite's and PostgreSQL's parameter limits. */
const ID_CHUNK = 500;

/** The database's side of `isAgentReply` (aggregate.ts): keep the two in step. */
const AGENT_REPLY = { direction: "OUTBOUND", autoReply: null, status: { not: "FAILED" } } as const satisfies Prisma.WhatsAppMessageWhereInput;

const REPORT_COLUMNS = {
  id: true,
  conversationId: true,
  direction: true,
  status: true,
  timestamp: true,
  autoReply: true,
  errorCode: true,
  errorTitle: true,
  pricingCategory: true,
  pricingBillable: true,
  conversation: { select: { waId: true, userId: true } },
} satisfies Prisma.WhatsAppMessageSelect;

function chunks<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, index) => items.slice(index * size, (index + 1) * size));
}

/** A workspace's zone for reports; a zone this runtime does not know falls back to UTC rather than failing every report. */
async function reportTimeZone(db: Database, workspaceId: string) {
  const { timeZone } = await db.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { timeZone: true } });
  return isValidTimeZone(timeZone) ? timeZone : "UTC";
}

/**
 * Of these conversations, those whose customer was waiting for an agent when `start` came:
 * their last message before it was theirs, after the last agent reply.
 */
async function waitingAt(db: Database, workspaceId: string, start: Date, conversationIds: string[]) {
  const waiting = new Set<string>();
  for (const ids of chunks(conversationIds, ID_CHUNK)) {
    const before = { workspaceId, conversationId: { in: ids }, timestamp: { lt: start } };
    const [inbound, replies] = await Promise.all([
      db.whatsAppMessage.groupBy({ by: ["conversationId"], where: { ...before, direction: "INBOUND" }, _max: { timestamp: true } }),
      db.whatsAppMessage.groupBy({ by: ["conversationId"], where: { ...before, ...AGENT_REPLY }, _max: { timestamp: true } }),
    ]);
    const lastReply = new Map(replies.map((row) => [row.conversationId, row._max.timestamp?.getTime() ?? 0]));
    for (const row of inbound) {
      if ((row._max.timestamp?.getTime() ?? 0) > (lastReply.get(row.conversationId) ?? -1)) waiting.add(row.conversationId);
    }
  }
  return waiting;
}

/** The first agent reply at or after `end` in each of these conversations. */
async function firstRepliesFrom(db: Database, workspaceId: string, end: Date, conversationIds: string[]) {
  const replies = new Map<string, Date>();
  for (const ids of chunks(conversationIds, ID_CHUNK)) {
    const rows = await db.whatsAppMessage.groupBy({
      by: ["conversationId"],
      where: { workspaceId, conversationId: { in: ids }, timestamp: { gte: end }, ...AGENT_REPLY },
      _min: { timestamp: true },
    });
    for (const row of rows) if (row._min.timestamp) replies.set(row.conversationId, row._min.timestamp);
  }
  return replies;
}

/**
 * Messages in and out, delivery and read rates, failures by reason, first-response time,
 * busiest hours and the estimated cost of a workspace over whole days of its time zone.
 * Throws ValidationError for a malformed or too long range.
 */
export async function deliveryReport(
  db: Database,
  workspaceId: string,
  input: ReportRangeInput,
  pricing: PricingRates,
  now: Date = new Date(),
): Promise<DeliveryReport> {
  const range = resolveReportRange(input, await reportTimeZone(db, workspaceId), now);
  const builder = createReportBuilder(range, pricing);
  const where = { workspaceId, timestamp: { gte: range.start, lt: range.end } };
  let cursor: string | undefined;
  for (;;) {
    const page = await db.whatsAppMessage.findMany({
      where,
      select: REPORT_COLUMNS,
      orderBy: [{ timestamp: "asc" }, { id: "asc" }],
      take: PAGE_SIZE,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    for (const { conversation, id: _id, ...message } of page) builder.add({ ...message, waId: conversation.waId, userId: conversation.userId } satisfies ReportMessage);
    if (page.length < PAGE_SIZE) break;
    cursor = page.at(-1)!.id;
  }
  const lookups = builder.lookups();
  const [waitingAtStart, repliesAfterEnd] = await Promise.all([
    waitingAt(db, workspaceId, range.start, lookups.waitingBeforeRange),
    firstRepliesFrom(db, workspaceId, range.end, lookups.waitingAfterRange),
  ]);
  return builder.finish({ waitingAtStart, repliesAfterEnd });
}

/** What one conversation's billable messages cost so far, by Meta's pricing categories. */
export async function conversationCost(
  db: Database,
  conversation: { id: string; workspaceId: string; waId: string | null; userId: string | null },
  pricing: PricingRates,
): Promise<CostEstimate> {
  const groups = await db.whatsAppMessage.groupBy({
    by: ["pricingCategory"],
    where: { workspaceId: conversation.workspaceId, conversationId: conversation.id, pricingBillable: true },
    _count: { _all: true },
  });
  const country = customerCountry(conversation.waId, conversation.userId);
  return estimateCost(
    groups.map((group) => ({ category: group.pricingCategory, country, messages: group._count._all })),
    pricing,
  );
}
