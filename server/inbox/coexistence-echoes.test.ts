import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql } from "../tests/support/harness.ts";
import { eventually, startWithSimulator, type SimulatedWhatsApp } from "../tests/support/simulated-whatsapp.ts";
import { deliverWebhook } from "../tests/support/webhook-client.ts";
import { EVERY_MESSAGE_TYPE, TEST_DISPLAY_NUMBER, TEST_PHONE_NUMBER_ID, TEST_WABA_ID, unixNow, wamid } from "../tests/support/webhook-fixtures.ts";

let whatsapp: SimulatedWhatsApp;
const server = () => whatsapp.server;
const db = () => whatsapp.server.app.db;

beforeAll(async () => {
  whatsapp = await startWithSimulator();
});
afterAll(() => whatsapp.stop());

let customers = 0;
const newCustomer = () => `9198100${String(++customers).padStart(5, "0")}`;

/** `smb_message_echoes` as Meta's reference shows it: the business's number in from, the customer's in to. */
function echoes(...messages: Array<Record<string, unknown>>) {
  return {
    object: "whatsapp_business_account",
    entry: [
      {
        id: TEST_WABA_ID,
        changes: [
          {
            field: "smb_message_echoes",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: TEST_DISPLAY_NUMBER, phone_number_id: TEST_PHONE_NUMBER_ID },
              message_echoes: messages.map((message) => ({ from: TEST_DISPLAY_NUMBER, id: wamid(), timestamp: unixNow(), ...message })),
            },
          },
        ],
      },
    ],
  };
}

async function chatOf(waId: string) {
  const conversation = await db().conversation.findFirstOrThrow({ where: { waId } });
  const answer = await graphql(server(), `query($id: ID!) { messages(conversationId: $id, last: 50) { edges { node { direction text preview fromBusinessApp status autoReply } } } }`, {
    id: conversation.id,
  });
  return answer.data.messages.edges.map((edge: { node: unknown }) => edge.node);
}

async function createGreeting() {
  const answer = await graphql(
    server(),
    `mutation($input: AutoReplyRuleInput!) { createAutoReplyRule(input: $input) { __typename } }`,
    { input: { kind: "GREETING", reply: "Namaste! We will answer shortly." } },
  );
  expect(answer.data.createAutoReplyRule.__typename).toBe("MutationCreateAutoReplyRuleSuccess");
}

describe("messages the business sends from the WhatsApp Business app (smb_message_echoes)", () => {
  it("stores an echo once, as an outbound message of the customer's conversation, in order, with its ticks later", async () => {
    const waId = newCustomer();
    const asked = await whatsapp.simulator.sendInbound({ from: waId, name: "Priya Sharma", type: "text", text: "Is the blue saree in stock?" });
    expect(asked.httpStatus).toBe(200);
    await server().app.autoReplies.idle();

    const echoId = wamid();
    const payload = echoes({ to: waId, id: echoId, timestamp: unixNow(5), type: "text", text: { body: "Yes, two left!" } });
    expect((await deliverWebhook(server(), payload)).status).toBe(200);
    expect((await deliverWebhook(server(), payload)).status).toBe(200);

    expect(await chatOf(waId)).toEqual([
      { direction: "INBOUND", text: "Is the blue saree in stock?", preview: "Is the blue saree in stock?", fromBusinessApp: false, status: "RECEIVED", autoReply: null },
      { direction: "OUTBOUND", text: "Yes, two left!", preview: "Yes, two left!", fromBusinessApp: true, status: "SENT", autoReply: null },
    ]);
    const conversation = await db().conversation.findFirstOrThrow({ where: { waId } });
    expect(conversation.lastMessagePreview).toBe("Yes, two left!");

    const read = { object: "whatsapp_business_account", entry: [{ id: TEST_WABA_ID, changes: [{ field: "messages", value: { messaging_product: "whatsapp", metadata: { display_phone_number: TEST_DISPLAY_NUMBER, phone_number_id: TEST_PHONE_NUMBER_ID }, statuses: [{ id: echoId, status: "read", timestamp: unixNow(9), recipient_id: waId }] } }] }] };
    expect((await deliverWebhook(server(), read)).status).toBe(200);
    expect((await db().whatsAppMessage.findUniqueOrThrow({ where: { wamid: echoId } })).status).toBe("READ");
  });

  it("applies a status that overtook its echo as soon as the echo arrives", async () => {
    const waId = newCustomer();
    const echoId = wamid();
    const delivered = { object: "whatsapp_business_account", entry: [{ id: TEST_WABA_ID, changes: [{ field: "messages", value: { messaging_product: "whatsapp", metadata: { display_phone_number: TEST_DISPLAY_NUMBER, phone_number_id: TEST_PHONE_NUMBER_ID }, statuses: [{ id: echoId, status: "delivered", timestamp: unixNow(), recipient_id: waId }] } }] }] };
    expect((await deliverWebhook(server(), delivered)).status).toBe(200);
    expect((await deliverWebhook(server(), echoes({ to: waId, id: echoId, type: "text", text: { body: "On its way" } }))).status).toBe(200);
    expect((await db().whatsAppMessage.findUniqueOrThrow({ where: { wamid: echoId } })).status).toBe("DELIVERED");
    expect(await db().pendingStatus.count({ where: { wamid: echoId } })).toBe(0);
  });

  it("fires no auto-reply, marks nothing unread, and keeps the rules quiet while the business answers from its phone", async () => {
    await createGreeting();
    const waId = newCustomer();
    expect((await deliverWebhook(server(), echoes({ to: waId, type: "text", text: { body: "Your order is ready" } }))).status).toBe(200);
    await server().app.autoReplies.idle();
    const conversation = await db().conversation.findFirstOrThrow({ where: { waId } });
    expect(conversation.unreadCount).toBe(0);
    expect(conversation.agentActiveAt).not.toBeNull();

    // The customer answers the business's phone message: a colleague is active, no greeting.
    expect((await whatsapp.simulator.sendInbound({ from: waId, name: "Ravi", type: "text", text: "Thanks, coming at 5" })).httpStatus).toBe(200);
    await server().app.autoReplies.idle();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(whatsapp.simulator.sentMessages().filter((message) => message.to === waId)).toEqual([]);
    expect((await chatOf(waId)).map((message: { direction: string; autoReply: string | null }) => [message.direction, message.autoReply])).toEqual([
      ["OUTBOUND", null],
      ["INBOUND", null],
    ]);
    await db().autoReplyRule.deleteMany();
  });

  it.each(EVERY_MESSAGE_TYPE.filter(({ name }) => !name.startsWith("system") && name !== "unsupported"))("reads an echoed $name with the inbox's own content reader", async ({ body, preview }) => {
    const waId = newCustomer();
    expect((await deliverWebhook(server(), echoes({ to: waId, ...body }))).status).toBe(200);
    const [message] = await chatOf(waId);
    expect(message).toMatchObject({ direction: "OUTBOUND", preview, fromBusinessApp: true });
  });

  it("queues an echoed photo for download like a customer's", async () => {
    const waId = newCustomer();
    const echoId = wamid();
    expect((await deliverWebhook(server(), echoes({ to: waId, id: echoId, type: "image", image: { id: "echo-media-1", mime_type: "image/jpeg" } }))).status).toBe(200);
    await eventually(async () => (await db().whatsAppMessage.findUniqueOrThrow({ where: { wamid: echoId } })).mediaState !== null, "the media to be queued");
    expect((await db().whatsAppMessage.findUniqueOrThrow({ where: { wamid: echoId } })).mediaId).toBe("echo-media-1");
  });
});
