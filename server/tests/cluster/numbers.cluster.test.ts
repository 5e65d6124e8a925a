import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOtherWorkspace, graphql } from "../support/harness.ts";
import { startInstances, type Instances } from "../support/instances.ts";
import { eventually, SIMULATOR_TOKEN, startSimulatorProcess } from "../support/simulated-whatsapp.ts";
import { TEST_APP_SECRET, TEST_PHONE_NUMBER_ID, TEST_WABA_ID } from "../support/webhook-fixtures.ts";

// A number connected, given a new token or disconnected through one instance: every other
// instance stops using what it had cached of it at once (Redis carries the change), and all of
// them open the token with the one SECRETS_KEY they share.

const NUMBER = { phoneNumberId: "300000000000003", businessAccountId: "400000000000004" };
const CUSTOMER = "919822200002";
const CONNECT = `mutation($input: ConnectWhatsAppNumberInput!) { connectWhatsAppNumber(input: $input) { __typename ... on Error { message } } }`;
const SEND = `mutation { sendWhatsApp(input: { phoneNumber: "+${CUSTOMER}", message: "Hello" }) { __typename ... on Error { message } ... on SendFailedError { code } } }`;

let meta: Awaited<ReturnType<typeof startSimulatorProcess>>;
let instances: Instances;
let token = "";

beforeAll(async () => {
  meta = await startSimulatorProcess("http://127.0.0.1:9/not-started-yet");
  instances = await startInstances(2, {
    WHATSAPP_TOKEN: SIMULATOR_TOKEN,
    WHATSAPP_PHONE_ID: TEST_PHONE_NUMBER_ID,
    WHATSAPP_BUSINESS_ACCOUNT_ID: TEST_WABA_ID,
    WHATSAPP_APP_SECRET: TEST_APP_SECRET,
    WHATSAPP_API_BASE_URL: meta.url,
  });
  await meta.control("POST", "/settings", { webhookUrl: `${instances.servers[0]!.url}/api/whatsapp/webhook` });
  token = (await createOtherWorkspace(instances.servers[0]!)).token;
});
afterAll(async () => {
  await instances?.stop();
  await meta?.stop();
});

const [first, second] = [() => instances.servers[0]!, () => instances.servers[1]!];

describe("a number changed through one instance", () => {
  it("is connected through one instance and sends through the other", async () => {
    await meta.control("POST", "/numbers", { ...NUMBER, token: "EAAB-first-token-0123456789" });
    const connected = await graphql(first(), CONNECT, { input: { ...NUMBER, accessToken: "EAAB-first-token-0123456789" } }, { token });
    expect(connected.data.connectWhatsAppNumber.__typename).toBe("MutationConnectWhatsAppNumberSuccess");
    await meta.control("POST", "/inbound", { phone_number_id: NUMBER.phoneNumberId, from: CUSTOMER, type: "text", text: "Hi" });
    await eventually(async () => (await first().app.db.conversation.count({ where: { waId: CUSTOMER } })) === 1, "the customer's conversation");
    expect((await graphql(second(), SEND, {}, { token })).data.sendWhatsApp.__typename).toBe("SendWhatsAppSuccess");
  });

  it("sends with the new token on the other instance as soon as it is reconnected", async () => {
    // Meta rotated the token: the old one no longer opens the number.
    await meta.control("POST", "/numbers", { ...NUMBER, token: "EAAB-second-token-9876543210" });
    const reconnected = await graphql(first(), CONNECT, { input: { ...NUMBER, accessToken: "EAAB-second-token-9876543210" } }, { token });
    expect(reconnected.data.connectWhatsAppNumber.__typename).toBe("MutationConnectWhatsAppNumberSuccess");
    // The second instance had the old token's client cached: the change reaches it through Redis.
    await eventually(async () => (await graphql(second(), SEND, {}, { token })).data.sendWhatsApp.__typename === "SendWhatsAppSuccess", "a send with the new token", 5_000);
  });

  it("refuses to send on the other instance once disconnected", async () => {
    const answer = await graphql(first(), `mutation($id: ID!) { disconnectWhatsAppNumber(id: $id) { __typename } }`, { id: NUMBER.phoneNumberId }, { token });
    expect(answer.data.disconnectWhatsAppNumber.__typename).toBe("MutationDisconnectWhatsAppNumberSuccess");
    await eventually(async () => (await graphql(second(), SEND, {}, { token })).data.sendWhatsApp.__typename === "WhatsAppNotConfiguredError", "sends refused", 5_000);
  });
});
