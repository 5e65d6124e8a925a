import urql from "@urql/vue";
import { flushPromises, mount } from "@vue/test-utils";
import { describe, expect, it } from "vitest";
import ReportsConversationCost from "../components/reports/ReportsConversationCost.vue";
import { defaultRange } from "../composables/useDeliveryReport.ts";
import { fakeGraphQLServer } from "../testing/harness.ts";
import { formatCalendarDay } from "../format.ts";
import ReportsPage from "./ReportsPage.vue";

const COST = {
  __typename: "CostEstimate",
  currency: "INR",
  amount: 0.9781,
  billableMessages: 2,
  unpricedMessages: 1,
  lines: [
    { __typename: "CostLine", category: "marketing", country: "IN", messages: 1, rate: 0.8631, amount: 0.8631 },
    { __typename: "CostLine", category: "utility", country: "IN", messages: 1, rate: 0.115, amount: 0.115 },
    { __typename: "CostLine", category: "authentication", country: "GB", messages: 1, rate: null, amount: 0 },
  ],
};

const day = (date: string, figures: Partial<Record<string, number | null>> = {}) => ({
  __typename: "ReportDay",
  date,
  inbound: 0,
  outbound: 0,
  delivered: 0,
  read: 0,
  failed: 0,
  deliveryRate: null,
  readRate: null,
  estimatedCost: 0,
  ...figures,
});

function reportFor(from: string, to: string) {
  return {
    __typename: "QueryDeliveryReportSuccess",
    report: {
      __typename: "DeliveryReport",
      from,
      to,
      timeZone: "Asia/Kolkata",
      totals: { __typename: "ReportTotals", inbound: 3, outbound: 6, attempted: 6, delivered: 4, read: 2, failed: 1, deliveryRate: 0.6667, readRate: 0.3333 },
      days: [
        day(from, { inbound: 2, outbound: 6, delivered: 4, read: 2, failed: 1, deliveryRate: 0.6667, readRate: 0.3333, estimatedCost: 0.9781 }),
        day(to, { inbound: 1 }),
      ],
      busiestHours: Array.from({ length: 24 }, (_, hour) => ({ __typename: "ReportHour", hour, inbound: hour === 10 ? 2 : hour === 0 ? 1 : 0 })),
      failures: [{ __typename: "FailureReason", code: 131026, title: "Message undeliverable", count: 1 }],
      firstResponse: { __typename: "FirstResponse", medianSeconds: 750, answered: 2, unanswered: 1 },
      cost: COST,
    },
  };
}

function mountPage() {
  const server = fakeGraphQLServer((_operation, variables) => {
    const { from, to } = variables as { from: string; to: string };
    if (from > to) return { deliveryReport: { __typename: "ValidationError", message: "to must be on or after from" } };
    return { deliveryReport: reportFor(from, to) };
  });
  const wrapper = mount(ReportsPage, { attachTo: document.body, global: { plugins: [[urql, server.client]] } });
  return { wrapper, server };
}

const cells = (row: { findAll(selector: string): Array<{ text(): string }> }) => row.findAll("th, td").map((cell) => cell.text());

describe("ReportsPage", () => {
  it("asks for the last 30 days and shows the figures, the daily table and the cost", async () => {
    const { wrapper, server } = mountPage();
    await flushPromises();
    const range = defaultRange();
    expect(server.requests[0]).toMatchObject({ operationName: "DeliveryReport", variables: range });
    expect((wrapper.get("#report-from").element as HTMLInputElement).value).toBe(range.from);

    const tiles = wrapper.findAll(".tile").map((tile) => tile.text());
    expect(tiles).toEqual([
      "Messages in3",
      "Messages out6",
      "Delivery rate66.7%4 of 6",
      "Read rate33.3%2 of 6",
      "Median first response13 min2 answered, 1 waiting",
      "Estimated cost₹0.982 billable messages",
    ]);
    const daily = wrapper.get('section[aria-labelledby="daily-title"] table');
    expect(cells(daily.findAll("tbody tr")[0]!)).toEqual([formatCalendarDay(range.from), "2", "6", "4", "2", "1", "66.7%", "33.3%", "₹0.98"]);
    expect(wrapper.get('section[aria-labelledby="failures-title"]').text()).toContain("Message undeliverable");
    const cost = wrapper.get('section[aria-labelledby="cost-title"]');
    expect(cost.text()).toContain("1 billable message has no rate configured");
    expect(cells(cost.findAll("tbody tr")[2]!)).toEqual(["authentication", "GB", "1", "no rate set", "₹0.00"]);
    expect(wrapper.get('canvas[role="img"]').attributes("aria-label")).toContain("Messages in and out per day");
    expect(wrapper.get("a[download]").attributes("href")).toBe(`/api/reports/daily.csv?from=${range.from}&to=${range.to}`);
    wrapper.unmount();
  });

  it("asks again when a date changes, and says why a reversed range is refused", async () => {
    const { wrapper, server } = mountPage();
    await flushPromises();
    await wrapper.get("#report-from").setValue("2026-11-01");
    await flushPromises();
    expect(server.requests.at(-1)?.variables).toMatchObject({ from: "2026-11-01" });
    expect(wrapper.get("a[download]").attributes("href")).toContain("from=2026-11-01");

    await wrapper.get("#report-to").setValue("2026-10-01");
    await flushPromises();
    expect(wrapper.get('[role="alert"]').text()).toBe("to must be on or after from");
    expect(wrapper.get("#report-to").attributes("aria-invalid")).toBe("true");
    expect(wrapper.find(".tile").exists()).toBe(false);
    wrapper.unmount();
  });
});

describe("ReportsConversationCost", () => {
  it("shows a conversation's estimated cost and how many messages it covers", async () => {
    const server = fakeGraphQLServer(() => ({ conversation: { __typename: "Conversation", id: "c1", estimatedCost: COST } }));
    const wrapper = mount(ReportsConversationCost, { props: { conversationId: "c1" }, global: { plugins: [[urql, server.client]] } });
    await flushPromises();
    expect(wrapper.text()).toBe("≈ ₹0.98 (2 billable messages, 1 without a rate)");
    expect(server.requests[0]).toMatchObject({ operationName: "ConversationCost", variables: { id: "c1" } });
  });
});
