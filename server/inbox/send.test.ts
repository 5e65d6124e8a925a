import { describe, expect, it } from "vitest";
import { ADMIN_API_TOKEN, createOtherWorkspace, graphql, rest, startTestServer, type TestServer } from "../tests/support/harness.ts";
import { eventually, startWithSimulator } from "../tests/support/simulated-whatsapp.ts";
import { withSimulatedWhatsApp } from "../tests/support/customers-who-write.ts";

const { server, simulator, db } = withSimulatedWhatsApp();
const asAdmin = { token: ADMIN_API_TOKEN };

let customerSequence = 0;
/** A customer who wrote a moment ago (window open), with a CRM contact. */
async function customerWhoWrote(name = "John Doe") {
  const waId = `9198000${String(++customerSequence).padStart(5, "0")}`;
  await simulator().sendInbound({ from: waId, name, type: "text", text: "Hello, I need help" });
  const workspaceId = (await db().workspace.findFirstOrThrow()).id;
  const contact = await db().contact.create({ data: { workspaceId, name, whatsappNumber: `+${waId}` } });
  return { waId, contact };
}

const sentTo = (waId: string) => simulator().sentMessages().filter((message) => message.to === waId);
const send = (body: Record<string, unknown>, options = { token: ADMIN_API_TOKEN }) => rest(server(), "POST", "/api/whatsapp/send", body, options);

describe("sending over REST, as the guide describes", () => {
  it("sends to a contact and answers the guide's success body", async () => {
    const { waId, contact } = await customerWhoWrote("John Doe");
    const answer = await send({ contactId: contact.id, message: "Your order has shipped" });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      success: true,
      messageId: expect.stringMatching(/^wamid\./),
      recipient: "John Doe",
      phone: `+${waId}`,
      message: "Message sent successfully",
    });
    expect(sentTo(waId).map((message) => message.body)).toEqual(["Your order has shipped"]);
    const stored = await db().whatsAppMessage.findUniqueOrThrow({ where: { wamid: answer.body.messageId } });
    // Meta's status webhooks may already have moved it on.
    expect(stored).toMatchObject({ direction: "OUTBOUND", status: expect.stringMatching(/^(SENT|DELIVERED|READ)$/), text: "Your order has shipped" });
  });

  it("sends to a number typed in national format", async () => {
    const { waId } = await customerWhoWrote();
    const national = `${waId.slice(2, 7)} ${waId.slice(7)}`;
    const answer = await send({ phoneNumber: national, message: "Hi!" });
    expect(answer.status).toBe(200);
    expect(answer.body.phone).toBe(`+${waId}`);
    expect(sentTo(waId)).toHaveLength(1);
  });

  it("answers the configuration on GET /api/whatsapp/status", async () => {
    const answer = await rest(server(), "GET", "/api/whatsapp/status", undefined, asAdmin);
    expect(answer.body).toEqual({ configured: true, missing: [], message: "WhatsApp is configured and ready to use" });
  });

  it("answers 400 'Invalid phone number' and sends nothing", async () => {
    const before = simulator().sentMessages().length;
    const answer = await send({ phoneNumber: "12345", message: "Hi" });
    expect(answer).toMatchObject({ status: 400, body: { success: false, error: "Invalid phone number" } });
    expect(simulator().sentMessages()).toHaveLength(before);
  });

  it("answers 404 for an unknown contact and for another workspace's contact", async () => {
    expect((await send({ contactId: "nope", message: "Hi" })).status).toBe(404);
    const other = await createOtherWorkspace(server());
    const theirs = await db().contact.create({ data: { workspaceId: other.workspace.id, name: "Theirs", whatsappNumber: "+919811111111" } });
    expect((await send({ contactId: theirs.id, message: "Hi" })).status).toBe(404);
    expect(sentTo("919811111111")).toHaveLength(0);
  });

  it("refuses an empty or over-long message before calling Meta", async () => {
    const { contact, waId } = await customerWhoWrote();
    expect((await send({ contactId: contact.id, message: "   " })).status).toBe(400);
    expect((await send({ contactId: contact.id, message: "x".repeat(4097) })).status).toBe(400);
    expect((await send({ contactId: contact.id, message: "x".repeat(4096) })).status).toBe(200);
    expect(sentTo(waId)).toHaveLength(1);
  });

  it("answers 502 'Failed to send message' with Meta's code and title when Meta refuses for good", async () => {
    const { contact, waId } = await customerWhoWrote();
    simulator().forceFailures({ kind: "meta", code: 131026 });
    const answer = await send({ contactId: contact.id, message: "Are you there?" });
    expect(answer.status).toBe(502);
    expect(answer.body).toMatchObject({ success: false, error: "Failed to send message", code: 131026, title: expect.any(String) });
    expect(await db().whatsAppMessage.findUniqueOrThrow({ where: { id: answer.body.id } })).toMatchObject({ status: "FAILED", errorCode: 131026 });
    expect(sentTo(waId)).toHaveLength(0);
  });
});

describe("the 24-hour window", () => {
  it("refuses free-form text to a customer who never wrote, before calling Meta, and says a template is needed", async () => {
    const before = simulator().requests().length;
    const answer = await send({ phoneNumber: "+91 98765 00000", message: "Hello" });
    expect(answer.status).toBe(422);
    expect(answer.body.error).toMatch(/template/);
    expect(simulator().requests()).toHaveLength(before);
  });

  it("sends an approved template to open the conversation, with its body rendered in the inbox", async () => {
    const answer = await graphql(
      server(),
      `mutation($input: SendWhatsAppTemplateInput!) { sendWhatsAppTemplate(input: $input) {
        __typename ... on SendWhatsAppSuccess { messageId whatsAppMessage { preview templateName } } ... on Error { message } } }`,
      { input: { phoneNumber: "98765 00001", templateName: "order_update", languageCode: "en", bodyParameters: ["Priya", "#1234"] } },
    );
    expect(answer.data.sendWhatsAppTemplate).toMatchObject({
      __typename: "SendWhatsAppSuccess",
      whatsAppMessage: { templateName: "order_update", preview: "Hi Priya, your order #1234 has shipped." },
    });
    expect(sentTo("919876500001")).toEqual([expect.objectContaining({ type: "template" })]);
  });

  it("refuses a template that is not approved, or with the wrong number of parameters", async () => {
    const mutation = `mutation($input: SendWhatsAppTemplateInput!) { sendWhatsAppTemplate(input: $input) { __typename ... on ValidationError { fieldErrors { field message } } } }`;
    const unknown = await graphql(server(), mutation, { input: { phoneNumber: "98765 00002", templateName: "no_such", languageCode: "en" } });
    expect(unknown.data.sendWhatsAppTemplate.fieldErrors[0].field).toBe("templateName");
    const short = await graphql(server(), mutation, { input: { phoneNumber: "98765 00002", templateName: "order_update", languageCode: "en", bodyParameters: ["Priya"] } });
    expect(short.data.sendWhatsAppTemplate.fieldErrors[0]).toEqual({ field: "bodyParameters", message: "order_update needs 2 parameters, got 1" });
  });

  it("tells the UI whether the window is open for a contact", async () => {
    const { contact } = await customerWhoWrote();
    const answer = await graphql(server(), `query($id: ID!) { whatsappWindow(contactId: $id) { ... on QueryWhatsappWindowSuccess { data { isOpen closesAt } } } }`, { id: contact.id });
    expect(answer.data.whatsappWindow.data.isOpen).toBe(true);
    expect(new Date(answer.data.whatsappWindow.data.closesAt).getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
  });
});

describe("sending over GraphQL", () => {
  const SEND = `mutation($input: SendWhatsAppInput!) { sendWhatsApp(input: $input) {
    __typename
    ... on SendWhatsAppSuccess { success messageId recipient phone message }
    ... on SendFailedError { code title }
    ... on InvalidPhoneNumberError { message }
    ... on WindowClosedError { message }
  } }`;

  it("sends by contact id and by phone number with the same answer as REST", async () => {
    const { contact, waId } = await customerWhoWrote("Asha");
    const byContact = await graphql(server(), SEND, { input: { contactId: contact.id, message: "one" } });
    const byNumber = await graphql(server(), SEND, { input: { phoneNumber: `+${waId}`, message: "two" } });
    for (const answer of [byContact, byNumber]) {
      expect(answer.data.sendWhatsApp).toMatchObject({ __typename: "SendWhatsAppSuccess", success: true, recipient: "Asha", phone: `+${waId}`, message: "Message sent successfully" });
    }
    expect(sentTo(waId).map((message) => message.body)).toEqual(["one", "two"]);
  });

  it("answers typed errors", async () => {
    const invalid = await graphql(server(), SEND, { input: { phoneNumber: "00", message: "x" } });
    expect(invalid.data.sendWhatsApp).toEqual({ __typename: "InvalidPhoneNumberError", message: "Invalid phone number" });
    const { contact } = await customerWhoWrote();
    simulator().forceFailures({ kind: "meta", code: 131026 });
    const failed = await graphql(server(), SEND, { input: { contactId: contact.id, message: "x" } });
    expect(failed.data.sendWhatsApp).toMatchObject({ __typename: "SendFailedError", code: 131026 });
  });
});

describe("the durable outbox", () => {
  it("queues after a 130429 throughput error, retries with backoff, and delivers exactly once", async () => {
    const { contact, waId } = await customerWhoWrote();
    simulator().forceFailures({ kind: "meta", code: 130429, count: 2 });
    const answer = await send({ contactId: contact.id, message: "retry me" });
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ success: true, queued: true, messageId: null });
    const sent = await eventually(
      async () => {
        const row = await db().whatsAppMessage.findUniqueOrThrow({ where: { id: answer.body.id } });
        return row.wamid ? row : null;
      },
      "the retried message to be sent",
    );
    expect(sent.attempts).toBe(3);
    expect(sentTo(waId).map((message) => message.body)).toEqual(["retry me"]);
  });

  it("also retries after HTTP 500 and a timeout", async () => {
    const { contact, waId } = await customerWhoWrote();
    simulator().forceFailures({ kind: "http", status: 500 });
    const first = await send({ contactId: contact.id, message: "after 500" });
    expect(first.status).toBe(202);
    await eventually(async () => sentTo(waId).length === 1, "the send after a 500");

    simulator().forceFailures({ kind: "timeout", hangMs: 3000 });
    const second = await send({ contactId: contact.id, message: "after a timeout" });
    expect(second.status).toBe(202);
    expect(second.body.queued).toBe(true);
    await eventually(async () => sentTo(waId).some((message) => message.body === "after a timeout"), "the send after a timeout");
  });

  it("never sends twice for a repeated idempotency key", async () => {
    const { contact, waId } = await customerWhoWrote();
    const body = { contactId: contact.id, message: "only once", idempotencyKey: "order-1234-shipped" };
    const answers = await Promise.all([send(body), send(body), send(body)]);
    expect(new Set(answers.map((answer) => answer.body.id)).size).toBe(1);
    expect(sentTo(waId)).toHaveLength(1);
  });

  it("follows Meta's status webhooks to READ", async () => {
    const { contact } = await customerWhoWrote();
    const answer = await send({ contactId: contact.id, message: "watch the ticks" });
    await eventually(async () => (await db().whatsAppMessage.findUniqueOrThrow({ where: { id: answer.body.id } })).status === "READ", "READ");
  });

  it("sends the customer a read receipt when an agent opens the conversation", async () => {
    const { waId } = await customerWhoWrote();
    const newest = await simulator().sendInbound({ from: waId, type: "text", text: "second message" });
    const conversation = await db().conversation.findFirstOrThrow({ where: { waId } });
    await graphql(server(), `mutation($id: ID!) { markConversationRead(id: $id) { __typename } }`, { id: conversation.id });
    const receipts = simulator().requests().filter((request) => JSON.stringify(request).includes('"status":"read"'));
    expect(receipts.some((request) => JSON.stringify(request).includes(newest.wamid))).toBe(true);
  });
});

describe("across a restart", () => {
  it("resumes queued messages after the server restarts", async () => {
    const first = await startWithSimulator({ OUTBOX_RETRY_BASE_MS: "3000" });
    let second: TestServer | null = null;
    try {
      await first.simulator.sendInbound({ from: "919812345678", type: "text", text: "hi" });
      first.simulator.forceFailures({ kind: "http", status: 503 });
      const answer = await rest(first.server, "POST", "/api/whatsapp/send", { phoneNumber: "+919812345678", message: "survive a restart" }, asAdmin);
      expect(answer.status).toBe(202);
      await first.server.app.stop();

      second = await startTestServer({ ...first.env, OUTBOX_RETRY_BASE_MS: "100" });
      const resumed = second;
      await eventually(async () => (await resumed.app.db.whatsAppMessage.findUniqueOrThrow({ where: { id: answer.body.id } })).wamid, "the resumed send", 8000);
      expect(first.simulator.sentMessages().filter((message) => message.body === "survive a restart")).toHaveLength(1);
    } finally {
      await second?.stop();
      await first.simulator.stop();
    }
  });
});

describe("not configured", () => {
  it("answers 503 'WhatsApp is not configured', pointing to where a number is connected", async () => {
    const bare = await startTestServer();
    try {
      const status = await rest(bare, "GET", "/api/whatsapp/status", undefined, asAdmin);
      expect(status.body).toMatchObject({ configured: false, missing: [], message: "WhatsApp is not configured: an admin connects a number under Settings → WhatsApp" });
      const answer = await rest(bare, "POST", "/api/whatsapp/send", { phoneNumber: "98765 43210", message: "hi" }, asAdmin);
      expect(answer).toMatchObject({ status: 503, body: { success: false, error: "WhatsApp is not configured: an admin connects a number under Settings → WhatsApp" } });
    } finally {
      await bare.stop();
    }
  });
});
