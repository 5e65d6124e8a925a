import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ADMIN_API_TOKEN, graphql, rest } from "../tests/support/harness.ts";
import { eventually, startWithSimulator, type SimulatedWhatsApp } from "../tests/support/simulated-whatsapp.ts";
import { deliverWebhook } from "../tests/support/webhook-client.ts";
import { updateSettings } from "./autoreply.service.ts";

const AI_API_KEY = "sk-fake-openai-key-do-not-log-0123456789";
const AI_MODEL = "fake-gpt";

/**
 * A stand-in for an OpenAI-compatible endpoint on a real port: records each request and
 * answers as `mode` says — a reply, an HTTP 500, or silence longer than the client waits.
 */
function startFakeOpenAi() {
  const state = {
    mode: "answer" as "answer" | "fail" | "hang",
    answer: "Yes, we deliver to Pune in 2 days.",
    requests: [] as Array<{ path: string; authorization: string | undefined; body: { model: string; messages: Array<{ role: string; content: string }> } }>,
  };
  const server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      state.requests.push({ path: request.url ?? "", authorization: request.headers.authorization, body: JSON.parse(body) });
      if (state.mode === "hang") return; // closed when the server stops
      if (state.mode === "fail") return void response.writeHead(500, { "content-type": "application/json" }).end('{"error":{"message":"overloaded"}}');
      response.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({ id: "chatcmpl-1", object: "chat.completion", model: AI_MODEL, choices: [{ index: 0, message: { role: "assistant", content: state.answer }, finish_reason: "stop" }] }),
      );
    });
  });
  return {
    state,
    async start() {
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

let whatsapp: SimulatedWhatsApp;
const fakeAi = startFakeOpenAi();
const server = () => whatsapp.server;
const db = () => whatsapp.server.app.db;

beforeAll(async () => {
  const aiBaseUrl = await fakeAi.start();
  whatsapp = await startWithSimulator({ AI_BASE_URL: aiBaseUrl, AI_API_KEY, AI_MODEL, AI_TIMEOUT_MS: "400" });
});
afterAll(async () => {
  await whatsapp.stop();
  await fakeAi.stop();
});

beforeEach(async () => {
  await db().autoReplyRule.deleteMany();
  await db().workspace.updateMany({ data: { businessHours: null, aiRepliesEnabled: false, timeZone: "Asia/Kolkata" } });
  fakeAi.state.mode = "answer";
});

let customerSequence = 0;
const newCustomer = () => `9197000${String(++customerSequence).padStart(5, "0")}`;
const sentTo = (waId: string) => whatsapp.simulator.sentMessages().filter((message) => message.to === waId);

/** A customer writes; resolves once the product stored it and every auto-reply under way is settled. */
async function customerWrites(waId: string, text: string) {
  const result = await whatsapp.simulator.sendInbound({ from: waId, name: "Priya Sharma", type: "text", text });
  expect(result.httpStatus).toBe(200);
  await server().app.autoReplies.idle();
  return result;
}

async function createRule(input: Record<string, unknown>) {
  const answer = await graphql(
    server(),
    `mutation($input: AutoReplyRuleInput!) { createAutoReplyRule(input: $input) {
      __typename ... on MutationCreateAutoReplyRuleSuccess { rule { id kind keywords reply enabled position } }
      ... on ValidationError { fieldErrors { field message } } } }`,
    { input },
  );
  return answer.data.createAutoReplyRule;
}

async function settings(input: Record<string, unknown>) {
  const answer = await graphql(
    server(),
    `mutation($input: AutoReplySettingsInput!) { updateAutoReplySettings(input: $input) {
      __typename ... on MutationUpdateAutoReplySettingsSuccess { settings { timeZone aiRepliesEnabled aiAvailable openNow businessHours { day opens closes } } }
      ... on ValidationError { fieldErrors { field message } } } }`,
    { input },
  );
  return answer.data.updateAutoReplySettings;
}

/** The chat as the inbox shows it: each message's text and whether it was automatic. */
async function chatOf(waId: string) {
  const conversation = await db().conversation.findFirstOrThrow({ where: { waId } });
  const answer = await graphql(server(), `query($id: ID!) { messages(conversationId: $id, last: 50) { edges { node { direction text autoReply } } } }`, {
    id: conversation.id,
  });
  return answer.data.messages.edges.map((edge: { node: unknown }) => edge.node);
}

describe("keyword replies", () => {
  it("answers a keyword once, marked automatic, even when Meta delivers the webhook twice", async () => {
    await createRule({ kind: "KEYWORD", keywords: ["price", "rate"], reply: "Sarees start at ₹1,200. Full list: https://example.in/prices" });
    const waId = newCustomer();
    const { payload } = await customerWrites(waId, "What is the PRICE of the blue saree?");
    expect((await deliverWebhook(server(), payload)).status).toBe(200);
    await server().app.autoReplies.idle();

    await eventually(async () => sentTo(waId).length === 1, "the keyword reply to reach WhatsApp");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sentTo(waId).map((message) => message.body)).toEqual(["Sarees start at ₹1,200. Full list: https://example.in/prices"]);
    expect(await chatOf(waId)).toEqual([
      { direction: "INBOUND", text: "What is the PRICE of the blue saree?", autoReply: null },
      { direction: "OUTBOUND", text: "Sarees start at ₹1,200. Full list: https://example.in/prices", autoReply: "KEYWORD" },
    ]);
    const reply = await db().whatsAppMessage.findFirstOrThrow({ where: { autoReply: "KEYWORD", conversation: { waId } } });
    expect(reply.sentByUserId).toBeNull();
    // An automatic reply is not an agent's activity: the next message is answered too.
    expect((await db().conversation.findFirstOrThrow({ where: { waId } })).agentActiveAt).toBeNull();
  });

  it("answers a customer whose number is hidden by their business-scoped user ID", async () => {
    await createRule({ kind: "KEYWORD", keywords: ["price"], reply: "Sarees start at ₹1,200." });
    const userId = `IN.7700${++customerSequence}`;
    const result = await whatsapp.simulator.sendInbound({ user_id: userId, username: "priya_s", name: "Priya Sharma", type: "text", text: "price?" });
    expect(result.httpStatus).toBe(200);
    await server().app.autoReplies.idle();
    await eventually(async () => sentTo(userId).length === 1, "the keyword reply to reach WhatsApp");
    expect(sentTo(userId)[0]!.request).toMatchObject({ recipient: userId, text: { body: "Sarees start at ₹1,200." } });
    expect(sentTo(userId)[0]!.request).not.toHaveProperty("to");
  });

  it("does not answer messages without the keyword, nor disabled rules", async () => {
    const rule = await createRule({ kind: "KEYWORD", keywords: ["price"], reply: "Price list" });
    const waId = newCustomer();
    await customerWrites(waId, "Is the pricing fair?");
    await graphql(server(), `mutation($id: ID!) { updateAutoReplyRule(id: $id, input: { enabled: false }) { __typename } }`, { id: rule.rule.id });
    await customerWrites(waId, "price?");
    expect(sentTo(waId)).toEqual([]);
  });
});

describe("greetings", () => {
  it("greets only a customer's first message", async () => {
    await createRule({ kind: "GREETING", reply: "Namaste! Welcome to Sharma Sarees." });
    const waId = newCustomer();
    await customerWrites(waId, "Hi");
    await customerWrites(waId, "Are you there?");
    await eventually(async () => sentTo(waId).length >= 1, "the greeting");
    expect(sentTo(waId).map((message) => message.body)).toEqual(["Namaste! Welcome to Sharma Sarees."]);
    // (Order aside: WhatsApp stamps the customer's messages to the second.)
    const automatic = (await chatOf(waId)).filter((message: { autoReply: string | null }) => message.autoReply);
    expect(automatic).toEqual([{ direction: "OUTBOUND", text: "Namaste! Welcome to Sharma Sarees.", autoReply: "GREETING" }]);
  });
});

describe("away messages", () => {
  it("answers outside business hours once, not to every message that follows", async () => {
    await createRule({ kind: "AWAY", reply: "We are closed now; we reply from 9 am." });
    // Never open: every moment is outside business hours.
    expect(await settings({ businessHours: [] })).toMatchObject({ settings: { openNow: false, businessHours: [] } });
    const waId = newCustomer();
    await customerWrites(waId, "Hello?");
    await customerWrites(waId, "Hello again?");
    expect(sentTo(waId).map((message) => message.body)).toEqual(["We are closed now; we reply from 9 am."]);
  });

  it("stays quiet during business hours", async () => {
    await createRule({ kind: "AWAY", reply: "Closed" });
    const allDay = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"].map((day) => ({ day, opens: "00:00", closes: "24:00" }));
    expect(await settings({ businessHours: allDay })).toMatchObject({ settings: { openNow: true } });
    const waId = newCustomer();
    await customerWrites(waId, "Hello?");
    expect(sentTo(waId)).toEqual([]);
  });
});

describe("agents in the conversation", () => {
  it("sends nothing while an agent replied recently, and answers again once the agent has been quiet long enough", async () => {
    await createRule({ kind: "KEYWORD", keywords: ["price"], reply: "Price list" });
    const waId = newCustomer();
    await customerWrites(waId, "Hello");
    const sent = await rest(server(), "POST", "/api/whatsapp/send", { phoneNumber: `+${waId}`, message: "Hello Priya, how can I help?" }, { token: ADMIN_API_TOKEN });
    expect(sent.status).toBe(200);
    await customerWrites(waId, "What is the price?");
    expect(sentTo(waId).map((message) => message.body)).toEqual(["Hello Priya, how can I help?"]);

    // 31 minutes later (AUTO_REPLY_AGENT_ACTIVE_MINUTES is 30).
    const conversation = await db().conversation.findFirstOrThrow({ where: { waId } });
    await db().conversation.update({ where: { id: conversation.id }, data: { agentActiveAt: new Date(Date.now() - 31 * 60_000) } });
    await customerWrites(waId, "Price please?");
    expect(sentTo(waId).map((message) => message.body)).toEqual(["Hello Priya, how can I help?", "Price list"]);
  });
});

describe("AI replies through an OpenAI-compatible endpoint", () => {
  it("answers with the model's reply when no rule matches, sending the conversation and the key", async () => {
    expect(await settings({ aiRepliesEnabled: true })).toMatchObject({ settings: { aiRepliesEnabled: true, aiAvailable: true } });
    const waId = newCustomer();
    const before = fakeAi.state.requests.length;
    await customerWrites(waId, "Do you deliver to Pune?");
    await eventually(async () => sentTo(waId).length === 1, "the AI reply to reach WhatsApp");
    expect(sentTo(waId)[0]!.body).toBe("Yes, we deliver to Pune in 2 days.");
    expect((await chatOf(waId)).at(-1)).toEqual({ direction: "OUTBOUND", text: "Yes, we deliver to Pune in 2 days.", autoReply: "AI" });

    const request = fakeAi.state.requests[before]!;
    expect(request.path).toBe("/v1/chat/completions");
    expect(request.authorization).toBe(`Bearer ${AI_API_KEY}`);
    expect(request.body.model).toBe(AI_MODEL);
    expect(request.body.messages[0]!.role).toBe("system");
    expect(request.body.messages.at(-1)).toEqual({ role: "user", content: "Do you deliver to Pune?" });
  });

  it("sends nothing when the endpoint fails or is too slow, keeps the customer's message, and never logs the key", async () => {
    await settings({ aiRepliesEnabled: true });
    const waId = newCustomer();
    fakeAi.state.mode = "fail";
    await customerWrites(waId, "Can I pay cash on delivery?");
    fakeAi.state.mode = "hang";
    await customerWrites(waId, "Hello?");
    expect(sentTo(waId)).toEqual([]);
    expect(await chatOf(waId)).toEqual([
      { direction: "INBOUND", text: "Can I pay cash on delivery?", autoReply: null },
      { direction: "INBOUND", text: "Hello?", autoReply: null },
    ]);
    const skipped = server().logs.filter((line) => String(line.msg).startsWith("AI reply skipped"));
    expect(skipped.map((line) => line.msg)).toEqual(["AI reply skipped: The AI endpoint answered HTTP 500", "AI reply skipped: No answer within 400 ms"]);
    expect(JSON.stringify(server().logs)).not.toContain(AI_API_KEY);
  });

  it("refuses to switch AI replies on when the server has no AI endpoint, and changes nothing", async () => {
    const workspace = await db().workspace.findFirstOrThrow();
    const withoutAi = { ...server().app.config, AI_BASE_URL: undefined, AI_API_KEY: undefined, AI_MODEL: undefined };
    await expect(updateSettings(db(), withoutAi, workspace.id, { aiRepliesEnabled: true, timeZone: "Europe/London" })).rejects.toMatchObject({
      name: "ValidationError",
      fieldErrors: [{ field: "aiRepliesEnabled", message: "AI replies need AI_BASE_URL, AI_API_KEY, AI_MODEL set on the server" }],
    });
    expect(await db().workspace.findUniqueOrThrow({ where: { id: workspace.id } })).toMatchObject({ aiRepliesEnabled: false, timeZone: "Asia/Kolkata" });
  });
});

describe("managing rules and settings over GraphQL", () => {
  it("refuses a wrong time zone or malformed hours with the field named, and changes nothing", async () => {
    expect(await settings({ timeZone: "India/Mumbai" })).toEqual({
      __typename: "ValidationError",
      fieldErrors: [{ field: "timeZone", message: "“India/Mumbai” is not a time zone: give an IANA name such as Asia/Kolkata or Europe/London" }],
    });
    expect(await settings({ businessHours: [{ day: "MON", opens: "9am", closes: "18:00" }] })).toEqual({
      __typename: "ValidationError",
      fieldErrors: [{ field: "businessHours", message: "Monday: “9am–18:00” is not a time range (HH:MM, 24-hour clock)" }],
    });
    expect(await db().workspace.findFirstOrThrow()).toMatchObject({ timeZone: "Asia/Kolkata", businessHours: null });
    expect(await settings({ timeZone: "Europe/London", businessHours: [{ day: "FRI", opens: "22:00", closes: "02:00" }] })).toMatchObject({
      settings: { timeZone: "Europe/London", businessHours: [{ day: "FRI", opens: "22:00", closes: "02:00" }] },
    });
  });

  it("creates, orders, updates and deletes rules, refusing incomplete ones", async () => {
    expect(await createRule({ kind: "KEYWORD", reply: "Hi" })).toEqual({ __typename: "ValidationError", fieldErrors: [{ field: "keywords", message: "Give at least one keyword" }] });
    expect((await createRule({ kind: "AI", reply: "Hi" })).fieldErrors[0].field).toBe("kind");
    expect((await createRule({ kind: "GREETING", reply: "   " })).fieldErrors[0].field).toBe("reply");
    const first = await createRule({ kind: "KEYWORD", keywords: [" order ", "", "status"], reply: "Track it at https://example.in/track" });
    const second = await createRule({ kind: "GREETING", reply: "Welcome!" });
    expect(first.rule).toMatchObject({ keywords: ["order", "status"], enabled: true, position: 0 });
    expect(second.rule.position).toBe(1);

    const updated = await graphql(
      server(),
      `mutation($id: ID!) { updateAutoReplyRule(id: $id, input: { keywords: ["tracking"], position: 5 }) { ... on MutationUpdateAutoReplyRuleSuccess { rule { keywords reply position } } } }`,
      { id: first.rule.id },
    );
    expect(updated.data.updateAutoReplyRule.rule).toEqual({ keywords: ["tracking"], reply: "Track it at https://example.in/track", position: 5 });
    const list = await graphql(server(), `{ autoReplyRules { kind } }`);
    expect(list.data.autoReplyRules).toEqual([{ kind: "GREETING" }, { kind: "KEYWORD" }]);

    const deleted = await graphql(server(), `mutation($id: ID!) { deleteAutoReplyRule(id: $id) { __typename } }`, { id: first.rule.id });
    expect(deleted.data.deleteAutoReplyRule.__typename).toBe("MutationDeleteAutoReplyRuleSuccess");
    const again = await graphql(server(), `mutation($id: ID!) { deleteAutoReplyRule(id: $id) { __typename } }`, { id: first.rule.id });
    expect(again.data.deleteAutoReplyRule.__typename).toBe("NotFoundError");
  });
});
