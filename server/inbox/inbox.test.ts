import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOtherWorkspace, graphql, startTestServer, type TestServer } from "../tests/support/harness.ts";
import { deliverWebhook, WEBHOOK_ENV } from "../tests/support/webhook-client.ts";
import { change, envelope, inbound, unixNow } from "../tests/support/webhook-fixtures.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer(WEBHOOK_ENV);
});
afterAll(() => server.stop());

const CONVERSATIONS = `query($search: String, $first: Int, $after: String) {
  conversations(search: $search, first: $first, after: $after) {
    edges { node { id waId phone formattedPhone displayName unreadCount lastMessagePreview windowOpen windowClosesAt } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const MESSAGES = `query($conversationId: ID!, $last: Int, $before: String) {
  messages(conversationId: $conversationId, last: $last, before: $before) {
    edges { node { id text preview direction status quoted { id text } } }
    pageInfo { hasPreviousPage startCursor }
  }
}`;

async function customerWrites(waId: string, texts: string[], secondsAgo = 0) {
  const messages = texts.map((text, index) =>
    inbound({ from: waId, type: "text", text: { body: text }, timestamp: unixNow(-secondsAgo + index) }),
  );
  expect((await deliverWebhook(server, envelope(change({ messages, profileName: `Customer ${waId.slice(-2)}` })))).status).toBe(200);
  return messages;
}

async function conversationOf(waId: string) {
  return server.app.db.conversation.findFirstOrThrow({ where: { waId } });
}

describe("conversations", () => {
  it("lists conversations most recent first, with unread counts, preview and window state", async () => {
    await customerWrites("919700000001", ["older conversation"], 3600);
    await customerWrites("919700000002", ["newer", "conversation"]);
    const answer = await graphql(server, CONVERSATIONS, { first: 2 });
    expect(answer.data.conversations.edges.map((edge: any) => edge.node)).toMatchObject([
      { waId: "919700000002", phone: "+919700000002", formattedPhone: "+91 97000 00002", displayName: "Customer 02", unreadCount: 2, lastMessagePreview: "conversation", windowOpen: true },
      { waId: "919700000001", unreadCount: 1, lastMessagePreview: "older conversation", windowOpen: true },
    ]);
  });

  it("shows a closed window for a customer who last wrote more than 24 hours ago", async () => {
    await customerWrites("919700000003", ["yesterday"], 25 * 3600);
    const answer = await graphql(server, CONVERSATIONS, { search: "919700000003" });
    expect(answer.data.conversations.edges[0].node.windowOpen).toBe(false);
  });

  it("finds conversations by profile name or number digits", async () => {
    const byName = await graphql(server, CONVERSATIONS, { search: "Customer 02" });
    expect(byName.data.conversations.edges.map((edge: any) => edge.node.waId)).toEqual(["919700000002"]);
    const byDigits = await graphql(server, CONVERSATIONS, { search: "97000 00001" });
    expect(byDigits.data.conversations.edges.map((edge: any) => edge.node.waId)).toEqual(["919700000001"]);
  });

  it("pages through history newest page first, with quoted replies", async () => {
    const texts = Array.from({ length: 7 }, (_, index) => `message ${index + 1}`);
    const sent = await customerWrites("919700000004", texts, 600);
    const reply = inbound({ from: "919700000004", type: "text", text: { body: "replying" }, context: { from: "919700000004", id: sent[0]!.id } });
    await deliverWebhook(server, envelope(change({ messages: [reply] })));
    const { id } = await conversationOf("919700000004");

    const newest = await graphql(server, MESSAGES, { conversationId: id, last: 3 });
    const page = newest.data.messages;
    expect(page.edges.map((edge: any) => edge.node.text)).toEqual(["message 6", "message 7", "replying"]);
    expect(page.edges[2].node.quoted).toMatchObject({ text: "message 1" });
    expect(page.pageInfo.hasPreviousPage).toBe(true);

    const older = await graphql(server, MESSAGES, { conversationId: id, last: 3, before: page.pageInfo.startCursor });
    expect(older.data.messages.edges.map((edge: any) => edge.node.text)).toEqual(["message 3", "message 4", "message 5"]);
  });

  it("clears the unread count when an agent opens the conversation", async () => {
    await customerWrites("919700000005", ["one", "two"]);
    const { id } = await conversationOf("919700000005");
    const answer = await graphql(server, `mutation($id: ID!) { markConversationRead(id: $id) { __typename ... on MutationMarkConversationReadSuccess { conversation { unreadCount } } } }`, { id });
    expect(answer.data.markConversationRead.conversation.unreadCount).toBe(0);
    expect((await conversationOf("919700000005")).unreadCount).toBe(0);
  });
});

describe("conversation and contact", () => {
  const CREATE_CONTACT = `mutation($input: ContactInput!) { createContact(input: $input) {
    ... on MutationCreateContactSuccess { contact { id formattedWhatsappNumber conversation { id } } } } }`;
  const CONVERSATION = `query($id: ID!) { conversation(id: $id) { displayName formattedPhone contact { id } } }`;

  it("shows a nameless customer by the number in international format, and links the contact made for them both ways", async () => {
    const waId = "919700000077";
    const nameless = inbound({ from: waId, type: "text", text: { body: "hello" }, timestamp: unixNow() });
    const payload = envelope(change({ messages: [nameless] }));
    delete (payload.entry[0].changes[0].value as { contacts?: unknown }).contacts;
    expect((await deliverWebhook(server, payload)).status).toBe(200);
    const { id } = await conversationOf(waId);
    expect((await graphql(server, CONVERSATION, { id })).data.conversation).toEqual({
      displayName: "+91 97000 00077",
      formattedPhone: "+91 97000 00077",
      contact: null,
    });

    const created = (await graphql(server, CREATE_CONTACT, { input: { name: "Meena Iyer", whatsappNumber: "+919700000077" } })).data.createContact.contact;
    expect(created).toEqual({ id: created.id, formattedWhatsappNumber: "+91 97000 00077", conversation: { id } });
    expect((await graphql(server, CONVERSATION, { id })).data.conversation).toMatchObject({ displayName: "Meena Iyer", contact: { id: created.id } });
  });
});

describe("workspaces", () => {
  it("never shows another workspace's conversations or messages", async () => {
    await customerWrites("919700000006", ["private"]);
    const { id } = await conversationOf("919700000006");
    const other = await createOtherWorkspace(server);
    const asOther = { token: other.token };
    expect((await graphql(server, CONVERSATIONS, {}, asOther)).data.conversations.edges).toEqual([]);
    expect((await graphql(server, `query($id: ID!) { conversation(id: $id) { id } }`, { id }, asOther)).data.conversation).toBeNull();
    expect((await graphql(server, MESSAGES, { conversationId: id, last: 10 }, asOther)).data.messages.edges).toEqual([]);
    const marked = await graphql(server, `mutation($id: ID!) { markConversationRead(id: $id) { __typename } }`, { id }, asOther);
    expect(marked.data.markConversationRead.__typename).toBe("NotFoundError");
    expect((await conversationOf("919700000006")).unreadCount).toBe(1);
  });
});
