import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Prisma } from "../generated/prisma/client.ts";
import { ADMIN_API_TOKEN, createOtherWorkspace, graphql, loginAs, type TestServer, startTestServer } from "../tests/support/harness.ts";
import { deliverWebhook, WEBHOOK_ENV } from "../tests/support/webhook-client.ts";
import { change, envelope, status, wamid } from "../tests/support/webhook-fixtures.ts";

// Messages are written straight into the database: the report must read what ingest and the
// outbox store, whichever path stored it (pricing arrives with Meta's status webhooks).

const PRIYA = "919876543210";
const RAVI = "919812345678";

let server: TestServer;
let other: Awaited<ReturnType<typeof createOtherWorkspace>>;
const ids = { priya: "", ravi: "", workspaceId: "" };

const REPORT = `query Report($from: String, $to: String) {
  deliveryReport(from: $from, to: $to) {
    __typename
    ... on QueryDeliveryReportSuccess {
      report {
        from to timeZone
        totals { inbound outbound attempted delivered read failed deliveryRate readRate estimatedCost }
        days { date inbound outbound delivered read failed estimatedCost }
        busiestHours { hour inbound }
        failures { code title count }
        firstResponse { medianSeconds answered unanswered }
        cost { currency amount billableMessages unpricedMessages lines { category country messages rate amount } }
      }
    }
    ... on ValidationError { message fieldErrors { field message } }
  }
}`;

async function seed(conversationId: string, messages: Array<Partial<Prisma.WhatsAppMessageUncheckedCreateInput> & { at: string }>) {
  for (const { at, ...fields } of messages) {
    await server.app.db.whatsAppMessage.create({
      data: {
        workspaceId: ids.workspaceId,
        conversationId,
        direction: "INBOUND",
        status: "RECEIVED",
        type: "text",
        preview: "…",
        timestamp: new Date(at),
        ...fields,
      },
    });
  }
}
const outbound = (at: string, fields: Partial<Prisma.WhatsAppMessageUncheckedCreateInput> = {}) => ({ at, direction: "OUTBOUND" as const, status: "DELIVERED" as const, ...fields });

beforeAll(async () => {
  server = await startTestServer(WEBHOOK_ENV);
  const { db } = server.app;
  ids.workspaceId = (await db.workspace.findFirstOrThrow()).id;
  ids.priya = (await db.conversation.create({ data: { workspaceId: ids.workspaceId, waId: PRIYA, profileName: "Priya" } })).id;
  ids.ravi = (await db.conversation.create({ data: { workspaceId: ids.workspaceId, waId: RAVI, profileName: "Ravi" } })).id;
  // 24 November in India (UTC+05:30).
  await seed(ids.priya, [
    { at: "2026-11-24T04:30:00Z" }, // 10:00 IST: Priya starts waiting
    outbound("2026-11-24T04:30:01Z", { autoReply: "GREETING", status: "READ", pricingCategory: "service", pricingBillable: false }),
    outbound("2026-11-24T04:35:00Z", { status: "READ", pricingCategory: "service", pricingBillable: false }), // 5 minutes
    outbound("2026-11-24T09:00:00Z", { type: "template", pricingCategory: "marketing", pricingBillable: true, pricingModel: "PMP" }),
    outbound("2026-11-24T09:01:00Z", { type: "template", pricingCategory: "utility", pricingBillable: true, pricingModel: "PMP" }),
  ]);
  await seed(ids.ravi, [
    { at: "2026-11-24T05:00:00Z" }, // 10:30 IST
    outbound("2026-11-24T05:15:00Z", { status: "FAILED", errorCode: 131026, errorTitle: "Message undeliverable" }),
    outbound("2026-11-24T05:20:00Z", { status: "SENT" }), // 20 minutes
    // 25 November 00:30 IST, still 24 November in UTC.
    { at: "2026-11-24T19:00:00Z" },
  ]);
  other = await createOtherWorkspace(server);
});
afterAll(() => server.stop());

describe("deliveryReport", () => {
  it("gives a workspace its messages per day, rates, failures, busiest hours, first-response time and cost", async () => {
    const { data, errors } = await graphql(server, REPORT, { from: "2026-11-24", to: "2026-11-25" });
    expect(errors).toBeUndefined();
    const { report } = data.deliveryReport;
    expect(report).toMatchObject({ from: "2026-11-24", to: "2026-11-25", timeZone: "Asia/Kolkata" });
    expect(report.totals).toEqual({
      inbound: 3,
      outbound: 6,
      attempted: 6,
      delivered: 4,
      read: 2,
      failed: 1,
      deliveryRate: 0.6667,
      readRate: 0.3333,
      estimatedCost: 0.9781,
    });
    expect(report.days).toEqual([
      { date: "2026-11-24", inbound: 2, outbound: 6, delivered: 4, read: 2, failed: 1, estimatedCost: 0.9781 },
      { date: "2026-11-25", inbound: 1, outbound: 0, delivered: 0, read: 0, failed: 0, estimatedCost: 0 },
    ]);
    expect(report.busiestHours.filter((hour: { inbound: number }) => hour.inbound > 0)).toEqual([
      { hour: 0, inbound: 1 },
      { hour: 10, inbound: 2 },
    ]);
    expect(report.failures).toEqual([{ code: 131026, title: "Message undeliverable", count: 1 }]);
    // Waits of 5 and 20 minutes; Ravi's message after midnight is unanswered.
    expect(report.firstResponse).toEqual({ medianSeconds: 750, answered: 2, unanswered: 1 });
    expect(report.cost).toEqual({
      currency: "INR",
      amount: 0.9781,
      billableMessages: 2,
      unpricedMessages: 0,
      lines: [
        { category: "marketing", country: "IN", messages: 1, rate: 0.8631, amount: 0.8631 },
        { category: "utility", country: "IN", messages: 1, rate: 0.115, amount: 0.115 },
      ],
    });
  });

  it("reads days in the workspace's own time zone", async () => {
    await server.app.db.workspace.update({ where: { id: ids.workspaceId }, data: { timeZone: "UTC" } });
    try {
      const { data } = await graphql(server, REPORT, { from: "2026-11-24", to: "2026-11-25" });
      expect(data.deliveryReport.report.timeZone).toBe("UTC");
      expect(data.deliveryReport.report.days.map((day: { inbound: number }) => day.inbound)).toEqual([3, 0]);
    } finally {
      await server.app.db.workspace.update({ where: { id: ids.workspaceId }, data: { timeZone: "Asia/Kolkata" } });
    }
  });

  it("shows another workspace none of these messages", async () => {
    const { data } = await graphql(server, REPORT, { from: "2026-11-24", to: "2026-11-25" }, { token: other.token });
    const { report } = data.deliveryReport;
    expect(report.totals).toMatchObject({ inbound: 0, outbound: 0, estimatedCost: 0 });
    expect(report.failures).toEqual([]);
    expect(report.cost.billableMessages).toBe(0);
  });

  it("refuses bad ranges with a ValidationError naming the field", async () => {
    const answers = await Promise.all([
      graphql(server, REPORT, { from: "24-11-2026", to: "2026-11-25" }),
      graphql(server, REPORT, { from: "2026-11-25", to: "2026-11-24" }),
      graphql(server, REPORT, { from: "2024-01-01", to: "2026-11-24" }),
    ]);
    expect(answers.map(({ data }) => data.deliveryReport)).toEqual([
      { __typename: "ValidationError", message: "from must be a date such as 2026-11-25", fieldErrors: [{ field: "from", message: "from must be a date such as 2026-11-25" }] },
      { __typename: "ValidationError", message: "to must be on or after from", fieldErrors: [{ field: "to", message: "to must be on or after from" }] },
      expect.objectContaining({ __typename: "ValidationError", message: "A report covers at most 366 days: choose a shorter range" }),
    ]);
  });

  it("covers the last 30 days when no dates are given", async () => {
    const { data } = await graphql(server, REPORT);
    expect(data.deliveryReport.report.days).toHaveLength(30);
  });
});

describe("Conversation.estimatedCost", () => {
  const COST = `query($id: ID!) { conversation(id: $id) { estimatedCost { currency amount billableMessages lines { category messages } } } }`;

  it("estimates what a conversation's billable messages cost", async () => {
    const { data } = await graphql(server, COST, { id: ids.priya });
    expect(data.conversation.estimatedCost).toEqual({
      currency: "INR",
      amount: 0.9781,
      billableMessages: 2,
      lines: [
        { category: "marketing", messages: 1 },
        { category: "utility", messages: 1 },
      ],
    });
    expect((await graphql(server, COST, { id: ids.ravi })).data.conversation.estimatedCost).toMatchObject({ amount: 0, billableMessages: 0, lines: [] });
  });

  it("is not reachable from another workspace", async () => {
    expect((await graphql(server, COST, { id: ids.priya }, { token: other.token })).data.conversation).toBeNull();
  });
});

describe("GET /api/reports/daily.csv", () => {
  const download = (query: string, headers: Record<string, string> = { authorization: `Bearer ${ADMIN_API_TOKEN}` }) =>
    fetch(`${server.url}/api/reports/daily.csv${query}`, { headers });

  it("downloads the daily figures as CSV with an API token or a browser session", async () => {
    const response = await download("?from=2026-11-24&to=2026-11-25");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="messages-2026-11-24-to-2026-11-25.csv"');
    const csv = await response.text();
    expect(csv).toBe(
      "date,messages_in,messages_out,delivered,read,failed,delivery_rate,read_rate,estimated_cost_INR\r\n" +
        "2026-11-24,2,6,4,2,1,0.6667,0.3333,0.9781\r\n" +
        "2026-11-25,1,0,0,0,0,,,0\r\n",
    );
    // A link in the page: a GET with the session cookie, which needs no CSRF token.
    const session = await loginAs(server);
    const viaCookie = await download("?from=2026-11-24&to=2026-11-25", { cookie: session.cookie! });
    expect(await viaCookie.text()).toBe(csv);
  });

  it("refuses anonymous callers and bad ranges, and gives another workspace only its own figures", async () => {
    expect((await download("?from=2026-11-24&to=2026-11-25", {})).status).toBe(401);
    const reversed = await download("?from=2026-11-25&to=2026-11-24");
    expect(reversed.status).toBe(400);
    expect(await reversed.json()).toEqual({ success: false, error: "to must be on or after from", fieldErrors: [{ field: "to", message: "to must be on or after from" }] });
    expect((await download("?from=2026-11-24&from=2026-11-20&to=2026-11-25")).status).toBe(400);
    const theirs = await (await download("?from=2026-11-24&to=2026-11-25", { authorization: `Bearer ${other.token}` })).text();
    expect(theirs.split("\r\n")[1]).toBe("2026-11-24,0,0,0,0,0,,,0");
  });
});

describe("pricing from Meta's status webhooks", () => {
  it("prices a message once its status webhook says it is billable", async () => {
    const { db } = server.app;
    const asha = await db.conversation.create({ data: { workspaceId: ids.workspaceId, waId: "919900011122" } });
    const id = wamid();
    await seed(asha.id, [outbound("2026-10-01T06:00:00Z", { wamid: id, status: "SENT", type: "template" })]);
    const pricing = { billable: true, pricing_model: "PMP", category: "authentication" };
    const delivered = await deliverWebhook(server, envelope(change({ statuses: [status(id, "delivered", { pricing })] })));
    expect(delivered.status).toBe(200);

    const { data } = await graphql(server, `query($id: ID!) { conversation(id: $id) { estimatedCost { amount billableMessages } } }`, { id: asha.id });
    expect(data.conversation.estimatedCost).toEqual({ amount: 0.115, billableMessages: 1 });
    const report = await graphql(server, REPORT, { from: "2026-10-01", to: "2026-10-01" });
    expect(report.data.deliveryReport.report.cost.lines).toEqual([{ category: "authentication", country: "IN", messages: 1, rate: 0.115, amount: 0.115 }]);
  });
});

describe("first-response time across the range's edges", () => {
  it("leaves out a wait that began before the range, and counts one answered after it", async () => {
    const meera = await server.app.db.conversation.create({ data: { workspaceId: ids.workspaceId, waId: "919811122233" } });
    await seed(meera.id, [
      { at: "2026-09-10T10:00:00Z" }, // 15:30 IST on the 10th: Meera starts waiting
      { at: "2026-09-11T05:00:00Z" }, // still waiting the next day
      outbound("2026-09-11T05:10:00Z"), // answered after 19 h 10 min
    ]);
    const firstResponse = async (from: string, to: string) => (await graphql(server, REPORT, { from, to })).data.deliveryReport.report.firstResponse;
    expect(await firstResponse("2026-09-10", "2026-09-11")).toEqual({ medianSeconds: 69_000, answered: 1, unanswered: 0 });
    expect(await firstResponse("2026-09-10", "2026-09-10")).toEqual({ medianSeconds: 69_000, answered: 1, unanswered: 0 });
    expect(await firstResponse("2026-09-11", "2026-09-11")).toEqual({ medianSeconds: null, answered: 0, unanswered: 0 });
  });
});
