import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { historyPayloads } from "../../simulator/coexistence.ts";
import { graphql } from "../support/harness.ts";
import { startInstances, type Instances } from "../support/instances.ts";
import { eventually } from "../support/eventually.ts";
import { deliverWebhook, WEBHOOK_ENV } from "../support/webhook-client.ts";
import { TEST_DISPLAY_NUMBER, TEST_PHONE_NUMBER_ID, TEST_WABA_ID } from "../support/webhook-fixtures.ts";

let instances: Instances;
beforeAll(async () => {
  instances = await startInstances(2, WEBHOOK_ENV);
}, 120_000);
afterAll(() => instances?.stop());

describe("a history import delivered to two instances at once", () => {
  it("stores every message once, and both instances report the same import", async () => {
    const [a, b] = instances.servers as [NonNullable<Instances["servers"][0]>, NonNullable<Instances["servers"][1]>];
    const number = { businessAccountId: TEST_WABA_ID, phoneNumberId: TEST_PHONE_NUMBER_ID, displayPhoneNumber: TEST_DISPLAY_NUMBER };
    const noMedia = () => ({ id: "0", sha256: "" });
    const payloads = [...historyPayloads(number, { threads: 12, messagesPerThread: 40, mediaEvery: 0, chunkSize: 60, firstCustomer: "919600000000" }, noMedia)];
    // Meta retries, and a load balancer may hand the same delivery to either instance: here both get all of it, at once.
    const answers = await Promise.all(payloads.flatMap((payload) => [deliverWebhook(a, payload), deliverWebhook(b, payload)]));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);

    const { db } = a.app;
    await eventually(async () => (await db.historyChunk.count({ where: { importedAt: null } })) === 0, "every chunk to be imported", 60_000);
    expect(await db.historyChunk.count()).toBe(payloads.length);
    expect(await db.whatsAppMessage.count({ where: { importedFrom: TEST_PHONE_NUMBER_ID } })).toBe(12 * 40);
    expect(await db.conversation.count({ where: { waId: { startsWith: "9196000000" } } })).toBe(12);
    const query = `query($id: String!) { historyImport(phoneNumberId: $id) { state progress threads messages } }`;
    for (const server of [a, b]) {
      expect((await graphql(server, query, { id: TEST_PHONE_NUMBER_ID })).data.historyImport).toEqual({ state: "COMPLETE", progress: 100, threads: 12, messages: 480 });
    }
  }, 120_000);
});
