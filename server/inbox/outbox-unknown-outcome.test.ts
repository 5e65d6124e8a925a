import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql } from "../tests/support/harness.ts";
import { eventually, SIMULATOR_TOKEN, startWithSimulator, type SimulatedWhatsApp } from "../tests/support/simulated-whatsapp.ts";
import { TEST_PHONE_NUMBER_ID, TEST_WABA_ID } from "../tests/support/webhook-fixtures.ts";
import { createCloudApi } from "../whatsapp/cloud-api.ts";
import { callbackDataOf } from "./outbox-callback-data.ts";
import { UNKNOWN_OUTCOME_TITLE, type OutboundRequest } from "./outbox.ts";

// Rows a killed instance leaves behind mid-send: their request may have reached Meta, whose answer
// (the wamid) died with the instance. Real SQLite, the real outbox, the Cloud API simulator; the
// dead worker is played by rows in the state it leaves (attempt started, lease ended) and, where
// Meta took its request, by that request sent to the simulator with the row's callback data.

const GRACE_MS = 1_500;
let whatsapp: SimulatedWhatsApp;
let workspaceId: string;
const db = () => whatsapp.server.app.db;

beforeAll(async () => {
  whatsapp = await startWithSimulator({ OUTBOX_UNKNOWN_OUTCOME_GRACE_MS: String(GRACE_MS) });
  workspaceId = (await db().user.findFirstOrThrow({ where: { role: "ADMIN" } })).workspaceId;
}, 30_000);
afterAll(async () => whatsapp?.stop());

let sequence = 0;
/** A row as a worker killed after marking its attempt started leaves it; `lockedUntil` in the past: its lease has ended. */
async function rowInDoubt(options: { campaignId?: string; text?: string; lockedUntil?: Date } = {}) {
  const waId = `91987650${String(++sequence).padStart(4, "0")}`;
  whatsapp.simulator.setCustomer(waId, { lastInboundHoursAgo: 1 });
  const conversation = await db().conversation.create({ data: { workspaceId, waId, businessPhoneNumberId: TEST_PHONE_NUMBER_ID } });
  const request: OutboundRequest = options.text
    ? { type: "text", to: waId, body: options.text }
    : { type: "template", to: waId, name: "hello_world", languageCode: "en_US", bodyParameters: [] };
  const row = await db().whatsAppMessage.create({
    data: {
      workspaceId,
      conversationId: conversation.id,
      direction: "OUTBOUND",
      type: request.type,
      preview: options.text ?? "hello_world",
      status: "QUEUED",
      raw: JSON.stringify(request),
      timestamp: new Date(),
      attempts: 1,
      lockedUntil: options.lockedUntil ?? new Date(Date.now() - 1),
      sendStartedAt: new Date(Date.now() - 2_000),
      businessPhoneNumberId: TEST_PHONE_NUMBER_ID,
      campaignId: options.campaignId ?? null,
    },
  });
  return { row, waId };
}

/** What the dead worker's request did at Meta: accepted, with the row's callback data. */
function metaTookIt(rowId: string, waId: string) {
  const api = createCloudApi({ baseUrl: whatsapp.simulator.baseUrl, version: "v23.0", token: SIMULATOR_TOKEN, phoneNumberId: TEST_PHONE_NUMBER_ID, businessAccountId: TEST_WABA_ID });
  return api.sendTemplate(waId, { name: "hello_world", languageCode: "en_US", bodyParameters: [] }, { callbackData: callbackDataOf(rowId) });
}

const arrivalsFor = (waId: string) => whatsapp.simulator.sentMessages().filter((message) => message.to === waId);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("a row whose worker died mid-send", () => {
  it("is adopted by the status naming it and never sent again, campaign or not", async () => {
    for (const campaignId of ["campaign-adopted", undefined]) {
      const { row, waId } = await rowInDoubt({ campaignId });
      const { wamid } = await metaTookIt(row.id, waId);
      const adopted = await eventually(async () => {
        const now = await db().whatsAppMessage.findUniqueOrThrow({ where: { id: row.id } });
        return now.status === "READ" && now;
      }, "the statuses to reach the row by its callback data");
      expect(adopted).toMatchObject({ wamid, lockedUntil: null, sendStartedAt: null, nextAttemptAt: null, attempts: 1 });
      // Well past the grace period: still the one message at Meta.
      await pause(GRACE_MS + 1_500);
      expect(arrivalsFor(waId)).toHaveLength(1);
      expect(await db().whatsAppMessage.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: "READ", wamid, attempts: 1 });
    }
  });

  it("is adopted while its lease still runs, before any other worker looks at it", async () => {
    const { row, waId } = await rowInDoubt({ campaignId: "campaign-leased", lockedUntil: new Date(Date.now() + 60_000) });
    const { wamid } = await metaTookIt(row.id, waId);
    await eventually(async () => (await db().whatsAppMessage.findUniqueOrThrow({ where: { id: row.id } })).wamid === wamid, "the row to be adopted");
    expect(arrivalsFor(waId)).toHaveLength(1);
  });

  it("in a campaign, with no status within the grace period, fails as outcome unknown and is never sent", async () => {
    const { row, waId } = await rowInDoubt({ campaignId: "campaign-unknown" });
    // A live worker finds it and starts the grace period: from then, not from the dead attempt.
    const waiting = await eventually(async () => {
      const now = await db().whatsAppMessage.findUniqueOrThrow({ where: { id: row.id } });
      return now.nextAttemptAt !== null && now;
    }, "a worker to start the grace period");
    expect(waiting).toMatchObject({ status: "QUEUED", lockedUntil: null });
    expect(waiting.nextAttemptAt!.getTime() - Date.now()).toBeGreaterThan(GRACE_MS - 1_200);
    const failed = await eventually(async () => {
      const now = await db().whatsAppMessage.findUniqueOrThrow({ where: { id: row.id } });
      return now.status === "FAILED" && now;
    }, "the row to be given up", 10_000);
    expect(failed).toMatchObject({ errorTitle: UNKNOWN_OUTCOME_TITLE, errorCode: null, sendStartedAt: null, attempts: 1 });
    expect(failed.statusAt!.getTime()).toBeGreaterThanOrEqual(waiting.nextAttemptAt!.getTime());
    expect(arrivalsFor(waId)).toHaveLength(0);
  });

  it("outside campaigns, with no status within the grace period, is sent again — once, after the grace period", async () => {
    const { row, waId } = await rowInDoubt({ text: "Your order has shipped" });
    const waiting = await eventually(async () => {
      const now = await db().whatsAppMessage.findUniqueOrThrow({ where: { id: row.id } });
      return now.nextAttemptAt !== null && now;
    }, "a worker to start the grace period");
    const sent = await eventually(async () => {
      const now = await db().whatsAppMessage.findUniqueOrThrow({ where: { id: row.id } });
      return now.wamid !== null && now;
    }, "the row to be sent again", 10_000);
    const [arrival, ...more] = arrivalsFor(waId);
    expect(more).toHaveLength(0);
    expect(arrival!.atMs).toBeGreaterThanOrEqual(waiting.nextAttemptAt!.getTime());
    expect(arrival!.request.biz_opaque_callback_data).toBe(callbackDataOf(row.id));
    expect(sent).toMatchObject({ wamid: arrival!.wamid, attempts: 2, sendStartedAt: null });
  });
});

describe("a campaign send that times out", () => {
  it("may have reached Meta: it waits for a status like a crashed one, and fails as outcome unknown rather than going twice", async () => {
    const campaign = await db().campaign.create({
      data: { workspaceId, name: "Timeouts", templateName: "hello_world", languageCode: "en_US", audience: "{}", bodyParameters: "[]", status: "RUNNING" },
    });
    const { row, waId } = await rowInDoubt({ campaignId: campaign.id });
    // A row like any queued one: not started, not held.
    await db().whatsAppMessage.update({ where: { id: row.id }, data: { sendStartedAt: null, lockedUntil: null, attempts: 0 } });
    // Meta hangs past the client's 1 s timeout (and then takes nothing).
    whatsapp.simulator.forceFailures({ kind: "timeout", hangMs: 1_500, count: 1 });
    const failed = await eventually(async () => {
      const now = await db().whatsAppMessage.findUniqueOrThrow({ where: { id: row.id } });
      return now.status === "FAILED" && now;
    }, "the row to be given up after the grace period", 10_000);
    expect(failed).toMatchObject({ errorTitle: UNKNOWN_OUTCOME_TITLE, attempts: 1 });
    expect(whatsapp.simulator.requests().filter((request) => JSON.stringify(request).includes(waId))).toHaveLength(1);
    expect(arrivalsFor(waId)).toHaveLength(0);
  });
});

describe("a status overtaking the answer to its send", () => {
  it("names the row by its callback data; the late answer then moves nothing back", async () => {
    const waId = "919876599999";
    await whatsapp.simulator.sendInbound({ from: waId, type: "text", text: "Where is my order?" });
    const conversation = await eventually(() => db().conversation.findFirst({ where: { waId } }), "the conversation");
    // Meta takes it at once and answers it 800 ms later; its statuses (30–90 ms) come first.
    whatsapp.simulator.forceFailures({ kind: "lateAnswer", delayMs: 800, count: 1 });
    const answer = graphql(
      whatsapp.server,
      `mutation($input: SendWhatsAppInput!) { sendWhatsApp(input: $input) { __typename } }`,
      { input: { phoneNumber: `+${waId}`, message: "On its way" } },
    );
    const read = await eventually(async () => {
      const now = await db().whatsAppMessage.findFirst({ where: { conversationId: conversation.id, direction: "OUTBOUND" } });
      return now?.status === "READ" && now;
    }, "the statuses to reach the row before its answer");
    const { id } = read;
    const [accepted] = arrivalsFor(waId);
    expect((await answer).data.sendWhatsApp.__typename).toBe("SendWhatsAppSuccess");
    await pause(1_000); // the late answer has come and been recorded
    expect(read.wamid).toBe(accepted!.wamid);
    expect(await db().whatsAppMessage.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "READ", wamid: accepted!.wamid, sendStartedAt: null, lockedUntil: null, attempts: 1 });
    expect(arrivalsFor(waId)).toHaveLength(1);
  });
});
