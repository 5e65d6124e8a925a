import { describe, expect, it } from "vitest";
import { loadConfig } from "../config.ts";
import { ValidationError } from "../errors.ts";
import { createReportBuilder, median, type ReportMessage, type WaitContext } from "./aggregate.ts";
import { startOfDay, zonedClock } from "./calendar.ts";
import { csvCell, dailyReportCsv } from "./csv.ts";
import { INDIA_DEFAULT_RATES, type PricingRates } from "../whatsapp/pricing.ts";
import { customerCountry, estimateCost } from "./pricing.ts";
import { resolveReportRange } from "./range.ts";

const KOLKATA = "Asia/Kolkata";
const NOW = new Date("2026-11-25T10:00:00Z");
const PRIYA = "919876543210";

let sequence = 0;
function message(at: string, fields: Partial<ReportMessage> = {}): ReportMessage {
  sequence += 1;
  return {
    conversationId: "c1",
    waId: PRIYA,
    direction: "INBOUND",
    status: "RECEIVED",
    timestamp: new Date(at),
    autoReply: null,
    errorCode: null,
    errorTitle: null,
    pricingCategory: null,
    pricingBillable: null,
    ...fields,
  };
}
const out = (at: string, fields: Partial<ReportMessage> = {}) => message(at, { direction: "OUTBOUND", status: "DELIVERED", ...fields });

const NO_CONTEXT: WaitContext = { waitingAtStart: new Set(), repliesAfterEnd: new Map() };

function report(messages: ReportMessage[], options: { from?: string; to?: string; timeZone?: string; pricing?: PricingRates; context?: WaitContext } = {}) {
  const range = resolveReportRange({ from: options.from ?? "2026-11-20", to: options.to ?? "2026-11-25" }, options.timeZone ?? KOLKATA, NOW);
  const builder = createReportBuilder(range, options.pricing ?? INDIA_DEFAULT_RATES);
  for (const item of messages) builder.add(item);
  return { builder, result: builder.finish(options.context ?? NO_CONTEXT) };
}

describe("days and hours in the workspace's time zone", () => {
  it("counts a message sent at 19:00 UTC on the next day in India (00:30 IST), in hour 0", () => {
    const { result } = report([message("2026-11-23T19:00:00Z")]);
    expect(result.days.find((day) => day.date === "2026-11-24")?.inbound).toBe(1);
    expect(result.days.find((day) => day.date === "2026-11-23")?.inbound).toBe(0);
    expect(result.hours[0]).toEqual({ hour: 0, inbound: 1 });
  });

  it("bounds a range by local midnights: 18:30 UTC the evening before to 18:30 UTC on the last day", () => {
    const range = resolveReportRange({ from: "2026-11-20", to: "2026-11-25" }, KOLKATA, NOW);
    expect(range.start.toISOString()).toBe("2026-11-19T18:30:00.000Z");
    expect(range.end.toISOString()).toBe("2026-11-25T18:30:00.000Z");
    expect(range.days).toEqual(["2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23", "2026-11-24", "2026-11-25"]);
  });

  it("follows daylight saving time: New York's days start at 04:00 or 05:00 UTC, and the long day has 25 hours", () => {
    expect(startOfDay("2026-03-08", "America/New_York").toISOString()).toBe("2026-03-08T05:00:00.000Z");
    expect(startOfDay("2026-03-09", "America/New_York").toISOString()).toBe("2026-03-09T04:00:00.000Z");
    const longDay = startOfDay("2026-11-02", "America/New_York").getTime() - startOfDay("2026-11-01", "America/New_York").getTime();
    expect(longDay / 3_600_000).toBe(25);
    const clock = zonedClock("America/New_York");
    expect(clock(new Date("2026-11-01T05:30:00Z"))).toEqual({ day: "2026-11-01", hour: 1 });
    expect(clock(new Date("2026-11-01T06:30:00Z"))).toEqual({ day: "2026-11-01", hour: 1 });
  });

  it("reads quarter-hour zones (Nepal, +05:45) correctly", () => {
    const clock = zonedClock("Asia/Kathmandu");
    expect(clock(new Date("2026-11-24T18:14:59Z"))).toEqual({ day: "2026-11-24", hour: 23 });
    expect(clock(new Date("2026-11-24T18:15:00Z"))).toEqual({ day: "2026-11-25", hour: 0 });
  });
});

describe("the date range", () => {
  const resolve = (from?: string | null, to?: string | null) => resolveReportRange({ from, to }, KOLKATA, NOW);
  const fieldErrors = (from?: string | null, to?: string | null) => {
    try {
      resolve(from, to);
    } catch (error) {
      if (error instanceof ValidationError) return error.fieldErrors;
      throw error;
    }
    return [];
  };

  it("defaults to the last 30 days, today (in the workspace's zone) included", () => {
    const range = resolveReportRange({}, KOLKATA, new Date("2026-11-25T20:00:00Z"));
    expect([range.from, range.to, range.days.length]).toEqual(["2026-10-28", "2026-11-26", 30]);
  });

  it("accepts a single day and a whole leap year", () => {
    expect(resolve("2026-11-25", "2026-11-25").days).toEqual(["2026-11-25"]);
    expect(resolve("2024-01-01", "2024-12-31").days).toHaveLength(366);
  });

  it("refuses malformed and impossible dates, reversed ranges and ranges over 366 days, naming the field", () => {
    expect(fieldErrors("25/11/2026", "2026-02-30")).toEqual([
      { field: "from", message: "from must be a date such as 2026-11-25" },
      { field: "to", message: "to must be a date such as 2026-11-25" },
    ]);
    expect(fieldErrors("2026-11-25", "2026-11-24")).toEqual([{ field: "to", message: "to must be on or after from" }]);
    expect(fieldErrors("2025-01-01", "2026-01-02")).toEqual([{ field: "to", message: "A report covers at most 366 days: choose a shorter range" }]);
  });
});

describe("figures", () => {
  it("gives zeros for every day, all 24 hours and no rates for an empty range", () => {
    const { result } = report([]);
    expect(result.days).toHaveLength(6);
    expect(result.days.every((day) => day.inbound === 0 && day.outbound === 0 && day.deliveryRate === null)).toBe(true);
    expect(result.hours.map((hour) => hour.hour)).toEqual(Array.from({ length: 24 }, (_, hour) => hour));
    expect(result.totals).toMatchObject({ inbound: 0, outbound: 0, deliveryRate: null, readRate: null, estimatedCost: 0 });
    expect(result.firstResponse).toEqual({ medianSeconds: null, answered: 0, unanswered: 0 });
    expect(result.failures).toEqual([]);
    expect(result.cost).toEqual({ currency: "INR", amount: 0, billableMessages: 0, unpricedMessages: 0, lines: [] });
  });

  it("computes delivery and read rates over messages that left the outbox, and groups failures by code", () => {
    const { result } = report([
      out("2026-11-24T05:00:00Z", { status: "SENT" }),
      out("2026-11-24T05:01:00Z", { status: "DELIVERED" }),
      out("2026-11-24T05:02:00Z", { status: "READ" }),
      out("2026-11-24T05:03:00Z", { status: "PLAYED" }),
      out("2026-11-24T05:04:00Z", { status: "FAILED", errorCode: 131026, errorTitle: "Message undeliverable" }),
      out("2026-11-24T05:05:00Z", { status: "FAILED", errorCode: 131026, errorTitle: "Message undeliverable" }),
      out("2026-11-24T05:06:00Z", { status: "FAILED", errorCode: 131049, errorTitle: "Held for ecosystem health" }),
      out("2026-11-24T05:07:00Z", { status: "QUEUED" }),
    ]);
    expect(result.totals).toMatchObject({ outbound: 8, attempted: 7, delivered: 3, read: 2, failed: 3, deliveryRate: 0.4286, readRate: 0.2857 });
    expect(result.days.find((day) => day.date === "2026-11-24")).toMatchObject({ outbound: 8, delivered: 3, deliveryRate: 0.4286 });
    expect(result.failures).toEqual([
      { code: 131026, title: "Message undeliverable", count: 2 },
      { code: 131049, title: "Held for ecosystem health", count: 1 },
    ]);
  });

  it("finds the busiest hour of customers' messages in local time", () => {
    const { result } = report([
      message("2026-11-24T04:30:00Z"), // 10:00 IST
      message("2026-11-24T04:45:00Z"), // 10:15 IST
      message("2026-11-25T04:59:59Z"), // 10:29 IST
      message("2026-11-24T13:00:00Z"), // 18:30 IST
      out("2026-11-24T04:31:00Z"),
    ]);
    expect(result.hours[10]!.inbound).toBe(3);
    expect(result.hours[18]!.inbound).toBe(1);
    expect(result.hours.reduce((sum, hour) => sum + hour.inbound, 0)).toBe(4);
  });
});

describe("first-response time", () => {
  it("takes the median of waits, even and odd counts", () => {
    expect(median([])).toBeNull();
    expect(median([30, 10, 20])).toBe(20);
    expect(median([40, 10, 20, 30])).toBe(25);
  });

  it("measures from the customer's first message after an agent's reply to the next agent reply, ignoring automatic replies", () => {
    const { result } = report([
      message("2026-11-24T05:00:00Z"), // starts a wait
      out("2026-11-24T05:00:05Z", { autoReply: "GREETING" }), // does not end it
      message("2026-11-24T05:01:00Z"), // still the same wait
      out("2026-11-24T05:10:00Z"), // 10 minutes
      message("2026-11-24T06:00:00Z", { conversationId: "c2", waId: "919812345678" }),
      out("2026-11-24T06:02:00Z", { conversationId: "c2", waId: "919812345678", status: "FAILED" }), // never reached them
      out("2026-11-24T06:04:00Z", { conversationId: "c2", waId: "919812345678" }), // 4 minutes
      message("2026-11-24T07:00:00Z"), // a new wait in c1
      out("2026-11-24T07:30:00Z"), // 30 minutes
      message("2026-11-24T08:00:00Z", { conversationId: "c3", waId: "919900011122" }), // never answered
    ]);
    expect(result.firstResponse).toEqual({ medianSeconds: 600, answered: 3, unanswered: 1 });
  });

  it("leaves out a wait that began before the range, and ends one still open at its end with the next reply after it", () => {
    const messages = [
      message("2026-11-24T05:00:00Z", { conversationId: "early" }),
      out("2026-11-24T05:05:00Z", { conversationId: "early" }),
      message("2026-11-25T18:00:00Z", { conversationId: "late" }),
    ];
    const { builder } = report(messages);
    expect(builder.lookups()).toEqual({ waitingBeforeRange: ["early", "late"], waitingAfterRange: ["late"] });
    const { result } = report(messages, {
      context: { waitingAtStart: new Set(["early"]), repliesAfterEnd: new Map([["late", new Date("2026-11-25T19:00:00Z")]]) },
    });
    expect(result.firstResponse).toEqual({ medianSeconds: 3600, answered: 1, unanswered: 0 });
  });
});

describe("cost estimates", () => {
  it("prices billable messages by category and the customer's country, counting those without a rate apart", () => {
    const pricing: PricingRates = { currency: "INR", rates: { IN: { marketing: 0.8631, utility: 0.115 }, "*": { marketing: 2 } } };
    const { result } = report(
      [
        out("2026-11-24T05:00:00Z", { pricingCategory: "marketing", pricingBillable: true }),
        out("2026-11-24T05:01:00Z", { pricingCategory: "marketing", pricingBillable: true }),
        out("2026-11-25T05:01:00Z", { pricingCategory: "utility", pricingBillable: true }),
        out("2026-11-25T05:02:00Z", { pricingCategory: "service", pricingBillable: false }),
        out("2026-11-25T05:03:00Z", { pricingCategory: "marketing", pricingBillable: true, waId: "447700900123" }),
        out("2026-11-25T05:04:00Z", { pricingCategory: "authentication", pricingBillable: true, waId: "447700900123" }),
      ],
      { pricing },
    );
    expect(result.cost).toEqual({
      currency: "INR",
      amount: 3.8412,
      billableMessages: 5,
      unpricedMessages: 1,
      lines: [
        { category: "marketing", country: "GB", messages: 1, rate: 2, amount: 2 },
        { category: "marketing", country: "IN", messages: 2, rate: 0.8631, amount: 1.7262 },
        { category: "utility", country: "IN", messages: 1, rate: 0.115, amount: 0.115 },
        { category: "authentication", country: "GB", messages: 1, rate: null, amount: 0 },
      ],
    });
    expect(result.days.find((day) => day.date === "2026-11-24")?.estimatedCost).toBe(1.7262);
    expect(result.days.find((day) => day.date === "2026-11-25")?.estimatedCost).toBe(2.115);
    expect(result.totals.estimatedCost).toBe(3.8412);
  });

  it("finds the country from the WhatsApp id's calling code", () => {
    expect(customerCountry("919876543210")).toBe("IN");
    expect(customerCountry("14155550123")).toBe("US");
    expect(customerCountry("000")).toBeNull();
  });

  it("sums without floating-point drift", () => {
    const pricing: PricingRates = { currency: "INR", rates: { IN: { utility: 0.1 } } };
    expect(estimateCost([{ category: "utility", country: "IN", messages: 3 }], pricing).amount).toBe(0.3);
  });

  it("reads WHATSAPP_PRICING_RATES from the environment, defaults to India's rates, and names a bad value", () => {
    expect(loadConfig({}).WHATSAPP_PRICING_RATES).toEqual(INDIA_DEFAULT_RATES);
    expect(loadConfig({ WHATSAPP_PRICING_RATES: '{"currency":"USD","rates":{"US":{"Marketing":0.025}}}' }).WHATSAPP_PRICING_RATES).toEqual({
      currency: "USD",
      rates: { US: { marketing: 0.025 } },
    });
    expect(() => loadConfig({ WHATSAPP_PRICING_RATES: "{" })).toThrow(/WHATSAPP_PRICING_RATES must be JSON/);
    expect(() => loadConfig({ WHATSAPP_PRICING_RATES: '{"currency":"INR","rates":{"India":{"marketing":1}}}' })).toThrow(/country codes such as IN/);
    expect(() => loadConfig({ WHATSAPP_PRICING_RATES: '{"currency":"INR","rates":{"IN":{"marketing":-1}}}' })).toThrow(/zero or more/);
  });
});

describe("CSV", () => {
  it("quotes commas, quotes and line breaks, and defuses cells a spreadsheet would run as formulas", () => {
    expect(csvCell('He said "hi", then left\n')).toBe('"He said ""hi"", then left\n"');
    expect(["=HYPERLINK(1)", "+1", "-2+3", "@SUM(A1)"].map(csvCell)).toEqual(["'=HYPERLINK(1)", "'+1", "'-2+3", "'@SUM(A1)"]);
    expect([csvCell(-1.5), csvCell(null), csvCell("2026-11-25")]).toEqual(["-1.5", "", "2026-11-25"]);
  });

  it("writes one row per day with the header first", () => {
    const { result } = report([message("2026-11-24T05:00:00Z"), out("2026-11-24T05:01:00Z", { status: "READ" })], { from: "2026-11-24", to: "2026-11-25" });
    expect(dailyReportCsv(result)).toBe(
      "date,messages_in,messages_out,delivered,read,failed,delivery_rate,read_rate,estimated_cost_INR\r\n" +
        "2026-11-24,1,1,1,1,0,1,1,0\r\n" +
        "2026-11-25,0,0,0,0,0,,,0\r\n",
    );
  });
});
