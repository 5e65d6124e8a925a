// Answering a customer who wrote with a WhatsApp username and no visible number: shown by
// username, found by it, answered by BSUID through Meta's `recipient` field (the simulator
// checks the request as Meta would and reports statuses by `recipient_user_id`).
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN_API_TOKEN, createOtherWorkspace, graphql, rest } from "../tests/support/harness.ts";
import { eventually } from "../tests/support/simulated-whatsapp.ts";
import { withSimulatedWhatsApp } from "../tests/support/customers-who-write.ts";
import { TEST_WABA_ID } from "../tests/support/webhook-fixtures.ts";

const { server, simulator, db } = withSimulatedWhatsApp();
const asAdmin = { token: ADMIN_API_TOKEN };

let sequence = 0;
/** A customer with a username and a hidden number, who just wrote (window open). */
async function hiddenNumberCustomer(username: string) {
  const userId = `IN.${Date.now()}${String(++sequence).padStart(3, "0")}`;
  const { wamid } = await simulator().sendInbound({ user_id: userId, username, name: "Sheena", type: "text", text: "Is the blue kurta in stock?" });
  const conversation = await eventually(() => db().conversation.findFirst({ where: { workspaceId: workspaceId(), userId } }), "the conversation");
  return { userId, wamid, conversation };
}
let workspace = "";
const workspaceId = () => workspace;
beforeAll(async () => {
  workspace = (await db().workspace.findFirstOrThrow()).id;
});

const sentTo = (userId: string) => simulator().sentMessages().filter((message) => message.to === userId);
const send = (body: Record<string, unknown>) => rest(server(), "POST", "/api/whatsapp/send", body, asAdmin);

const CONVERSATIONS = `query ($search: String) { conversations(first: 20, search: $search) { edges { node { id phone waId userId username displayName } } } }`;

describe("a customer whose number is hidden", () => {
  it("is listed with their username, no number, and found by searching @username", async () => {
    const { userId, conversation } = await hiddenNumberCustomer("sheena_hidden");
    const answer = await graphql(server(), CONVERSATIONS, { search: "@sheena_hid" }, asAdmin);
    expect(answer.errors).toBeUndefined();
    expect(answer.data.conversations.edges.map((edge: { node: unknown }) => edge.node)).toEqual([
      { id: conversation.id, phone: null, waId: null, userId, username: "sheena_hidden", displayName: "Sheena" },
    ]);
  });

  it("is answered over REST by userId: Meta gets recipient, not to, and the answer's phone is null", async () => {
    const { userId } = await hiddenNumberCustomer("rest_answer");
    const answer = await send({ userId, message: "Yes, in all sizes" });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ success: true, recipient: "Sheena", phone: null });
    const [sent] = sentTo(userId);
    expect(sent!.request).toMatchObject({ recipient: userId, type: "text", text: { body: "Yes, in all sizes" } });
    expect(sent!.request).not.toHaveProperty("to");
    // Meta reports the statuses of a send to a BSUID by recipient_user_id: they still move the ticks.
    await eventually(
      async () => (await db().whatsAppMessage.findUniqueOrThrow({ where: { wamid: answer.body.messageId } })).status === "READ",
      "the read status",
    );
  });

  it("is answered through sendWhatsApp by userId", async () => {
    const { userId } = await hiddenNumberCustomer("graphql_answer");
    const answer = await graphql(
      server(),
      `mutation ($input: SendWhatsAppInput!) { sendWhatsApp(input: $input) { __typename ... on SendWhatsAppSuccess { phone recipient } ... on Error { message } } }`,
      { input: { userId, message: "Sent from the inbox" } },
      asAdmin,
    );
    expect(answer.data.sendWhatsApp).toEqual({ __typename: "SendWhatsAppSuccess", phone: null, recipient: "Sheena" });
    expect(sentTo(userId).map((message) => message.request.recipient)).toEqual([userId]);
  });

  it("gets reactions addressed by recipient", async () => {
    const { userId, wamid } = await hiddenNumberCustomer("reaction_user");
    const message = await db().whatsAppMessage.findUniqueOrThrow({ where: { wamid } });
    const answer = await graphql(
      server(),
      `mutation ($id: ID!, $emoji: String!) { reactToMessage(messageId: $id, emoji: $emoji) { __typename ... on MutationReactToMessageSuccess { reactedMessage { id } } ... on Error { message } } }`,
      { id: message.id, emoji: "👍" },
      asAdmin,
    );
    expect(answer.data.reactToMessage).toEqual({ __typename: "MutationReactToMessageSuccess", reactedMessage: { id: message.id } });
    expect(sentTo(userId).map((sent) => sent.request)).toEqual([expect.objectContaining({ recipient: userId, type: "reaction" })]);
  });

  it("is refused an authentication template before Meta is asked, with the reason", async () => {
    const { userId } = await hiddenNumberCustomer("otp_user");
    await db().whatsAppTemplate.create({
      data: { workspaceId: workspaceId(), businessAccountId: TEST_WABA_ID, name: "login_code", language: "en", category: "AUTHENTICATION", status: "APPROVED", components: JSON.stringify([{ type: "BODY", text: "{{1}} is your code." }]), syncedAt: new Date() },
    });
    const answer = await graphql(
      server(),
      `mutation ($input: SendWhatsAppTemplateInput!) { sendWhatsAppTemplate(input: $input) { __typename ... on Error { message } } }`,
      { input: { userId, templateName: "login_code", languageCode: "en", bodyParameters: ["123456"] } },
      asAdmin,
    );
    expect(answer.data.sendWhatsAppTemplate).toMatchObject({ __typename: "ValidationError", message: expect.stringMatching(/Authentication templates need the customer's phone number/) });
    expect(sentTo(userId)).toEqual([]);
  });

  it("refuses a userId that is not a business-scoped user ID, sending nothing", async () => {
    const before = simulator().sentMessages().length;
    const answer = await send({ userId: "../../etc/passwd", message: "hi" });
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).toMatch(/business-scoped user ID/);
    expect(simulator().sentMessages()).toHaveLength(before);
  });
});

const CREATE_CONTACT = `mutation ($input: ContactInput!, $conversationId: ID) { createContact(input: $input, conversationId: $conversationId) {
  __typename ... on MutationCreateContactSuccess { contact { id conversation { id } } } ... on NotFoundError { message } } }`;
const CONVERSATION_CONTACT = `query ($id: ID!) { conversation(id: $id) { contact { id name } } }`;

describe("a contact made from a conversation whose number is hidden", () => {
  it("is linked to that conversation, and stays linked when edited", async () => {
    const { conversation } = await hiddenNumberCustomer("contact_from_chat");
    const created = await graphql(server(), CREATE_CONTACT, { input: { name: "Sheena Kapoor" }, conversationId: conversation.id }, asAdmin);
    expect(created.data.createContact.__typename).toBe("MutationCreateContactSuccess");
    const contactId = created.data.createContact.contact.id;
    expect(created.data.createContact.contact.conversation).toEqual({ id: conversation.id });
    expect((await graphql(server(), CONVERSATION_CONTACT, { id: conversation.id }, asAdmin)).data.conversation.contact).toEqual({ id: contactId, name: "Sheena Kapoor" });

    const UPDATE = `mutation ($id: ID!, $input: ContactInput!) { updateContact(id: $id, input: $input) { __typename } }`;
    expect((await graphql(server(), UPDATE, { id: contactId, input: { name: "Sheena K." } }, asAdmin)).data.updateContact.__typename).toBe("MutationUpdateContactSuccess");
    expect((await graphql(server(), CONVERSATION_CONTACT, { id: conversation.id }, asAdmin)).data.conversation.contact).toEqual({ id: contactId, name: "Sheena K." });
  });

  it("is refused for another workspace's conversation, and nothing is created", async () => {
    const { conversation } = await hiddenNumberCustomer("not_yours");
    const other = await createOtherWorkspace(server());
    const before = await db().contact.count();
    const answer = await graphql(server(), CREATE_CONTACT, { input: { name: "Intruder" }, conversationId: conversation.id }, { token: other.token });
    expect(answer.data.createContact).toEqual({ __typename: "NotFoundError", message: "Conversation not found" });
    expect(await db().contact.count()).toBe(before);
    expect((await db().conversation.findUniqueOrThrow({ where: { id: conversation.id } })).contactId).toBeNull();
  });
});
