// Customers who message with a WhatsApp username and no visible number (2026). Payloads written
// from Meta's "Business-scoped user IDs" page and webhook references: `contacts[].user_id`,
// `contacts[].parent_user_id`, `contacts[].profile.username`, `messages[].from_user_id`,
// `statuses[].recipient_user_id` — and, for such a customer, no `wa_id` and no `from`.
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conversationFilePath, rebuildConversationFiles, type ConversationFile } from "../storage/conversation-files.ts";
import { startTestServer, type TestServer } from "../tests/support/harness.ts";
import { startPostgres, type TestPostgres } from "../tests/support/postgres.ts";
import { deliverWebhook, WEBHOOK_ENV } from "../tests/support/webhook-client.ts";
import { envelope, TEST_DISPLAY_NUMBER, TEST_PHONE_NUMBER_ID, unixNow, wamid } from "../tests/support/webhook-fixtures.ts";

let server: TestServer;
let postgres: TestPostgres | null = null;
afterAll(() => postgres?.stop());

/** Both databases: the ingest writes its own SQL, and PostgreSQL reads a VALUES list differently. */
const DATABASES = [
  { name: "SQLite", env: async () => ({}) },
  {
    name: "PostgreSQL",
    env: async () => {
      postgres = await startPostgres();
      return { DATABASE_URL: await postgres.createDatabase("bsuid") };
    },
  },
];

const db = () => server.app.db;
const deliver = (payload: unknown) => deliverWebhook(server, payload);

let sequence = 0;
/** A fresh BSUID in Meta's documented format (country, dot, alphanumerics). */
const newBsuid = (country = "IN") => `${country}.${Date.now()}${String(++sequence).padStart(4, "0")}`;

interface Sender {
  userId?: string;
  waId?: string;
  parentUserId?: string;
  username?: string;
  name?: string;
}

/** Meta's `contacts[]` entry for a sender: only the identifiers Meta would share. */
function contactOf(sender: Sender) {
  return {
    profile: { name: sender.name ?? "Sheena", ...(sender.username ? { username: sender.username } : {}) },
    ...(sender.waId ? { wa_id: sender.waId } : {}),
    ...(sender.userId ? { user_id: sender.userId } : {}),
    ...(sender.parentUserId ? { parent_user_id: sender.parentUserId } : {}),
  };
}

function textFrom(sender: Sender, body: string) {
  return {
    ...(sender.waId ? { from: sender.waId } : {}),
    ...(sender.userId ? { from_user_id: sender.userId } : {}),
    id: wamid(),
    timestamp: unixNow(),
    type: "text",
    text: { body },
  };
}

function messagesChange(value: Record<string, unknown>) {
  return {
    field: "messages",
    value: { messaging_product: "whatsapp", metadata: { display_phone_number: TEST_DISPLAY_NUMBER, phone_number_id: TEST_PHONE_NUMBER_ID }, ...value },
  };
}

const deliveryFrom = (senders: Sender[], messages: Array<ReturnType<typeof textFrom>>) =>
  envelope(messagesChange({ contacts: senders.map(contactOf), messages }));

describe.each(DATABASES)("a customer whose number is hidden behind a username ($name)", ({ env }) => {
  beforeAll(async () => {
    server = await startTestServer({ ...WEBHOOK_ENV, ...(await env()) });
  });
  afterAll(() => server.stop());

  it("has their message stored, in a conversation known by BSUID and username, with no number", async () => {
    const sender = { userId: newBsuid(), username: "sheena.n" };
    const message = textFrom(sender, "Hi, is the blue kurta in stock?");
    const answer = await deliver(deliveryFrom([sender], [message]));
    expect(answer.status).toBe(200);
    const stored = await db().whatsAppMessage.findUniqueOrThrow({ where: { wamid: message.id }, include: { conversation: true } });
    expect(stored.text).toBe("Hi, is the blue kurta in stock?");
    expect(stored.conversation).toMatchObject({ userId: sender.userId, username: "sheena.n", waId: null, profileName: "Sheena", unreadCount: 1 });
    expect(await db().unroutedWebhook.count({ where: { payload: { contains: message.id } } })).toBe(0);
  });

  it("keeps their second message in the same conversation", async () => {
    const sender = { userId: newBsuid(), username: "ravi_k" };
    const first = textFrom(sender, "first");
    const second = textFrom(sender, "second");
    await deliver(deliveryFrom([sender], [first]));
    expect((await deliver(deliveryFrom([sender], [second]))).status).toBe(200);
    const conversations = await db().conversation.findMany({ where: { userId: sender.userId }, include: { messages: true } });
    expect(conversations).toHaveLength(1);
    expect(conversations[0]!.messages.map((message) => message.text).sort()).toEqual(["first", "second"]);
    expect(conversations[0]!.unreadCount).toBe(2);
  });

  it("joins the conversation of their number once both appear together, recording both", async () => {
    const userId = newBsuid();
    const waId = `9198${String(Date.now()).slice(-8)}`;
    await deliver(deliveryFrom([{ waId }], [textFrom({ waId }, "before usernames")]));
    await deliver(deliveryFrom([{ waId, userId }], [textFrom({ waId, userId }, "both identifiers")]));
    await deliver(deliveryFrom([{ userId }], [textFrom({ userId }, "number hidden now")]));
    const conversations = await db().conversation.findMany({ where: { OR: [{ waId }, { userId }] }, include: { messages: true } });
    expect(conversations).toHaveLength(1);
    expect(conversations[0]).toMatchObject({ waId, userId });
    expect(conversations[0]!.messages).toHaveLength(3);
  });

  it("treats empty strings for withheld identifiers (the early shape) as absent", async () => {
    const userId = newBsuid();
    const message = { ...textFrom({ userId }, "empty strings"), from: "" };
    const contact = { profile: { name: "Old Shape", username: "oldshape" }, wa_id: "", user_id: userId };
    expect((await deliver(envelope(messagesChange({ contacts: [contact], messages: [message] })))).status).toBe(200);
    const stored = await db().whatsAppMessage.findUniqueOrThrow({ where: { wamid: message.id }, include: { conversation: true } });
    expect(stored.conversation).toMatchObject({ userId, waId: null, username: "oldshape" });
  });

  it("keeps a parent BSUID apart from the customer's own BSUID", async () => {
    const userId = newBsuid("US");
    const parentUserId = `US.ENT.${Date.now()}${++sequence}`;
    const sender = { userId, parentUserId, username: "enterprise_customer" };
    const message = textFrom(sender, "via a managed business");
    await deliver(deliveryFrom([sender], [message]));
    const { conversation } = await db().whatsAppMessage.findUniqueOrThrow({ where: { wamid: message.id }, include: { conversation: true } });
    expect(conversation).toMatchObject({ userId, parentUserId });
    // Another customer of the same managed business: their own conversation, never the parent's.
    const sibling = { userId: newBsuid("US"), parentUserId };
    await deliver(deliveryFrom([sibling], [textFrom(sibling, "another portfolio")]));
    expect(await db().conversation.count({ where: { parentUserId } })).toBe(2);
    expect(await db().conversation.count({ where: { userId: parentUserId } })).toBe(0);
  });

  it("stores a delivery mixing customers with and without numbers whole", async () => {
    const withNumber = { waId: `9197${String(Date.now()).slice(-8)}`, userId: newBsuid(), name: "Asha" };
    const withoutNumber = { userId: newBsuid(), username: "meera", name: "Meera" };
    const numberOnly = { waId: `9196${String(Date.now()).slice(-8)}`, name: "Kiran" };
    const messages = [textFrom(withNumber, "one"), textFrom(withoutNumber, "two"), textFrom(numberOnly, "three"), textFrom(withoutNumber, "four")];
    expect((await deliver(deliveryFrom([withNumber, withoutNumber, numberOnly], messages))).status).toBe(200);
    expect(await db().whatsAppMessage.count({ where: { wamid: { in: messages.map((message) => message.id) } } })).toBe(4);
    expect(await db().conversation.findFirstOrThrow({ where: { userId: withoutNumber.userId } })).toMatchObject({ waId: null, username: "meera", unreadCount: 2 });
    expect(await db().conversation.findFirstOrThrow({ where: { waId: withNumber.waId } })).toMatchObject({ userId: withNumber.userId, profileName: "Asha" });
    expect(await db().conversation.findFirstOrThrow({ where: { waId: numberOnly.waId } })).toMatchObject({ userId: null, profileName: "Kiran" });
  });

  it("applies statuses that name only recipient_user_id", async () => {
    const sender = { userId: newBsuid(), username: "status_user" };
    await deliver(deliveryFrom([sender], [textFrom(sender, "hello")]));
    const conversation = await db().conversation.findFirstOrThrow({ where: { userId: sender.userId } });
    const sent = await db().whatsAppMessage.create({
      data: { workspaceId: conversation.workspaceId, conversationId: conversation.id, wamid: wamid(), direction: "OUTBOUND", type: "text", text: "We have it", preview: "We have it", status: "SENT", timestamp: new Date() },
    });
    const statusOf = (value: string) => ({ id: sent.wamid, status: value, timestamp: unixNow(), recipient_user_id: sender.userId });
    const answer = await deliver(
      envelope(messagesChange({ contacts: [{ profile: { name: "Sheena", username: "status_user" }, user_id: sender.userId }], statuses: [statusOf("delivered"), statusOf("read")] })),
    );
    expect(answer.status).toBe(200);
    expect((await db().whatsAppMessage.findUniqueOrThrow({ where: { id: sent.id } })).status).toBe("READ");
  });

  it("mirrors the conversation to a file named by the BSUID, which follows the number once it is known, also after a rebuild", async () => {
    const userId = newBsuid();
    const waId = `9195${String(Date.now()).slice(-8)}`;
    const dir = server.app.config.CONVERSATIONS_DIR;
    const hidden = { userId, username: "file_user" };
    await deliver(deliveryFrom([hidden], [textFrom(hidden, "number hidden")]));
    await server.app.mirror.flush();
    const conversation = await db().conversation.findFirstOrThrow({ where: { userId } });
    const byBsuid = conversationFilePath(dir, conversation.workspaceId, userId);
    expect(path.basename(byBsuid)).toBe(`${userId}.json`);
    expect(JSON.parse(await readFile(byBsuid, "utf8"))).toMatchObject({ conversationId: conversation.id, phone: null, waId: null, userId, username: "file_user" });

    const shared = { userId, waId, username: "file_user" };
    await deliver(deliveryFrom([shared], [textFrom(shared, "number shared")]));
    await server.app.mirror.flush();
    const byNumber = conversationFilePath(dir, conversation.workspaceId, waId);
    const file = JSON.parse(await readFile(byNumber, "utf8")) as ConversationFile;
    expect(file).toMatchObject({ conversationId: conversation.id, phone: `+${waId}`, waId, userId });
    expect(file.messages.map((message) => message.text)).toEqual(["number hidden", "number shared"]);
    expect(existsSync(byBsuid)).toBe(false);

    const rebuilt = await mkdtemp(path.join(tmpdir(), "bsuid-rebuild-"));
    try {
      await rebuildConversationFiles(db(), rebuilt);
      const names = await readdir(path.join(rebuilt, conversation.workspaceId));
      expect(names).toContain(`${waId}.json`);
      expect(names).not.toContain(`${userId}.json`);
      expect(JSON.parse(await readFile(path.join(rebuilt, conversation.workspaceId, `${waId}.json`), "utf8"))).toEqual(file);
    } finally {
      await rm(rebuilt, { recursive: true, force: true });
    }
  });

  /** Meta's system message (no contacts[]): sent from the old identifiers, naming the new ones. */
  function systemMessage(from: Sender, type: string, system: Record<string, string>) {
    return {
      ...(from.waId ? { from: from.waId } : {}),
      ...(from.userId ? { from_user_id: from.userId } : {}),
      id: wamid(),
      timestamp: unixNow(),
      type: "system",
      system: { type, ...system },
    };
  }

  it("follows a number change: one conversation, a visible system line, the new number and BSUID recorded, one file", async () => {
    const before = { waId: `9194${String(Date.now()).slice(-8)}`, userId: newBsuid() };
    const after = { waId: `9193${String(Date.now()).slice(-8)}`, userId: newBsuid() };
    await deliver(deliveryFrom([before], [textFrom(before, "from my old number")]));
    const notice = systemMessage(before, "user_changed_number", { body: `User Sheena changed from ${before.waId} to ${after.waId}`, wa_id: after.waId, user_id: after.userId });
    expect((await deliver(envelope(messagesChange({ messages: [notice] })))).status).toBe(200);
    await deliver(deliveryFrom([after], [textFrom(after, "from my new number")]));

    const conversations = await db().conversation.findMany({ where: { OR: [{ waId: { in: [before.waId, after.waId] } }, { userId: { in: [before.userId, after.userId] } }] }, include: { messages: { orderBy: { timestamp: "asc" } } } });
    expect(conversations).toHaveLength(1);
    const [conversation] = conversations;
    expect(conversation).toMatchObject({ waId: after.waId, userId: after.userId });
    expect(conversation!.messages.map((message) => [message.type, message.text])).toEqual([
      ["text", "from my old number"],
      ["system", `User Sheena changed from ${before.waId} to ${after.waId}`],
      ["text", "from my new number"],
    ]);
    await server.app.mirror.flush();
    const names = await readdir(path.join(server.app.config.CONVERSATIONS_DIR, conversation!.workspaceId));
    expect(names).toContain(`${after.waId}.json`);
    expect(names).not.toContain(`${before.waId}.json`);
  });

  it("follows a BSUID change of a customer whose number is hidden", async () => {
    const before = { userId: newBsuid(), username: "changer" };
    const afterId = newBsuid();
    await deliver(deliveryFrom([before], [textFrom(before, "before")]));
    await deliver(envelope(messagesChange({ messages: [systemMessage(before, "user_changed_user_id", { body: "User changer changed their ID", user_id: afterId })] })));
    const after = { userId: afterId, username: "changer" };
    await deliver(deliveryFrom([after], [textFrom(after, "after")]));
    const conversations = await db().conversation.findMany({ where: { username: "changer" }, include: { messages: true } });
    expect(conversations).toHaveLength(1);
    expect(conversations[0]).toMatchObject({ userId: afterId, waId: null });
    expect(conversations[0]!.messages.map((message) => message.type).sort()).toEqual(["system", "text", "text"]);
  });

  it("keeps a user_id_update change in the unrouted log and answers 200", async () => {
    const value = { messaging_product: "whatsapp", metadata: { display_phone_number: TEST_DISPLAY_NUMBER, phone_number_id: TEST_PHONE_NUMBER_ID }, marker: wamid() };
    expect((await deliver(envelope({ field: "user_id_update", value }))).status).toBe(200);
    expect(await db().unroutedWebhook.count({ where: { payload: { contains: value.marker } } })).toBe(1);
  });

  it("keeps a message naming no customer at all in the unrouted log, and the rest of its delivery", async () => {
    const sender = { userId: newBsuid() };
    const good = textFrom(sender, "fine");
    const nameless = { id: wamid(), timestamp: unixNow(), type: "text", text: { body: "from nobody" } };
    const malformed = { ...textFrom({}, "bad id"), from_user_id: "../../etc/passwd" };
    expect((await deliver(envelope(messagesChange({ contacts: [contactOf(sender)], messages: [good, nameless, malformed] })))).status).toBe(200);
    expect(await db().whatsAppMessage.count({ where: { wamid: good.id } })).toBe(1);
    expect(await db().whatsAppMessage.count({ where: { wamid: { in: [nameless.id, malformed.id] } } })).toBe(0);
    expect(await db().unroutedWebhook.count({ where: { OR: [{ payload: { contains: nameless.id } }, { payload: { contains: malformed.id } }] } })).toBe(2);
  });
});
