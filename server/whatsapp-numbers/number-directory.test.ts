import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_API_TOKEN, rest } from "../tests/support/harness.ts";
import { eventually, SIMULATOR_TOKEN, startWithSimulator, type SimulatedWhatsApp } from "../tests/support/simulated-whatsapp.ts";
import { deliverWebhook } from "../tests/support/webhook-client.ts";
import { change, envelope, inbound, TEST_PHONE_NUMBER_ID } from "../tests/support/webhook-fixtures.ts";
import { WhatsAppNotConfiguredError } from "./number-directory.ts";

// The bootstrap number (WHATSAPP_*) as the directory serves it: a client per number, with the
// number's own token, forgotten when the number changes.

const asAdmin = { token: ADMIN_API_TOKEN };
let bed: SimulatedWhatsApp;
beforeAll(async () => {
  // WHATSAPP_TOKEN is wrong on purpose: only a token stored for the number can send.
  bed = await startWithSimulator({ WHATSAPP_TOKEN: "an-expired-token" });
});
afterAll(() => bed.stop());

const app = () => bed.server.app;
const send = (message: string) => rest(bed.server, "POST", "/api/whatsapp/send", { phoneNumber: "+919876543210", message }, asAdmin);

describe("the number directory", () => {
  it("sends with the token stored, sealed, for the number, once the number changed", async () => {
    await bed.simulator.sendInbound({ from: "919876543210", type: "text", text: "Hello" });
    await eventually(async () => (await app().db.whatsAppMessage.count({ where: { direction: "INBOUND" } })) === 1, "the customer's message");
    // The environment's token: Meta refuses it (190), the message fails.
    expect((await send("with the environment's token")).body).toMatchObject({ success: false, code: 190 });

    const { numbers, db } = app();
    await db.whatsAppPhoneNumber.update({ where: { phoneNumberId: TEST_PHONE_NUMBER_ID }, data: { accessTokenSealed: numbers.seal(TEST_PHONE_NUMBER_ID, SIMULATOR_TOKEN) } });
    const admin = await db.user.findFirstOrThrow({ where: { role: "ADMIN" } });
    numbers.changed({ phoneNumberId: TEST_PHONE_NUMBER_ID, workspaceId: admin.workspaceId });

    expect((await send("with the number's own token")).body).toMatchObject({ success: true });
    const request = bed.simulator.requests().at(-1)!;
    expect(request.path).toBe(`/v23.0/${TEST_PHONE_NUMBER_ID}/messages`);
    expect(request.httpStatus).toBe(200);
  });

  it("stops sending from a disconnected number, and routes its webhooks to the unrouted log", async () => {
    const { numbers, db } = app();
    const admin = await db.user.findFirstOrThrow({ where: { role: "ADMIN" } });
    await db.whatsAppPhoneNumber.update({ where: { phoneNumberId: TEST_PHONE_NUMBER_ID }, data: { status: "DISCONNECTED" } });
    numbers.changed({ phoneNumberId: TEST_PHONE_NUMBER_ID, workspaceId: admin.workspaceId });

    await expect(numbers.cloudApiFor(TEST_PHONE_NUMBER_ID)).rejects.toBeInstanceOf(WhatsAppNotConfiguredError);
    expect((await rest(bed.server, "GET", "/api/whatsapp/status", undefined, asAdmin)).body).toMatchObject({ configured: false });
    const sent = bed.simulator.sentMessages().length;
    expect(await send("after the disconnection")).toMatchObject({ status: 503, body: { success: false, error: expect.stringMatching(/^WhatsApp is not configured/) } });
    expect(bed.simulator.sentMessages()).toHaveLength(sent);

    const message = inbound({ type: "text", text: { body: "anyone there?" } });
    expect((await deliverWebhook(bed.server, envelope(change({ messages: [message] })))).status).toBe(200);
    expect(await db.unroutedWebhook.count({ where: { phoneNumberId: TEST_PHONE_NUMBER_ID, payload: { contains: message.id } } })).toBe(1);
    expect(await db.whatsAppMessage.count({ where: { wamid: message.id } })).toBe(0);
  });
});
