import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql } from "../tests/support/harness.ts";
import { eventually, startWithSimulator, type SimulatedWhatsApp } from "../tests/support/simulated-whatsapp.ts";
import { TEST_PHONE_NUMBER_ID } from "../tests/support/webhook-fixtures.ts";

// The simulator in coexistence mode against the product: what a business sees when it connects
// the number it keeps using in the WhatsApp Business app.
let whatsapp: SimulatedWhatsApp;
const server = () => whatsapp.server;
const db = () => whatsapp.server.app.db;

beforeAll(async () => {
  whatsapp = await startWithSimulator();
  whatsapp.simulator.configure({ coexistence: true });
});
afterAll(() => whatsapp.stop());

const IMPORT = `query($id: String!) { historyImport(phoneNumberId: $id) { state phase progress threads messages mediaWaiting mediaFetched mediaExpired errorCode } }`;

describe("the simulator in coexistence mode", () => {
  it("limits the number to Meta's 20 messages a second for coexistence", () => {
    expect(whatsapp.simulator.configure({}).messagesPerSecond).toBe(20);
  });

  it("imports a history sent in phases, out of order, with media follow-ups downloaded by the media worker", async () => {
    const result = await whatsapp.simulator.syncHistory({ threads: 4, messagesPerThread: 30, mediaEvery: 5, chunkSize: 25, firstCustomer: "919700000100" });
    expect(result.httpStatuses.every((status) => status === 200)).toBe(true);
    await server().app.historyImport.idle();
    await eventually(async () => (await graphql(server(), IMPORT, { id: TEST_PHONE_NUMBER_ID })).data.historyImport.mediaWaiting === 0, "the media follow-ups to be downloaded");
    const { historyImport } = (await graphql(server(), IMPORT, { id: TEST_PHONE_NUMBER_ID })).data;
    expect(historyImport).toMatchObject({ state: "COMPLETE", phase: 2, progress: 100, threads: 4, messages: 120, mediaWaiting: 0 });
    expect(historyImport.mediaFetched).toBeGreaterThan(0);
    expect(historyImport.mediaFetched + historyImport.mediaExpired).toBe(4 * 6);
    // Nothing is unread, in order of the original times.
    expect(await db().conversation.count({ where: { waId: { startsWith: "9197000001" }, unreadCount: { gt: 0 } } })).toBe(0);
    const thread = await db().whatsAppMessage.findMany({ where: { conversation: { waId: "919700000100" } }, orderBy: { timestamp: "asc" }, select: { text: true, direction: true } });
    expect(thread.slice(0, 2)).toEqual([
      { text: "Message 0 from the customer", direction: "INBOUND" },
      { text: "Reply 1 from the shop", direction: "OUTBOUND" },
    ]);
  });

  it("shows a declined history sharing", async () => {
    // The same number onboarded again, its owner declining this time.
    await db().historyImport.deleteMany({ where: { phoneNumberId: TEST_PHONE_NUMBER_ID } });
    expect((await whatsapp.simulator.syncHistory({ declined: true })).httpStatuses).toEqual([200]);
    await server().app.historyImport.idle();
    expect((await graphql(server(), IMPORT, { id: TEST_PHONE_NUMBER_ID })).data.historyImport).toMatchObject({ state: "DECLINED", errorCode: 2593109 });
  });

  it("puts what the phone sends in the inbox as outbound, with no auto-reply and no unread badge", async () => {
    await graphql(server(), `mutation { createAutoReplyRule(input: { kind: GREETING, reply: "Namaste!" }) { __typename } }`);
    const sent = await whatsapp.simulator.phoneSends({ from: "919700000900", type: "text", text: "Your saree is ready for pickup" });
    expect(sent.httpStatus).toBe(200);
    await server().app.autoReplies.idle();
    const message = await db().whatsAppMessage.findUniqueOrThrow({ where: { wamid: sent.wamid }, include: { conversation: true } });
    expect(message).toMatchObject({ direction: "OUTBOUND", fromBusinessApp: true, text: "Your saree is ready for pickup" });
    expect(message.conversation.unreadCount).toBe(0);
    expect(whatsapp.simulator.sentMessages().filter((outgoing) => outgoing.to === "919700000900")).toEqual([]);
  });

  it("syncs the app's contacts", async () => {
    expect((await whatsapp.simulator.changeAppContacts({ changes: [{ action: "add", phone_number: "919700000901", full_name: "Meera Iyer", first_name: "Meera" }] })).httpStatus).toBe(200);
    expect(await db().contact.findFirst({ where: { whatsappNumber: "+919700000901" } })).toMatchObject({ name: "Meera Iyer", removedFromPhoneAt: null });
    expect((await whatsapp.simulator.changeAppContacts({ changes: [{ action: "remove", phone_number: "919700000901" }] })).httpStatus).toBe(200);
    expect((await db().contact.findFirstOrThrow({ where: { whatsappNumber: "+919700000901" } })).removedFromPhoneAt).not.toBeNull();
  });
});
