import { ValidationError } from "../errors.ts";
import { builder } from "../graphql/builder.ts";
import type { DayFigures, DeliveryReport, FailureReason, FirstResponse } from "./aggregate.ts";
import type { CostEstimate, CostLine } from "./pricing.ts";
import { conversationCost, deliveryReport } from "./reports.service.ts";

const CostLineType = builder.objectRef<CostLine>("CostLine").implement({
  description: "Billable messages of one pricing category to customers of one country.",
  fields: (t) => ({
    category: t.exposeString("category", { nullable: true, description: "Meta's pricing category: marketing, utility, authentication, service…" }),
    country: t.exposeString("country", { nullable: true, description: "The customer's country (ISO 3166), from their number's calling code." }),
    messages: t.exposeInt("messages"),
    rate: t.exposeFloat("rate", { nullable: true, description: "Per message; null when WHATSAPP_PRICING_RATES has none for this country and category." }),
    amount: t.exposeFloat("amount"),
  }),
});

export const CostEstimateType = builder.objectRef<CostEstimate>("CostEstimate").implement({
  description: "An estimate of what Meta charges for billable messages (from status webhooks' `pricing`), at the configured rates. Meta's invoice is the truth.",
  fields: (t) => ({
    currency: t.exposeString("currency", { description: "ISO 4217, e.g. INR." }),
    amount: t.exposeFloat("amount"),
    billableMessages: t.exposeInt("billableMessages"),
    unpricedMessages: t.exposeInt("unpricedMessages", { description: "Billable messages without a configured rate: not in `amount`." }),
    lines: t.field({ type: [CostLineType], resolve: (estimate) => estimate.lines }),
  }),
});

type Figures = Omit<DayFigures, "date">;

const ReportFiguresInterface = builder.interfaceRef<Figures>("ReportFigures").implement({
  description: "Messaging figures of a day or of the whole range.",
  fields: (t) => ({
    inbound: t.exposeInt("inbound", { description: "Messages from customers." }),
    outbound: t.exposeInt("outbound", { description: "Messages to customers, automatic replies included." }),
    attempted: t.exposeInt("attempted", {
      description: "Outbound messages sent, delivered, read, played or failed (not still queued): the rates' denominator.",
    }),
    delivered: t.exposeInt("delivered", { description: "Outbound messages delivered, read or played." }),
    read: t.exposeInt("read", { description: "Outbound messages read or played." }),
    failed: t.exposeInt("failed", { description: "Outbound messages that failed." }),
    deliveryRate: t.exposeFloat("deliveryRate", { nullable: true, description: "delivered / attempted, 0–1; null when nothing went out." }),
    readRate: t.exposeFloat("readRate", { nullable: true, description: "read / attempted, 0–1; null when nothing went out." }),
    estimatedCost: t.exposeFloat("estimatedCost", { description: "In the report's cost currency." }),
  }),
});

const ReportTotalsType = builder.objectRef<Figures>("ReportTotals").implement({
  description: "The whole range's figures.",
  interfaces: [ReportFiguresInterface],
  fields: () => ({}),
});

const ReportDayType = builder.objectRef<DayFigures>("ReportDay").implement({
  description: "One day of the workspace's time zone.",
  interfaces: [ReportFiguresInterface],
  fields: (t) => ({ date: t.exposeString("date", { description: "YYYY-MM-DD" }) }),
});

const ReportHourType = builder.objectRef<{ hour: number; inbound: number }>("ReportHour").implement({
  fields: (t) => ({
    hour: t.exposeInt("hour", { description: "0–23, in the workspace's time zone." }),
    inbound: t.exposeInt("inbound", { description: "Customer messages in that hour over the whole range." }),
  }),
});

const FailureReasonType = builder.objectRef<FailureReason>("FailureReason").implement({
  fields: (t) => ({
    code: t.exposeInt("code", { nullable: true, description: "Meta's error code, e.g. 131026." }),
    title: t.exposeString("title", { nullable: true }),
    count: t.exposeInt("count"),
  }),
});

const FirstResponseType = builder.objectRef<FirstResponse>("FirstResponse").implement({
  description: "A customer waits from their first message after an agent's reply (automatic replies do not count) until the next one.",
  fields: (t) => ({
    medianSeconds: t.exposeInt("medianSeconds", { nullable: true, description: "Null when no wait that began in the range was answered." }),
    answered: t.exposeInt("answered"),
    unanswered: t.exposeInt("unanswered", { description: "Waits that began in the range and have no agent reply yet." }),
  }),
});

const DeliveryReportType = builder.objectRef<DeliveryReport>("DeliveryReport").implement({
  fields: (t) => ({
    from: t.exposeString("from", { description: "First day, YYYY-MM-DD, included." }),
    to: t.exposeString("to", { description: "Last day, YYYY-MM-DD, included." }),
    timeZone: t.exposeString("timeZone", { description: "The workspace's IANA time zone: days and hours are its." }),
    totals: t.field({ type: ReportTotalsType, resolve: (report) => report.totals }),
    days: t.field({ type: [ReportDayType], resolve: (report) => report.days }),
    busiestHours: t.field({ type: [ReportHourType], description: "All 24 hours, 0 first.", resolve: (report) => report.hours }),
    failures: t.field({ type: [FailureReasonType], description: "Failed outbound messages by reason, the most frequent first.", resolve: (report) => report.failures }),
    firstResponse: t.field({ type: FirstResponseType, resolve: (report) => report.firstResponse }),
    cost: t.field({ type: CostEstimateType, resolve: (report) => report.cost }),
  }),
});

builder.queryFields((t) => ({
  deliveryReport: t.field({
    type: DeliveryReportType,
    description:
      "The workspace's messaging figures over whole days of its time zone, `from` and `to` (YYYY-MM-DD) included; " +
      "without them, the last 30 days. At most 366 days.",
    errors: { types: [ValidationError], dataField: { name: "report" } },
    args: { from: t.arg.string(), to: t.arg.string() },
    resolve: (_root, args, { db, viewer, config }) => deliveryReport(db, viewer.workspaceId, args, config.WHATSAPP_PRICING_RATES),
  }),
}));

builder.prismaObjectField("Conversation", "estimatedCost", (t) =>
  t.field({
    type: CostEstimateType,
    description: "What this conversation's billable messages cost so far, estimated at the configured rates.",
    select: { id: true, workspaceId: true, waId: true, userId: true },
    resolve: (conversation, _args, { db, config }) => conversationCost(db, conversation, config.WHATSAPP_PRICING_RATES),
  }),
);
