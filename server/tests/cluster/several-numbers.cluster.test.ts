// Two businesses, each on its own WhatsApp number, behind two instances: webhooks reach either
// instance, each workspace sees only its own customers, and each reply leaves from the number of
// its conversation — as Meta (the simulator) sees it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSimulator, type Simulator } from "../../simulator/simulator.ts";
import { createCloudApi } from "../../whatsapp/cloud-api.ts";
import { eventually } from "../support/eventually.ts";
import { ADMIN_API_TOKEN, createOtherWorkspace, graphql, type TestServer } from "../support/harness.ts";
import { startInstances, type Instances } from "../support/instances.ts";
import { SIMULATOR_TOKEN } from "../support/simulated-whatsapp.ts";
import { deliverWebhook } from "../support/webhook-client.ts";
import { change, envelope, inbound, TEST_APP_SECRET, TEST_PHONE_NUMBER_ID, TEST_WABA_ID } from "../support/webhook-fixtures.ts";

/** The second business's number. */
const SECOND = "106540352249002";
const ONLY_FIRST = "919720000001";
const ONLY_SECOND = "919720000002";
/** A customer of both businesses. */
const BOTH = "919720000003";

let simulator: Simulator;
let instances: Instances;
let secondToken: string;
let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  simulator = createSimulator({
    token: SIMULATOR_TOKEN,
    phoneNumberId: TEST_PHONE_NUMBER_ID,
    otherPhoneNumberIds: [SECOND],
    businessAccountId: TEST_WABA_ID,
    appSecret: TEST_APP_SECRET,
    webhookUrl: "http://127.0.0.1:9/not-started-yet",
    statusDelaysMs: { sent: 30, delivered: 60, read: 90 },
  });
  const simulatorUrl = await simulator.start(0, "127.0.0.1");
  instances = await startInstances(
    2,
    {
      WHATSAPP_TOKEN: SIMULATOR_TOKEN,
      WHATSAPP_PHONE_ID: TEST_PHONE_NUMBER_ID,
      WHATSAPP_BUSINESS_ACCOUNT_ID: TEST_WABA_ID,
      WHATSAPP_APP_SECRET: TEST_APP_SECRET,
      WHATSAPP_WEBHOOK_VERIFY_TOKEN: "verify-me",
      WHATSAPP_API_BASE_URL: simulatorUrl,
    },
  );
  [a, b] = instances.servers as [TestServer, TestServer];
  // Meta's status webhooks reach one of the instances; either may have sent the message.
  simulator.configure({ webhookUrl: `${a.url}/api/whatsapp/webhook` });
  const other = await createOtherWorkspace(a);
  secondToken = other.token;
  await a.app.db.whatsAppPhoneNumber.create({ data: { phoneNumberId: SECOND, workspaceId: other.workspace.id, accessTokenSealed: a.app.numbers.seal(SECOND, SIMULATOR_TOKEN) } });
  for (const waId of [ONLY_FIRST, ONLY_SECOND, BOTH]) simulator.setCustomer(waId, { lastInboundHoursAgo: 0 });
});
afterAll(async () => {
  await instances?.stop();
  await simulator?.stop();
});

const writes = (server: TestServer, from: string, text: string, phoneNumberId: string) =>
  deliverWebhook(server, envelope(change({ phoneNumberId, messages: [inbound({ from, type: "text", text: { body: text } })] })));

const CONVERSATIONS = `{ conversations(first: 50) { edges { node { waId lastMessagePreview businessPhoneNumber { phoneNumberId } } } } }`;
type Listed = { waId: string; lastMessagePreview: string; businessPhoneNumber: { phoneNumberId: string } };

const REPLY = `mutation ($input: SendWhatsAppInput!) { sendWhatsApp(input: $input) { __typename ... on SendWhatsAppSuccess { whatsAppMessage { id } } ... on Error { message } } }`;

describe("two workspaces on two numbers behind two instances", () => {
  it("gives each workspace only its own customers, whichever instance took the webhook, and answers each from its own number", async () => {
    const answers = await Promise.all([
      writes(a, ONLY_FIRST, "First business only", TEST_PHONE_NUMBER_ID),
      writes(b, ONLY_SECOND, "Second business only", SECOND),
      writes(b, BOTH, "Hello first business", TEST_PHONE_NUMBER_ID),
      writes(a, BOTH, "Hello second business", SECOND),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);

    const listed = async (server: TestServer, token: string) =>
      ((await graphql<{ conversations: { edges: Array<{ node: Listed }> } }>(server, CONVERSATIONS, {}, { token })).data.conversations.edges.map((edge) => edge.node)).sort((x, y) =>
        x.waId.localeCompare(y.waId),
      );
    expect(await listed(b, ADMIN_API_TOKEN)).toEqual([
      { waId: ONLY_FIRST, lastMessagePreview: "First business only", businessPhoneNumber: { phoneNumberId: TEST_PHONE_NUMBER_ID } },
      { waId: BOTH, lastMessagePreview: "Hello first business", businessPhoneNumber: { phoneNumberId: TEST_PHONE_NUMBER_ID } },
    ]);
    expect(await listed(a, secondToken)).toEqual([
      { waId: ONLY_SECOND, lastMessagePreview: "Second business only", businessPhoneNumber: { phoneNumberId: SECOND } },
      { waId: BOTH, lastMessagePreview: "Hello second business", businessPhoneNumber: { phoneNumberId: SECOND } },
    ]);

    // Each business answers the shared customer through the other instance than the one that took its webhook.
    const first = await graphql(a, REPLY, { input: { phoneNumber: `+${BOTH}`, message: "Reply from the first business" } }, { token: ADMIN_API_TOKEN });
    const second = await graphql(b, REPLY, { input: { phoneNumber: `+${BOTH}`, message: "Reply from the second business" } }, { token: secondToken });
    expect([first.data.sendWhatsApp.__typename, second.data.sendWhatsApp.__typename]).toEqual(["SendWhatsAppSuccess", "SendWhatsAppSuccess"]);
    const sentFrom = (text: string) => simulator.sentMessages().filter((message) => message.body === text).map((message) => [message.to, message.phoneNumberId]);
    expect(sentFrom("Reply from the first business")).toEqual([[BOTH, TEST_PHONE_NUMBER_ID]]);
    expect(sentFrom("Reply from the second business")).toEqual([[BOTH, SECOND]]);

    // Meta's statuses, reported for each number, find each business's message.
    const { db } = a.app;
    const ids = [first.data.sendWhatsApp.whatsAppMessage.id, second.data.sendWhatsApp.whatsAppMessage.id];
    await eventually(async () => (await db.whatsAppMessage.count({ where: { id: { in: ids }, status: "READ" } })) === 2, "both replies read");
    const messages = await db.whatsAppMessage.findMany({ where: { id: { in: ids } }, include: { conversation: true } });
    expect(new Set(messages.map((message) => `${message.businessPhoneNumberId}:${message.conversation.businessPhoneNumberId}:${message.conversation.workspaceId === message.workspaceId}`))).toEqual(
      new Set([`${TEST_PHONE_NUMBER_ID}:${TEST_PHONE_NUMBER_ID}:true`, `${SECOND}:${SECOND}:true`]),
    );
  });
});
