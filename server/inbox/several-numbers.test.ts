// A workspace with two WhatsApp numbers: a conversation is (business number, customer), and a
// reply leaves from its conversation's number — checked where Meta would see it, at the simulator.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conversationFilePath, type ConversationFile } from "../storage/conversation-files.ts";
import { ADMIN_API_TOKEN, createOtherWorkspace, graphql, rest } from "../tests/support/harness.ts";
import { eventually, SIMULATOR_TOKEN, startWithSimulator, type SimulatedWhatsApp } from "../tests/support/simulated-whatsapp.ts";
import { deliverWebhook } from "../tests/support/webhook-client.ts";
import { change, envelope, inbound, TEST_PHONE_NUMBER_ID } from "../tests/support/webhook-fixtures.ts";

/** The workspace's second number, connected after the bootstrap's. */
const SECOND = "106540352240002";
/** Another workspace's number: to this workspace it must look like no number at all. */
const OTHERS = "106540352240003";

let whatsapp: SimulatedWhatsApp;
let workspaceId: string;
const db = () => whatsapp.server.app.db;
const simulator = () => whatsapp.simulator;

beforeAll(async () => {
  whatsapp = await startWithSimulator({}, { otherPhoneNumberIds: [SECOND, OTHERS] });
  workspaceId = (await db().workspace.findFirstOrThrow()).id;
  await db().whatsAppPhoneNumber.create({
    data: { phoneNumberId: SECOND, workspaceId, displayPhoneNumber: "+91 90000 00002", accessTokenSealed: whatsapp.server.app.numbers.seal(SECOND, SIMULATOR_TOKEN) },
  });
  const other = await createOtherWorkspace(whatsapp.server);
  await db().whatsAppPhoneNumber.create({ data: { phoneNumberId: OTHERS, workspaceId: other.workspace.id } });
});
afterAll(() => whatsapp.stop());

let sequence = 0;
const newCustomer = () => `9197100${String(++sequence).padStart(5, "0")}`;

/** The customer writes to one of the business numbers; answers once it is stored. */
async function writes(waId: string, text: string, phoneNumberId = TEST_PHONE_NUMBER_ID) {
  const { wamid } = await simulator().sendInbound({ from: waId, name: "Meera", type: "text", text, phone_number_id: phoneNumberId });
  return eventually(() => db().whatsAppMessage.findUnique({ where: { wamid }, include: { conversation: true } }), "the message stored");
}

const SEND = `mutation ($input: SendWhatsAppInput!) {
  sendWhatsApp(input: $input) {
    __typename
    ... on SendWhatsAppSuccess { whatsAppMessage { id conversationId } }
    ... on ValidationError { message fieldErrors { field message } }
    ... on Error { message }
  }
}`;

const sentFrom = (text: string) => simulator().sentMessages().filter((message) => message.body === text).map((message) => message.phoneNumberId);

describe("a customer writing to two numbers of one workspace", () => {
  it("has two conversations, one on each number, each with its own messages, unread count and file", async () => {
    const waId = newCustomer();
    const first = await writes(waId, "Is my order shipped?");
    const second = await writes(waId, "Do you have this in blue?", SECOND);
    expect(second.conversationId).not.toBe(first.conversationId);
    const conversations = await db().conversation.findMany({ where: { waId }, orderBy: { createdAt: "asc" } });
    expect(conversations.map((conversation) => [conversation.businessPhoneNumberId, conversation.lastMessagePreview, conversation.unreadCount])).toEqual([
      [TEST_PHONE_NUMBER_ID, "Is my order shipped?", 1],
      [SECOND, "Do you have this in blue?", 1],
    ]);

    // The first number's file keeps its name; the other number's is named after the number too.
    await whatsapp.server.app.mirror.flush();
    const dir = whatsapp.server.app.config.CONVERSATIONS_DIR;
    const file = (numberId: string | null) => JSON.parse(readFileSync(conversationFilePath(dir, workspaceId, waId, numberId), "utf8")) as ConversationFile;
    expect(file(null)).toMatchObject({ businessPhoneNumberId: TEST_PHONE_NUMBER_ID, messages: [{ text: "Is my order shipped?" }] });
    expect(file(SECOND)).toMatchObject({ businessPhoneNumberId: SECOND, messages: [{ text: "Do you have this in blue?" }] });
  });

  it("is answered from the number of the conversation replied to, and Meta's statuses come back to that message", async () => {
    const waId = newCustomer();
    const onFirst = await writes(waId, "Hello first");
    const onSecond = await writes(waId, "Hello second", SECOND);

    const fromSecond = await graphql(whatsapp.server, SEND, { input: { phoneNumber: `+${waId}`, message: "Answer on the second", fromPhoneNumberId: SECOND } });
    expect(fromSecond.data.sendWhatsApp).toMatchObject({ __typename: "SendWhatsAppSuccess", whatsAppMessage: { conversationId: onSecond.conversationId } });
    const fromFirst = await graphql(whatsapp.server, SEND, { input: { phoneNumber: `+${waId}`, message: "Answer on the first", fromPhoneNumberId: TEST_PHONE_NUMBER_ID } });
    expect(fromFirst.data.sendWhatsApp).toMatchObject({ whatsAppMessage: { conversationId: onFirst.conversationId } });
    expect(sentFrom("Answer on the second")).toEqual([SECOND]);
    expect(sentFrom("Answer on the first")).toEqual([TEST_PHONE_NUMBER_ID]);

    const stored = await db().whatsAppMessage.findUniqueOrThrow({ where: { id: fromSecond.data.sendWhatsApp.whatsAppMessage.id } });
    expect(stored.businessPhoneNumberId).toBe(SECOND);
    // The simulator reports the message's statuses for the number it left from: they find it.
    await eventually(async () => (await db().whatsAppMessage.findUniqueOrThrow({ where: { id: stored.id } })).status === "READ", "the status webhooks applied");
  });

  it("without fromPhoneNumberId, is answered on the conversation the customer wrote to last (REST and GraphQL alike)", async () => {
    const waId = newCustomer();
    await writes(waId, "Earlier, to the first");
    const latest = await writes(waId, "Later, to the second", SECOND);
    const answer = await rest(whatsapp.server, "POST", "/api/whatsapp/send", { phoneNumber: `+${waId}`, message: "Default number" }, { token: ADMIN_API_TOKEN });
    expect(answer.status).toBe(200);
    expect(sentFrom("Default number")).toEqual([SECOND]);
    expect((await db().whatsAppMessage.findUniqueOrThrow({ where: { id: answer.body.id } })).conversationId).toBe(latest.conversationId);

    // Over REST too, a number can be chosen: the conversation on it is the one answered.
    const chosen = await rest(whatsapp.server, "POST", "/api/whatsapp/send", { phoneNumber: `+${waId}`, message: "Chosen number", fromPhoneNumberId: TEST_PHONE_NUMBER_ID }, { token: ADMIN_API_TOKEN });
    expect(chosen.status).toBe(200);
    expect(sentFrom("Chosen number")).toEqual([TEST_PHONE_NUMBER_ID]);
  });

  it("keeps the 24-hour window per number: a number the customer never wrote to needs a template, which starts the conversation there", async () => {
    const waId = newCustomer();
    await writes(waId, "Only to the first");
    const text = await graphql(whatsapp.server, SEND, { input: { phoneNumber: `+${waId}`, message: "Free-form from the second", fromPhoneNumberId: SECOND } });
    expect(text.data.sendWhatsApp.__typename).toBe("WindowClosedError");
    expect(sentFrom("Free-form from the second")).toEqual([]);

    const template = await graphql(
      whatsapp.server,
      `mutation ($input: SendWhatsAppTemplateInput!) { sendWhatsAppTemplate(input: $input) { __typename ... on SendWhatsAppSuccess { whatsAppMessage { conversationId } } ... on Error { message } } }`,
      { input: { phoneNumber: `+${waId}`, templateName: "hello_world", languageCode: "en_US", fromPhoneNumberId: SECOND } },
    );
    expect(template.data.sendWhatsAppTemplate.__typename).toBe("SendWhatsAppSuccess");
    const conversation = await db().conversation.findUniqueOrThrow({ where: { id: template.data.sendWhatsAppTemplate.whatsAppMessage.conversationId } });
    expect(conversation).toMatchObject({ waId, businessPhoneNumberId: SECOND });
    expect(simulator().sentMessages().filter((message) => message.to === waId).map((message) => [message.type, message.phoneNumberId])).toEqual([["template", SECOND]]);
  });
});

/** A 1×1 red PNG. */
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==", "base64");

const SEND_MEDIA = `mutation ($input: SendWhatsAppMediaInput!) { sendWhatsAppMedia(input: $input) {
  __typename ... on SendWhatsAppSuccess { whatsAppMessage { conversationId status } } ... on ValidationError { message fieldErrors { field } } ... on Error { message }
} }`;

describe("an attachment", () => {
  it("is uploaded from the number the conversation is on, and leaves from it (a media id works only for its uploader)", async () => {
    const waId = newCustomer();
    await writes(waId, "Earlier, to the first");
    const onSecond = await writes(waId, "Photo please", SECOND);
    const uploads = () => simulator().requests().filter((request) => request.path.endsWith("/media"));
    const before = uploads().length;
    const answer = await fetch(`${whatsapp.server.url}/api/media/uploads?filename=shirt.png&phoneNumber=${encodeURIComponent(`+${waId}`)}`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_API_TOKEN}`, "content-type": "image/png" },
      body: new Uint8Array(PNG),
    });
    expect(answer.status).toBe(201);
    const { mediaId } = await answer.json();
    expect(uploads().slice(before).map((request) => request.path.split("/").at(-2))).toEqual([SECOND]);

    const sent = await graphql(whatsapp.server, SEND_MEDIA, { input: { phoneNumber: `+${waId}`, mediaId, caption: "Blue" } });
    expect(sent.data.sendWhatsAppMedia).toMatchObject({ __typename: "SendWhatsAppSuccess", whatsAppMessage: { conversationId: onSecond.conversationId, status: "SENT" } });
    expect(sentFrom("Blue")).toEqual([SECOND]);

    // Sent from the other number, Meta would refuse the id: said before anything is stored.
    const elsewhere = await graphql(whatsapp.server, SEND_MEDIA, { input: { phoneNumber: `+${waId}`, mediaId, caption: "Red", fromPhoneNumberId: TEST_PHONE_NUMBER_ID } });
    expect(elsewhere.data.sendWhatsAppMedia).toMatchObject({ __typename: "ValidationError", fieldErrors: [{ field: "mediaId" }] });
    expect(sentFrom("Red")).toEqual([]);
  });
});

describe("a number that cannot send", () => {
  it("is refused when asked for, and a send without fromPhoneNumberId leaves from a number that can", async () => {
    // The workspace's, but with no Cloud API client (say, its token was withdrawn).
    const silent = "106540352240004";
    await db().whatsAppPhoneNumber.create({ data: { phoneNumberId: silent, workspaceId } });
    const waId = newCustomer();
    await writes(waId, "Hello sales");
    const answer = await deliverWebhook(whatsapp.server, envelope(change({ phoneNumberId: silent, messages: [inbound({ from: waId, type: "text", text: { body: "Hello, silent line" } })] })));
    expect(answer.status).toBe(200);
    await eventually(() => db().conversation.findFirst({ where: { waId, businessPhoneNumberId: silent } }), "the conversation on the silent number");

    const asked = await graphql(whatsapp.server, SEND, { input: { phoneNumber: `+${waId}`, message: "From the silent line", fromPhoneNumberId: silent } });
    expect(asked.data.sendWhatsApp).toMatchObject({ __typename: "WhatsAppNotConfiguredError", message: `WhatsApp is not configured for the number ${silent}: an admin connects a number under Settings → WhatsApp` });
    const byDefault = await graphql(whatsapp.server, SEND, { input: { phoneNumber: `+${waId}`, message: "From a line that works" } });
    expect(byDefault.data.sendWhatsApp.__typename).toBe("SendWhatsAppSuccess");
    expect(sentFrom("From a line that works")).toEqual([TEST_PHONE_NUMBER_ID]);
    expect(sentFrom("From the silent line")).toEqual([]);
    await db().whatsAppPhoneNumber.delete({ where: { phoneNumberId: silent } });
  });
});

describe("fromPhoneNumberId", () => {
  it("refuses a number that is not the workspace's, naming the field — another workspace's number exactly like an unknown one — and stores nothing", async () => {
    const waId = newCustomer();
    await writes(waId, "Hi");
    const before = await db().whatsAppMessage.count();
    const unknown = await graphql(whatsapp.server, SEND, { input: { phoneNumber: `+${waId}`, message: "Nope", fromPhoneNumberId: "999999999999999" } });
    const others = await graphql(whatsapp.server, SEND, { input: { phoneNumber: `+${waId}`, message: "Nope", fromPhoneNumberId: OTHERS } });
    expect(unknown.data.sendWhatsApp).toEqual({
      __typename: "ValidationError",
      message: "999999999999999 is not one of this workspace's WhatsApp numbers",
      fieldErrors: [{ field: "fromPhoneNumberId", message: "999999999999999 is not one of this workspace's WhatsApp numbers" }],
    });
    expect(JSON.stringify(others.data).replaceAll(OTHERS, "999999999999999")).toBe(JSON.stringify(unknown.data));

    const rest400 = await rest(whatsapp.server, "POST", "/api/whatsapp/send", { phoneNumber: `+${waId}`, message: "Nope", fromPhoneNumberId: OTHERS }, { token: ADMIN_API_TOKEN });
    expect(rest400).toMatchObject({
      status: 400,
      body: { success: false, error: "106540352240003 is not one of this workspace's WhatsApp numbers", fieldErrors: [{ field: "fromPhoneNumberId" }] },
    });
    expect(await db().whatsAppMessage.count()).toBe(before);
    expect(sentFrom("Nope")).toEqual([]);
  });
});

describe("the inbox's view of numbers", () => {
  it("shows which number each conversation is on, lists the workspace's numbers first first, and filters by number", async () => {
    // The configured number's details are asked of Meta once the server has started.
    await eventually(async () => (await db().whatsAppPhoneNumber.findUnique({ where: { phoneNumberId: TEST_PHONE_NUMBER_ID } }))?.messagingLimitTier, "the configured number's details");
    const waId = newCustomer();
    const onFirst = await writes(waId, "Filter me: first");
    const onSecond = await writes(waId, "Filter me: second", SECOND);
    const { data } = await graphql(
      whatsapp.server,
      `query ($second: String!) {
        whatsappNumbers { phoneNumberId displayPhoneNumber }
        all: conversations(search: "${waId}") { edges { node { id businessPhoneNumber { phoneNumberId displayPhoneNumber } } } }
        onSecond: conversations(phoneNumberId: $second) { edges { node { id } } }
      }`,
      { second: SECOND },
    );
    expect(data.whatsappNumbers.slice(0, 2)).toEqual([
      { phoneNumberId: TEST_PHONE_NUMBER_ID, displayPhoneNumber: "+91 80000 00001" },
      { phoneNumberId: SECOND, displayPhoneNumber: "+91 90000 00002" },
    ]);
    const numberOf = new Map(data.all.edges.map((edge: { node: { id: string; businessPhoneNumber: unknown } }) => [edge.node.id, edge.node.businessPhoneNumber]));
    expect(numberOf.get(onFirst.conversationId)).toEqual({ phoneNumberId: TEST_PHONE_NUMBER_ID, displayPhoneNumber: "+91 80000 00001" });
    expect(numberOf.get(onSecond.conversationId)).toEqual({ phoneNumberId: SECOND, displayPhoneNumber: "+91 90000 00002" });
    const filtered = data.onSecond.edges.map((edge: { node: { id: string } }) => edge.node.id);
    expect(filtered).toContain(onSecond.conversationId);
    expect(filtered).not.toContain(onFirst.conversationId);
    const onNumbers = await db().conversation.findMany({ where: { id: { in: filtered } }, select: { businessPhoneNumberId: true } });
    expect(new Set(onNumbers.map((conversation) => conversation.businessPhoneNumberId))).toEqual(new Set([SECOND]));
  });
});
