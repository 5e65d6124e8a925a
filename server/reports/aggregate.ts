/**
 * The figures of a delivery report, computed in TypeScript from plain message rows so that the
 * same code serves SQLite and PostgreSQL (no date functions of either database) and can be
 * tested without one. Rows are fed in timestamp order, page by page: memory grows with days,
 * conversations and waits, never with messages.
 */
import type { MessageDirection, MessageStatus } from "../generated/prisma/enums.ts";
import { zonedClock, type Day } from "./calendar.ts";
import type { PricingRates } from "../whatsapp/pricing.ts";
import { customerCountry, estimateCost, type BillableGroup, type CostEstimate } from "./pricing.ts";
import type { ReportRange } from "./range.ts";

export interface ReportMessage {
  conversationId: string;
  /** The customer's WhatsApp id (or, while it is hidden, their BSUID): their country prices the message. */
  waId: string | null;
  userId?: string | null;
  direction: MessageDirection;
  status: MessageStatus;
  timestamp: Date;
  autoReply: string | null;
  errorCode: number | null;
  errorTitle: string | null;
  pricingCategory: string | null;
  pricingBillable: boolean | null;
}

export interface DayFigures {
  date: Day;
  inbound: number;
  outbound: number;
  /** Outbound messages past the outbox (sent, delivered, read, played or failed): the rates' denominator. */
  attempted: number;
  delivered: number;
  read: number;
  failed: number;
  /** Delivered (or read, or played) out of attempted; null on a day nothing went out. */
  deliveryRate: number | null;
  readRate: number | null;
  estimatedCost: number;
}

export interface FailureReason {
  /** Meta's error code; null when a failure came without one. */
  code: number | null;
  title: string | null;
  count: number;
}

export interface FirstResponse {
  /** Median time from a customer starting to wait to an agent's reply; null when no wait was answered. */
  medianSeconds: number | null;
  answered: number;
  /** Waits that began in the range and have no agent reply yet. */
  unanswered: number;
}

export interface DeliveryReport {
  from: Day;
  to: Day;
  timeZone: string;
  totals: Omit<DayFigures, "date">;
  days: DayFigures[];
  /** Customer messages per local hour of day, 0–23. */
  hours: Array<{ hour: number; inbound: number }>;
  failures: FailureReason[];
  firstResponse: FirstResponse;
  cost: CostEstimate;
}

const ATTEMPTED: ReadonlySet<MessageStatus> = new Set(["SENT", "DELIVERED", "READ", "PLAYED", "FAILED"]);
const DELIVERED: ReadonlySet<MessageStatus> = new Set(["DELIVERED", "READ", "PLAYED"]);
const READ: ReadonlySet<MessageStatus> = new Set(["READ", "PLAYED"]);

/**
 * An agent's answer ends a customer's wait: an outbound message that is not an automatic reply
 * (a greeting says nothing about how fast people answer) and did not fail (the customer never
 * saw it). reports.service.ts asks the database the same question in `AGENT_REPLY`.
 */
export function isAgentReply(message: Pick<ReportMessage, "direction" | "autoReply" | "status">): boolean {
  return message.direction === "OUTBOUND" && message.autoReply === null && message.status !== "FAILED";
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const ratio = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000);

/** What the database must tell about the time around the range before waits can be measured. */
export interface WaitLookups {
  /** Conversations whose first wait in the range may have begun earlier: the customer was already waiting at its start. */
  waitingBeforeRange: string[];
  /** Conversations whose customer is still waiting at the range's end: their next agent reply ends it. */
  waitingAfterRange: string[];
}

export interface WaitContext {
  /** Of `waitingBeforeRange`, those whose customer was indeed waiting when the range began. */
  waitingAtStart: ReadonlySet<string>;
  /** The first agent reply after the range, by conversation. */
  repliesAfterEnd: ReadonlyMap<string, Date>;
}

interface ConversationWaits {
  /** The wait under way, if the customer has written since the last agent reply. */
  openSince: Date | null;
  /** Whether the wait under way is the conversation's first in the range (which may have begun before it). */
  openIsFirst: boolean;
  /** Set when the first wait was answered in the range: kept until we know it began in the range. */
  firstAnsweredMs: number | null;
}

/**
 * Accumulates a report. A customer starts waiting with their first message after an agent's
 * reply (or the conversation's start) and stops when an agent replies; the first-response time
 * is the median of those waits that began in the range.
 */
export function createReportBuilder(range: ReportRange, pricing: PricingRates) {
  const clock = zonedClock(range.timeZone);
  const days = new Map<Day, DayFigures>(
    range.days.map((date) => [date, { date, inbound: 0, outbound: 0, attempted: 0, delivered: 0, read: 0, failed: 0, deliveryRate: null, readRate: null, estimatedCost: 0 }]),
  );
  const hours = Array.from({ length: 24 }, () => 0);
  const totals = { inbound: 0, outbound: 0, attempted: 0, delivered: 0, read: 0, failed: 0 };
  const failures = new Map<string, FailureReason>();
  const billable = new Map<string, BillableGroup & { day: Map<Day, number> }>();
  const countries = new Map<string, string | null>();
  const waits = new Map<string, ConversationWaits>();
  const answeredMs: number[] = [];

  function countryOf(waId: string | null, userId: string | null) {
    const key = waId ?? userId ?? "";
    if (!countries.has(key)) countries.set(key, customerCountry(waId, userId));
    return countries.get(key)!;
  }

  function trackWait(message: ReportMessage) {
    let conversation = waits.get(message.conversationId);
    if (!conversation) {
      conversation = { openSince: null, openIsFirst: true, firstAnsweredMs: null };
      waits.set(message.conversationId, conversation);
    }
    if (message.direction === "INBOUND") {
      conversation.openSince ??= message.timestamp;
    } else if (isAgentReply(message)) {
      if (conversation.openSince) {
        const waited = message.timestamp.getTime() - conversation.openSince.getTime();
        if (conversation.openIsFirst) conversation.firstAnsweredMs = waited;
        else answeredMs.push(waited);
      }
      // After the first agent reply, any later wait certainly began in the range.
      conversation.openSince = null;
      conversation.openIsFirst = false;
    }
  }

  function countBillable(message: ReportMessage, day: Day) {
    if (message.pricingBillable !== true) return;
    const country = countryOf(message.waId, message.userId ?? null);
    const key = `${message.pricingCategory}|${country}`;
    let group = billable.get(key);
    if (!group) {
      group = { category: message.pricingCategory, country, messages: 0, day: new Map() };
      billable.set(key, group);
    }
    group.messages += 1;
    group.day.set(day, (group.day.get(day) ?? 0) + 1);
  }

  return {
    /** One message of the range; messages must come in timestamp order. */
    add(message: ReportMessage) {
      const { day, hour } = clock(message.timestamp);
      const figures = days.get(day);
      if (!figures) return;
      trackWait(message);
      countBillable(message, day);
      if (message.direction === "INBOUND") {
        figures.inbound += 1;
        totals.inbound += 1;
        hours[hour]! += 1;
        return;
      }
      figures.outbound += 1;
      totals.outbound += 1;
      if (ATTEMPTED.has(message.status)) {
        figures.attempted += 1;
        totals.attempted += 1;
      }
      if (DELIVERED.has(message.status)) {
        figures.delivered += 1;
        totals.delivered += 1;
      }
      if (READ.has(message.status)) {
        figures.read += 1;
        totals.read += 1;
      }
      if (message.status === "FAILED") {
        figures.failed += 1;
        totals.failed += 1;
        const key = String(message.errorCode);
        const reason = failures.get(key) ?? { code: message.errorCode, title: message.errorTitle, count: 0 };
        reason.count += 1;
        reason.title ??= message.errorTitle;
        failures.set(key, reason);
      }
    },

    lookups(): WaitLookups {
      const before: string[] = [];
      const after: string[] = [];
      for (const [conversationId, conversation] of waits) {
        const firstWaitSeen = conversation.firstAnsweredMs !== null || (conversation.openIsFirst && conversation.openSince !== null);
        if (firstWaitSeen) before.push(conversationId);
        if (conversation.openSince) after.push(conversationId);
      }
      return { waitingBeforeRange: before, waitingAfterRange: after };
    },

    finish(context: WaitContext): DeliveryReport {
      const waited = [...answeredMs];
      let unanswered = 0;
      for (const [conversationId, conversation] of waits) {
        // A wait under way when the range began is not one of the range's waits.
        const firstBeganEarlier = context.waitingAtStart.has(conversationId);
        if (conversation.firstAnsweredMs !== null && !firstBeganEarlier) waited.push(conversation.firstAnsweredMs);
        if (!conversation.openSince || (conversation.openIsFirst && firstBeganEarlier)) continue;
        const reply = context.repliesAfterEnd.get(conversationId);
        if (reply) waited.push(reply.getTime() - conversation.openSince.getTime());
        else unanswered += 1;
      }
      const medianMs = median(waited);

      for (const group of billable.values()) {
        for (const [day, messages] of group.day) {
          days.get(day)!.estimatedCost += estimateCost([{ ...group, messages }], pricing).amount;
        }
      }
      for (const figures of days.values()) {
        figures.estimatedCost = Math.round(figures.estimatedCost * 10_000) / 10_000;
        figures.deliveryRate = ratio(figures.delivered, figures.attempted);
        figures.readRate = ratio(figures.read, figures.attempted);
      }
      const cost = estimateCost(
        [...billable.values()].map(({ category, country, messages }) => ({ category, country, messages })),
        pricing,
      );

      return {
        from: range.from,
        to: range.to,
        timeZone: range.timeZone,
        totals: {
          ...totals,
          deliveryRate: ratio(totals.delivered, totals.attempted),
          readRate: ratio(totals.read, totals.attempted),
          estimatedCost: cost.amount,
        },
        days: [...days.values()],
        hours: hours.map((inbound, hour) => ({ hour, inbound })),
        failures: [...failures.values()].sort((a, b) => b.count - a.count || (a.code ?? 0) - (b.code ?? 0)),
        firstResponse: { medianSeconds: medianMs === null ? null : Math.round(medianMs / 1000), answered: waited.length, unanswered },
        cost,
      };
    },
  };
}

export type ReportBuilder = ReturnType<typeof createReportBuilder>;
