import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conversationFilePath, type ConversationFile } from "../storage/conversation-files.ts";
import { startTestServer, type TestServer } from "../tests/support/harness.ts";
import { deliverWebhook, WEBHOOK_ENV } from "../tests/support/webhook-client.ts";
import { providerOf, type Database } from "../db/client.ts";
import { applyStrandedPendingStatuses } from "./pending-statuses.ts";
import {
  change,
  CUSTOMER,
  envelope,
  EVERY_MESSAGE_TYPE,
  inbound,
  status,
  TEST_APP_SECRET,
  TEST_PHONE_NUMBER_ID,
  unixNow,
  wamid,
} from "../tests/support/webhook-fixtures.ts";
import { signPayload } from "../whatsapp/signature.ts";
import type { StatusUpdate } from "../whatsapp/webhook.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer(WEBHOOK_ENV);
});
afterAll(() => server.stop());

const deliver = (payload: unknown, options?: Parameters<typeof deliverWebhook>[2]) => deliverWebhook(server, payload, options);

const db = () => server.app.db;
const messagesCount = () => db().whatsAppMessage.count();

describe("webhook verification (GET)", () => {
  it("answers the challenge as plain text when the verify token matches", async () => {
    const response = await fetch(`${server.url}/api/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await response.text()).toBe("1158201444");
  });

  it("answers 403 to a wrong token, saying so without echoing it", async () => {
    const response = await fetch(`${server.url}/api/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=guess-123&hub.challenge=1`);
    expect(response.status).toBe(403);
    const { error } = (await response.json()) as { error: string };
    expect(error).toBe("Webhook verification failed: hub.verify_token does not match WHATSAPP_WEBHOOK_VERIFY_TOKEN");
    expect(error).not.toContain("guess-123");
  });

  it.each([
    ["no parameters at all", "", /missing hub\.mode, hub\.verify_token, hub\.challenge/],
    ["no challenge", "?hub.mode=subscribe&hub.verify_token=verify-me", /missing hub\.challenge$|missing hub\.challenge —/],
    ["a mode other than subscribe", "?hub.mode=unsubscribe&hub.verify_token=verify-me&hub.challenge=1", /hub\.mode must be "subscribe"/],
  ])("answers 400 to %s, naming what is wrong rather than the token", async (_name, query, message) => {
    const response = await fetch(`${server.url}/api/whatsapp/webhook${query}`);
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: string };
    expect(error).toMatch(message);
    expect(error).not.toMatch(/verify_token does not match/);
  });
});

describe("signatures", () => {
  it("refuses an unsigned delivery and stores nothing", async () => {
    const before = await messagesCount();
    const answer = await deliver(envelope(change({ messages: [inbound({ type: "text", text: { body: "forged" } })] })), { signature: null });
    expect(answer.status).toBe(401);
    expect(await messagesCount()).toBe(before);
  });

  it("refuses a delivery signed with another secret, or whose bytes were changed", async () => {
    const before = await messagesCount();
    const payload = envelope(change({ messages: [inbound({ type: "text", text: { body: "forged" } })] }));
    expect((await deliver(payload, { signature: signPayload(JSON.stringify(payload), "another secret") })).status).toBe(403);
    const signed = JSON.stringify(payload);
    const tampered = signed.replace("forged", "forgeD");
    expect((await deliver(null, { raw: tampered, signature: signPayload(signed, TEST_APP_SECRET) })).status).toBe(403);
    expect(await messagesCount()).toBe(before);
  });

  it("verifies the exact bytes received: Meta's escaped unicode is not re-serialised", async () => {
    const id = wamid();
    const raw = `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"${TEST_PHONE_NUMBER_ID}"},"contacts":[{"profile":{"name":"\\u092a\\u094d\\u0930\\u093f\\u092f\\u093e"},"wa_id":"${CUSTOMER.waId}"}],"messages":[{"from":"${CUSTOMER.waId}","id":"${id}","timestamp":"${unixNow()}","type":"text","text":{"body":"\\u0928\\u092e\\u0938\\u094d\\u0924\\u0947 \\ud83d\\ude4f"}}]}}]}]}`;
    expect((await deliver(null, { raw })).status).toBe(200);
    const stored = await db().whatsAppMessage.findUniqueOrThrow({ where: { wamid: id } });
    expect(stored.text).toBe("नमस्ते 🙏");
  });
});

describe("hostile and malformed bodies", () => {
  it.each([
    ["malformed JSON", "{not json"],
    ["an empty body", ""],
    ["another object type", JSON.stringify({ object: "page", entry: [] })],
    ["a messages change of the wrong shape", JSON.stringify(envelope({ field: "messages", value: { messaging_product: "whatsapp", metadata: {} } }))],
  ])("answers 400 to %s and stores nothing", async (_name, raw) => {
    const before = await messagesCount();
    const answer = await deliver(null, { raw });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).success).toBe(false);
    expect(await messagesCount()).toBe(before);
  });

  it("says what is wrong with a signed malformed delivery in Meta's terms", async () => {
    const before = await messagesCount();
    const fine = change({ messages: [inbound({ type: "text", text: { body: "fine" } })] });
    const answer = await deliver(envelope(fine, { field: "messages", value: { messaging_product: "whatsapp", metadata: { display_phone_number: "1" } } }));
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error).toBe("Unexpected webhook payload: entry[0].changes[1].value.metadata has no phone_number_id");
    expect(await messagesCount()).toBe(before);
  });

  it("keeps a message it cannot read in the unrouted log, and stores the rest of its batch", async () => {
    const readable = inbound({ type: "text", text: { body: "readable neighbour" } });
    const pathLike = inbound({ from: "../../etc", type: "text", text: { body: "x" } });
    const withoutId = { from: CUSTOMER.waId, timestamp: unixNow(), type: "text", text: { body: "no id" } };
    const answer = await deliver(envelope(change({ messages: [pathLike, readable, withoutId as never] })));
    expect(answer.status).toBe(200);
    expect(await db().whatsAppMessage.count({ where: { wamid: readable.id } })).toBe(1);
    expect(await db().whatsAppMessage.count({ where: { wamid: pathLike.id } })).toBe(0);
    const kept = await db().unroutedWebhook.findMany({ where: { payload: { contains: "etc" } } });
    expect(kept).toHaveLength(1);
    expect(await db().unroutedWebhook.count({ where: { payload: { contains: "no id" } } })).toBe(1);
  });

  it("answers 200 to well-formed changes of fields the inbox does not handle", async () => {
    const answer = await deliver(envelope({ field: "account_update", value: { phone_number: "15550783881", event: "VERIFIED_ACCOUNT" } }));
    expect(answer.status).toBe(200);
  });

  it("answers 413 to bodies over 3 MB", async () => {
    const raw = JSON.stringify({ object: "whatsapp_business_account", entry: [], padding: "x".repeat(3 * 1024 * 1024) });
    expect((await deliver(null, { raw })).status).toBe(413);
  });
});

describe("storing customer messages", () => {
  it.each(EVERY_MESSAGE_TYPE)("stores a $name with its preview and raw JSON", async ({ body, preview, text }) => {
    const message = inbound(body);
    expect((await deliver(envelope(change({ messages: [message] })))).status).toBe(200);
    const stored = await db().whatsAppMessage.findUniqueOrThrow({ where: { wamid: message.id } });
    expect(stored).toMatchObject({ direction: "INBOUND", status: "RECEIVED", type: message.type, preview, text });
    expect(JSON.parse(stored.raw!)).toEqual(message);
  });

  it("keeps media, location and reply fields in their columns", async () => {
    const original = inbound({ type: "text", text: { body: "Is this in stock?" } });
    const image = inbound({ type: "image", image: { id: "media-77", mime_type: "image/png", sha256: "abc", caption: "This one" }, context: { from: CUSTOMER.waId, id: original.id } });
    const place = inbound({ type: "location", location: { latitude: 12.97, longitude: 77.59 } });
    await deliver(envelope(change({ messages: [original, image, place] })));
    expect(await db().whatsAppMessage.findUniqueOrThrow({ where: { wamid: image.id } })).toMatchObject({
      mediaId: "media-77",
      mediaMimeType: "image/png",
      contextWamid: original.id,
      // Stored at once; the bytes are downloaded afterwards.
      mediaState: "PENDING",
    });
    expect(await db().whatsAppMessage.findUniqueOrThrow({ where: { wamid: original.id } })).toMatchObject({ mediaState: null });
    expect(await db().whatsAppMessage.findUniqueOrThrow({ where: { wamid: place.id } })).toMatchObject({
      latitude: 12.97,
      longitude: 77.59,
      preview: "[Location] 12.97, 77.59",
    });
  });

  it("shows what a reaction reacted to, and a removed reaction", async () => {
    const target = inbound({ type: "text", text: { body: "Your parcel is on its way" } });
    await deliver(envelope(change({ messages: [target] })));
    const added = inbound({ type: "reaction", reaction: { message_id: target.id, emoji: "👍" } });
    const removed = inbound({ type: "reaction", reaction: { message_id: target.id, emoji: "" } });
    await deliver(envelope(change({ messages: [added, removed] })));
    expect((await db().whatsAppMessage.findUniqueOrThrow({ where: { wamid: added.id } })).preview).toBe("👍 reacted to “Your parcel is on its way”");
    expect(await db().whatsAppMessage.findUniqueOrThrow({ where: { wamid: removed.id } })).toMatchObject({
      preview: "Removed a reaction",
      reactionEmoji: null,
      reactionToWamid: target.id,
    });
  });

  it("stores a 4096-character unicode text byte for byte", async () => {
    const body = "नमस्ते 🙏 ".repeat(512).slice(0, 4096);
    const message = inbound({ type: "text", text: { body } });
    await deliver(envelope(change({ messages: [message] })));
    const stored = await db().whatsAppMessage.findUniqueOrThrow({ where: { wamid: message.id } });
    expect(Buffer.from(stored.text!).equals(Buffer.from(body))).toBe(true);
  });

  it("logs one line per message, as the guide shows", async () => {
    const message = inbound({ type: "text", text: { body: "Log me" } });
    await deliver(envelope(change({ messages: [message] })));
    expect(server.logs.map((line) => line.msg)).toContain(`Received message from +${CUSTOMER.waId}: Log me`);
  });
});

describe("conversations", () => {
  it("creates the customer's conversation with profile name, unread count, preview and window", async () => {
    const waId = "919800000001";
    const first = inbound({ from: waId, type: "text", text: { body: "Hi" }, timestamp: unixNow(-60) });
    const second = inbound({ from: waId, type: "text", text: { body: "Anyone there?" }, timestamp: unixNow() });
    await deliver(envelope(change({ messages: [first, second], profileName: "Anil" })));
    const conversation = await db().conversation.findFirstOrThrow({ where: { waId } });
    expect(conversation).toMatchObject({
      profileName: "Anil",
      unreadCount: 2,
      lastMessagePreview: "Anyone there?",
      lastInboundAt: new Date(Number(second.timestamp) * 1000),
      businessPhoneNumberId: TEST_PHONE_NUMBER_ID,
    });
  });

  it("links the conversation to the contact with that number", async () => {
    const workspaceId = (await db().whatsAppPhoneNumber.findUniqueOrThrow({ where: { phoneNumberId: TEST_PHONE_NUMBER_ID } })).workspaceId;
    const contact = await db().contact.create({ data: { workspaceId, name: "Known Customer", whatsappNumber: "+919800000002" } });
    await deliver(envelope(change({ messages: [inbound({ from: "919800000002", type: "text", text: { body: "Hello" } })] })));
    expect((await db().conversation.findFirstOrThrow({ where: { waId: "919800000002" } })).contactId).toBe(contact.id);
  });

  it("does not let a late re-delivery of an older message replace the preview", async () => {
    const waId = "919800000003";
    const newer = inbound({ from: waId, type: "text", text: { body: "newer" }, timestamp: unixNow() });
    const older = inbound({ from: waId, type: "text", text: { body: "older" }, timestamp: unixNow(-3600) });
    await deliver(envelope(change({ messages: [newer] })));
    await deliver(envelope(change({ messages: [older] })));
    expect((await db().conversation.findFirstOrThrow({ where: { waId } })).lastMessagePreview).toBe("newer");
  });

  it("mirrors each conversation to conversations/{workspace}/{phone}.json after the commit", async () => {
    const waId = "919800000004";
    const message = inbound({ from: waId, type: "text", text: { body: "Mirror me" } });
    await deliver(envelope(change({ messages: [message] })));
    await server.app.mirror.flush();
    const conversation = await db().conversation.findFirstOrThrow({ where: { waId } });
    const file = conversationFilePath(server.app.config.CONVERSATIONS_DIR, conversation.workspaceId, waId);
    expect(path.basename(file)).toBe(`${waId}.json`);
    const contents = JSON.parse(await readFile(file, "utf8")) as ConversationFile;
    expect(contents).toMatchObject({ workspaceId: conversation.workspaceId, phone: `+${waId}`, waId });
    expect(contents.messages).toEqual([
      expect.objectContaining({ wamid: message.id, direction: "inbound", type: "text", text: "Mirror me", status: "received" }),
    ]);
  });
});

describe("exactly once", () => {
  it("stores a re-delivered message once, however often Meta sends it", async () => {
    const message = inbound({ type: "text", text: { body: "once" } });
    const payload = envelope(change({ messages: [message] }));
    for (let delivery = 0; delivery < 3; delivery++) expect((await deliver(payload)).status).toBe(200);
    await Promise.all([deliver(payload), deliver(payload), deliver(payload)]);
    expect(await db().whatsAppMessage.count({ where: { wamid: message.id } })).toBe(1);
    const conversation = await db().conversation.findFirstOrThrow({ where: { waId: CUSTOMER.waId } });
    const unreadBefore = conversation.unreadCount;
    await deliver(payload);
    expect((await db().conversation.findUniqueOrThrow({ where: { id: conversation.id } })).unreadCount).toBe(unreadBefore);
  });

  it("stores concurrent deliveries, committed together, each message once with the right unread counts", async () => {
    const customers = ["919822200001", "919822200002", "919822200003"];
    const deliveries = Array.from({ length: 24 }, (_, index) =>
      envelope(
        change({
          messages: Array.from({ length: 5 }, (_, position) =>
            inbound({ from: customers[(index + position) % 3], timestamp: unixNow(-1000 + index * 5 + position), type: "text", text: { body: `burst ${index}.${position}` } }),
          ),
        }),
      ),
    );
    const answers = await Promise.all([...deliveries, deliveries[3]!].map((payload) => deliver(payload)));
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
    for (const waId of customers) {
      const conversation = await db().conversation.findFirstOrThrow({ where: { waId }, include: { _count: { select: { messages: true } } } });
      expect(conversation._count.messages).toBe(40);
      expect(conversation.unreadCount).toBe(40);
      const newest = await db().whatsAppMessage.findFirstOrThrow({ where: { conversationId: conversation.id }, orderBy: { timestamp: "desc" } });
      expect(conversation.lastMessagePreview).toBe(newest.preview);
    }
  });

  it("stores a message repeated within one batch once", async () => {
    const message = inbound({ type: "text", text: { body: "twice in one POST" } });
    await deliver(envelope(change({ messages: [message, message] })));
    expect(await db().whatsAppMessage.count({ where: { wamid: message.id } })).toBe(1);
  });
});

describe("delivery statuses", () => {
  async function outboundMessage() {
    const conversation = await db().conversation.findFirstOrThrow({ where: { waId: CUSTOMER.waId } });
    return db().whatsAppMessage.create({
      data: {
        workspaceId: conversation.workspaceId,
        conversationId: conversation.id,
        wamid: wamid(),
        direction: "OUTBOUND",
        type: "text",
        text: "Your order shipped",
        preview: "Your order shipped",
        status: "SENT",
        timestamp: new Date(),
      },
    });
  }
  const statusOf = async (id: string) => (await db().whatsAppMessage.findUniqueOrThrow({ where: { id } })).status;

  it("moves forward only, whatever order the statuses arrive in", async () => {
    const message = await outboundMessage();
    await deliver(envelope(change({ statuses: [status(message.wamid!, "read")] })));
    await deliver(envelope(change({ statuses: [status(message.wamid!, "delivered")] })));
    await deliver(envelope(change({ statuses: [status(message.wamid!, "sent")] })));
    expect(await statusOf(message.id)).toBe("READ");
  });

  it("keeps the code and title of a failure", async () => {
    const message = await outboundMessage();
    const failed = status(message.wamid!, "failed", {
      errors: [{ code: 131026, title: "Message undeliverable", error_data: { details: "Receiver is not on WhatsApp" } }],
    });
    await deliver(envelope(change({ statuses: [failed] })));
    expect(await db().whatsAppMessage.findUniqueOrThrow({ where: { id: message.id } })).toMatchObject({
      status: "FAILED",
      errorCode: 131026,
      errorTitle: "Message undeliverable",
      errorDetails: "Receiver is not on WhatsApp",
    });
  });

  it("records what Meta charges, even from a status that arrives late", async () => {
    const message = await outboundMessage();
    await deliver(envelope(change({ statuses: [status(message.wamid!, "delivered")] })));
    const pricing = { billable: true, pricing_model: "PMP", category: "utility" };
    await deliver(envelope(change({ statuses: [status(message.wamid!, "sent", { pricing } as Partial<StatusUpdate>)] })));
    expect(await db().whatsAppMessage.findUniqueOrThrow({ where: { id: message.id } })).toMatchObject({
      status: "DELIVERED",
      pricingCategory: "utility",
      pricingBillable: true,
      pricingModel: "PMP",
    });
  });

  it("keeps a status whose pricing it cannot read, without the pricing", async () => {
    const message = await outboundMessage();
    await deliver(envelope(change({ statuses: [status(message.wamid!, "read", { pricing: "free" } as unknown as Partial<StatusUpdate>)] })));
    expect(await db().whatsAppMessage.findUniqueOrThrow({ where: { id: message.id } })).toMatchObject({ status: "READ", pricingCategory: null });
  });

  it("keeps a status for an unknown message until that message is stored", async () => {
    const id = wamid();
    await deliver(envelope(change({ statuses: [status(id, "delivered")] })));
    expect(await db().pendingStatus.count({ where: { wamid: id } })).toBe(1);
  });

  it("applies a stranded status even behind many statuses of messages we never had, and forgets those after a week", async () => {
    const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);
    await db().pendingStatus.createMany({
      data: Array.from({ length: 150 }, () => ({ wamid: wamid(), status: "DELIVERED" as const, timestamp: minutesAgo(20), raw: "{}", createdAt: minutesAgo(20) })),
    });
    const ancient = await db().pendingStatus.create({ data: { wamid: wamid(), status: "READ", timestamp: minutesAgo(8 * 24 * 60), raw: "{}", createdAt: minutesAgo(8 * 24 * 60) } });
    const message = await outboundMessage();
    await db().pendingStatus.create({ data: { wamid: message.wamid!, status: "READ", timestamp: new Date(), raw: "{}", createdAt: minutesAgo(1) } });

    const changes = await applyStrandedPendingStatuses(db());
    expect(changes).toEqual([expect.objectContaining({ messageId: message.id, status: "READ" })]);
    expect(await statusOf(message.id)).toBe("READ");
    expect(await db().pendingStatus.count({ where: { id: ancient.id } })).toBe(0);
  });

  it("stores one delivery of 600 messages to existing conversations and 600 statuses: more than one statement's worth", async () => {
    const { workspaceId } = await db().conversation.findFirstOrThrow({ where: { waId: CUSTOMER.waId } });
    const waIds = Array.from({ length: 600 }, (_, index) => `9197300${String(index).padStart(5, "0")}`);
    await db().conversation.createMany({ data: waIds.map((waId) => ({ workspaceId, businessPhoneNumberId: TEST_PHONE_NUMBER_ID, waId, unreadCount: 2 })) });
    const conversations = await db().conversation.findMany({ where: { waId: { in: waIds } } });
    await db().whatsAppMessage.createMany({
      data: conversations.map((conversation, index) => ({
        workspaceId,
        conversationId: conversation.id,
        wamid: `wamid.large.${index}`,
        direction: "OUTBOUND" as const,
        type: "text",
        text: "Sale starts now",
        preview: "Sale starts now",
        status: "SENT" as const,
        timestamp: new Date(),
      })),
    });
    const answer = await deliver(
      envelope(
        change({
          messages: waIds.map((from) => inbound({ from, type: "text", text: { body: "Is it on?" } })),
          statuses: waIds.map((_, index) => status(`wamid.large.${index}`, "read")),
        }),
      ),
    );
    expect(answer.status).toBe(200);
    const after = await db().conversation.findMany({ where: { waId: { in: waIds } }, select: { unreadCount: true, lastMessagePreview: true } });
    expect(after.every((conversation) => conversation.unreadCount === 3 && conversation.lastMessagePreview === "Is it on?")).toBe(true);
    expect(await db().whatsAppMessage.count({ where: { wamid: { startsWith: "wamid.large." }, status: "READ" } })).toBe(600);
  });

  it("applies statuses of several messages in one batch", async () => {
    const [first, second] = [await outboundMessage(), await outboundMessage()];
    await deliver(envelope(change({ statuses: [status(first.wamid!, "delivered"), status(second.wamid!, "read"), status(first.wamid!, "read")] })));
    expect([await statusOf(first.id), await statusOf(second.id)]).toEqual(["READ", "READ"]);
  });
});

describe("routing by business number", () => {
  it("routes each change of a batch to the workspace owning its number", async () => {
    const other = await db().workspace.create({ data: { name: "Second business" } });
    await db().whatsAppPhoneNumber.create({ data: { phoneNumberId: "200000000000002", workspaceId: other.id } });
    const toUs = inbound({ from: "919811100001", type: "text", text: { body: "to us" } });
    const toThem = inbound({ from: "919811100001", type: "text", text: { body: "to them" } });
    await deliver(envelope(change({ messages: [toUs] }), change({ messages: [toThem], phoneNumberId: "200000000000002" })));
    expect((await db().whatsAppMessage.findUniqueOrThrow({ where: { wamid: toThem.id } })).workspaceId).toBe(other.id);
    expect((await db().whatsAppMessage.findUniqueOrThrow({ where: { wamid: toUs.id } })).workspaceId).not.toBe(other.id);
  });

  it("acknowledges a number no workspace owns and keeps it in the unrouted log, shown to no one", async () => {
    const message = inbound({ type: "text", text: { body: "lost?" } });
    const answer = await deliver(envelope(change({ messages: [message], phoneNumberId: "999999999999999" })));
    expect(answer.status).toBe(200);
    expect(await db().whatsAppMessage.count({ where: { wamid: message.id } })).toBe(0);
    const unrouted = await db().unroutedWebhook.findMany({ where: { phoneNumberId: "999999999999999" } });
    expect(unrouted).toHaveLength(1);
    expect(unrouted[0]!.payload).toContain(message.id);
  });
});

describe("durability", () => {
  it("answers 500 when the delivery cannot be stored, so that Meta retries, and stores none of it", async () => {
    const good = inbound({ type: "text", text: { body: "good" } });
    // A real database refusal in the middle of the batch: the whole transaction must roll back.
    const dropTrigger = await refuseInsertsOfText(db(), "poison");
    try {
      const poison = inbound({ type: "text", text: { body: "poison" } });
      const answer = await deliver(envelope(change({ messages: [good, poison] })));
      expect(answer.status).toBe(500);
      expect(await db().whatsAppMessage.count({ where: { wamid: { in: [good.id, poison.id] } } })).toBe(0);
    } finally {
      await dropTrigger();
    }
    expect((await deliver(envelope(change({ messages: [good] })))).status).toBe(200);
    expect(await db().whatsAppMessage.count({ where: { wamid: good.id } })).toBe(1);
  });

  it("stores the deliveries that shared a transaction with one that cannot be stored", async () => {
    const dropTrigger = await refuseInsertsOfText(db(), "poison");
    try {
      const goods = Array.from({ length: 12 }, (_, index) => inbound({ type: "text", text: { body: `neighbour ${index}` } }));
      const poison = inbound({ type: "text", text: { body: "poison" } });
      const payloads = goods.map((message) => envelope(change({ messages: [message] })));
      payloads.splice(6, 0, envelope(change({ messages: [poison] })));
      const answers = await Promise.all(payloads.map((payload) => deliver(payload)));
      expect(answers.map((answer) => answer.status)).toEqual(payloads.map((_, index) => (index === 6 ? 500 : 200)));
      expect(await db().whatsAppMessage.count({ where: { wamid: { in: goods.map((message) => message.id) } } })).toBe(goods.length);
      expect(await db().whatsAppMessage.count({ where: { wamid: poison.id } })).toBe(0);
    } finally {
      await dropTrigger();
    }
  });
});

/** A trigger that makes the database itself refuse a message, in either dialect. */
async function refuseInsertsOfText(database: Database, text: string) {
  if (providerOf(database) === "postgresql") {
    await database.$executeRawUnsafe(
      `CREATE FUNCTION refuse_marker() RETURNS trigger AS $$ BEGIN IF NEW.text = '${text}' THEN RAISE EXCEPTION 'disk full'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
    );
    await database.$executeRawUnsafe(`CREATE TRIGGER refuse_marker BEFORE INSERT ON "WhatsAppMessage" FOR EACH ROW EXECUTE FUNCTION refuse_marker()`);
    return async () => {
      await database.$executeRawUnsafe(`DROP TRIGGER refuse_marker ON "WhatsAppMessage"`);
      await database.$executeRawUnsafe(`DROP FUNCTION refuse_marker`);
    };
  }
  await database.$executeRawUnsafe(
    `CREATE TRIGGER refuse_marker BEFORE INSERT ON "WhatsAppMessage" WHEN NEW.text = '${text}' BEGIN SELECT RAISE(ABORT, 'disk full'); END`,
  );
  return async () => {
    await database.$executeRawUnsafe(`DROP TRIGGER refuse_marker`);
  };
}
