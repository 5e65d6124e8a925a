import { afterAll, describe, expect, it } from "vitest";
import { createOtherWorkspace, graphql } from "../tests/support/harness.ts";
import { eventually } from "../tests/support/simulated-whatsapp.ts";
import { withSimulatedWhatsApp } from "../tests/support/customers-who-write.ts";

const { server, simulator, db, env } = withSimulatedWhatsApp();

let sequence = 0;
/** A customer who just wrote: their message's id and wamid, and the conversation. */
async function customerWrote(text = "Is my order on its way?") {
  const waId = `9197100${String(++sequence).padStart(5, "0")}`;
  const { wamid } = await simulator().sendInbound({ from: waId, name: "Asha", type: "text", text });
  const message = await db().whatsAppMessage.findUniqueOrThrow({ where: { wamid } });
  return { waId, wamid, messageId: message.id, conversationId: message.conversationId };
}

const REACT = `mutation($id: ID!, $emoji: String!) { reactToMessage(messageId: $id, emoji: $emoji) {
  __typename
  ... on MutationReactToMessageSuccess { reactedMessage { id reactions { emoji direction } } }
  ... on Error { message }
  ... on ValidationError { fieldErrors { field message } } } }`;

const MESSAGES = `query($id: ID!) { messages(conversationId: $id, last: 50) { edges { node {
  id wamid type reactions { emoji direction } quoted { id text } reactedTo { id } } } } }`;

async function messagesOf(conversationId: string) {
  const answer = await graphql(server(), MESSAGES, { id: conversationId });
  return answer.data.messages.edges.map((edge: { node: Record<string, unknown> }) => edge.node);
}

describe("reactions", () => {
  it("sends our reaction to the simulator as Meta's reaction message, stores it and shows it on the message", async () => {
    const { waId, wamid, messageId, conversationId } = await customerWrote();
    const listBefore = await db().conversation.findUniqueOrThrow({ where: { id: conversationId } });

    const answer = await graphql(server(), REACT, { id: messageId, emoji: "👍" });
    expect(answer.data.reactToMessage).toEqual({ __typename: "MutationReactToMessageSuccess", reactedMessage: { id: messageId, reactions: [{ emoji: "👍", direction: "OUTBOUND" }] } });
    const sent = simulator().sentMessages().filter((message) => message.to === waId);
    expect(sent.map((message) => message.request)).toEqual([
      {
        messaging_product: "whatsapp",
        recipient_type: "individual",
        to: waId,
        type: "reaction",
        reaction: { message_id: wamid, emoji: "👍" },
        // Its outbox row, named in the reaction's statuses (outbox-callback-data.ts).
        biz_opaque_callback_data: expect.stringMatching(/^outbox:/),
      },
    ]);
    const stored = await db().whatsAppMessage.findFirstOrThrow({ where: { conversationId, direction: "OUTBOUND", type: "reaction" } });
    expect(stored).toMatchObject({ reactionEmoji: "👍", reactionToWamid: wamid, wamid: sent[0]!.wamid });
    // The list entry still shows the customer's message, not our reaction.
    const listAfter = await db().conversation.findUniqueOrThrow({ where: { id: conversationId } });
    expect([listAfter.lastMessagePreview, listAfter.lastMessageAt]).toEqual([listBefore.lastMessagePreview, listBefore.lastMessageAt]);

    // Changing it keeps one reaction of ours; an empty emoji takes it back.
    await graphql(server(), REACT, { id: messageId, emoji: "❤️" });
    expect((await messagesOf(conversationId)).find((message: { id: string }) => message.id === messageId).reactions).toEqual([{ emoji: "❤️", direction: "OUTBOUND" }]);
    const removed = await graphql(server(), REACT, { id: messageId, emoji: "" });
    expect(removed.data.reactToMessage.reactedMessage.reactions).toEqual([]);
    expect(simulator().sentMessages().filter((message) => message.to === waId).at(-1)?.request.reaction).toEqual({ message_id: wamid, emoji: "" });
  });

  it("shows the customer's reaction on the message they reacted to, next to ours, and the reaction row points at it", async () => {
    const { waId, messageId, conversationId } = await customerWrote();
    const ours = await db().whatsAppMessage.create({
      data: {
        workspaceId: (await db().workspace.findFirstOrThrow()).id,
        conversationId,
        direction: "OUTBOUND",
        type: "text",
        text: "Yes, it ships today",
        preview: "Yes, it ships today",
        status: "READ",
        wamid: `wamid.ours-${waId}`,
        timestamp: new Date(),
      },
    });
    await simulator().sendInbound({ from: waId, type: "reaction", reaction: { message_id: ours.wamid!, emoji: "🙏" } });
    await simulator().sendInbound({ from: waId, type: "reaction", reaction: { message_id: ours.wamid!, emoji: "😂" } });
    await graphql(server(), REACT, { id: ours.id, emoji: "👍" });

    const messages = await messagesOf(conversationId);
    const byId = (id: string) => messages.find((message: { id: string }) => message.id === id);
    expect(byId(ours.id).reactions).toEqual(
      expect.arrayContaining([
        { emoji: "😂", direction: "INBOUND" },
        { emoji: "👍", direction: "OUTBOUND" },
      ]),
    );
    expect(byId(ours.id).reactions).toHaveLength(2);
    expect(byId(messageId).reactions).toEqual([]);
    const reactionRows = messages.filter((message: { type: string }) => message.type === "reaction");
    expect(reactionRows.map((row: { reactedTo: { id: string } }) => row.reactedTo.id)).toEqual([ours.id, ours.id, ours.id]);
  });

  it("refuses a word instead of an emoji, an unknown message, and a closed window, sending nothing", async () => {
    const { messageId, conversationId } = await customerWrote();
    const before = simulator().sentMessages().length;
    const word = await graphql(server(), REACT, { id: messageId, emoji: "nice" });
    expect(word.data.reactToMessage).toMatchObject({ __typename: "ValidationError", fieldErrors: [{ field: "emoji" }] });
    expect((await graphql(server(), REACT, { id: "nope", emoji: "👍" })).data.reactToMessage.__typename).toBe("NotFoundError");
    await db().conversation.update({ where: { id: conversationId }, data: { lastInboundAt: new Date(Date.now() - 25 * 3_600_000) } });
    expect((await graphql(server(), REACT, { id: messageId, emoji: "👍" })).data.reactToMessage.__typename).toBe("WindowClosedError");
    expect(simulator().sentMessages()).toHaveLength(before);
  });

  it("lets no other workspace react to, or see reactions on, this workspace's messages", async () => {
    const { messageId } = await customerWrote();
    const other = await createOtherWorkspace(server());
    const answer = await graphql(server(), REACT, { id: messageId, emoji: "👍" }, { token: other.token });
    expect(answer.data.reactToMessage.__typename).toMatch(/^(NotFoundError|WhatsAppNotConfiguredError)$/);
    expect(await db().whatsAppMessage.count({ where: { type: "reaction", direction: "OUTBOUND", reactionToWamid: (await db().whatsAppMessage.findUniqueOrThrow({ where: { id: messageId } })).wamid } })).toBe(0);
  });
});

describe("replies", () => {
  it("sends a reply quoting the customer's message (context.message_id) and resolves the quote", async () => {
    const { waId, wamid, messageId, conversationId } = await customerWrote("Can I change the address?");
    const answer = await graphql(
      server(),
      `mutation($phone: String!, $wamid: String!) { sendWhatsApp(input: { phoneNumber: $phone, message: "Yes, tell me the new one", replyToWamid: $wamid }) {
        __typename ... on SendWhatsAppSuccess { whatsAppMessage { id contextWamid quoted { id text } } } } }`,
      { phone: `+${waId}`, wamid },
    );
    expect(answer.data.sendWhatsApp.whatsAppMessage).toMatchObject({ contextWamid: wamid, quoted: { id: messageId, text: "Can I change the address?" } });
    expect(simulator().sentMessages().filter((message) => message.to === waId).at(-1)?.request.context).toEqual({ message_id: wamid });
    expect((await messagesOf(conversationId)).at(-1).quoted).toEqual({ id: messageId, text: "Can I change the address?" });
  });

  it("resolves a quote only within the workspace: another workspace's message of that wamid is never shown", async () => {
    const { wamid } = await customerWrote("A's private words");
    const other = await createOtherWorkspace(server());
    const conversation = await db().conversation.create({ data: { workspaceId: other.workspace.id, waId: "919700000001" } });
    await db().whatsAppMessage.create({
      data: {
        workspaceId: other.workspace.id,
        conversationId: conversation.id,
        direction: "INBOUND",
        type: "text",
        text: "Quoting something",
        preview: "Quoting something",
        status: "RECEIVED",
        contextWamid: wamid,
        timestamp: new Date(),
      },
    });
    const answer = await graphql(server(), MESSAGES, { id: conversation.id }, { token: other.token });
    expect(answer.data.messages.edges.map((edge: { node: { quoted: unknown } }) => edge.node.quoted)).toEqual([null]);
  });
});

describe("the typing indicator", () => {
  const TYPING = `mutation($id: ID!) { sendTypingIndicator(conversationId: $id) { __typename ... on MutationSendTypingIndicatorSuccess { shown } } }`;

  it("reaches the simulator as a read receipt of the customer's latest message with typing_indicator", async () => {
    const { conversationId } = await customerWrote("First");
    const { waId } = await db().conversation.findUniqueOrThrow({ where: { id: conversationId } });
    const { wamid: latest } = await simulator().sendInbound({ from: waId!, type: "text", text: "Second" });
    const answer = await graphql(server(), TYPING, { id: conversationId });
    expect(answer.data.sendTypingIndicator).toEqual({ __typename: "MutationSendTypingIndicatorSuccess", shown: true });
    const receipt = simulator().requests().findLast((request) => request.method === "POST" && (request.body as { status?: string } | null)?.status === "read");
    expect(receipt).toMatchObject({ httpStatus: 200, body: { messaging_product: "whatsapp", status: "read", message_id: latest, typing_indicator: { type: "text" } } });
  });

  it("shows nothing when the window is closed, and refuses another workspace's conversation", async () => {
    const { conversationId } = await customerWrote();
    await db().conversation.update({ where: { id: conversationId }, data: { lastInboundAt: new Date(Date.now() - 25 * 3_600_000) } });
    const requests = simulator().requests().length;
    expect((await graphql(server(), TYPING, { id: conversationId })).data.sendTypingIndicator.shown).toBe(false);
    const other = await createOtherWorkspace(server());
    expect((await graphql(server(), TYPING, { id: conversationId }, { token: other.token })).data.sendTypingIndicator.__typename).toBe("NotFoundError");
    expect(simulator().requests()).toHaveLength(requests);
  });

  it("the simulator refuses a typing indicator of another kind, as Meta does", async () => {
    const answer = await fetch(`${simulator().baseUrl}/v23.0/${env().WHATSAPP_PHONE_ID}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${env().WHATSAPP_TOKEN}` },
      body: JSON.stringify({ messaging_product: "whatsapp", status: "read", message_id: "wamid.x", typing_indicator: { type: "audio" } }),
    });
    expect(answer.status).toBe(400);
  });
});

// Statuses of our reactions arrive like any others: wait for them so that the server stops quietly.
afterAll(() => eventually(async () => (await db().whatsAppMessage.count({ where: { status: { in: ["PENDING", "QUEUED"] } } })) === 0, "sends to settle"));
