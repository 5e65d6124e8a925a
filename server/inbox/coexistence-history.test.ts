import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql, startTestServer, type TestServer } from "../tests/support/harness.ts";
import { deliverWebhook, WEBHOOK_ENV } from "../tests/support/webhook-client.ts";
import { appContacts, historyChunk, historyDeclined, historyMessage } from "../tests/support/coexistence-fixtures.ts";
import { envelope, change, inbound, TEST_PHONE_NUMBER_ID, wamid } from "../tests/support/webhook-fixtures.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer(WEBHOOK_ENV);
});
afterAll(() => server.stop());

const db = () => server.app.db;
const deliver = async (payload: unknown) => expect((await deliverWebhook(server, payload)).status).toBe(200);
const imported = () => server.app.historyImport.idle();
const DAY = 24 * 3600;
const now = () => Math.floor(Date.now() / 1000);

const IMPORT_QUERY = `query($id: String!) { historyImport(phoneNumberId: $id) { state phase progress chunks threads messages mediaWaiting mediaFetched mediaExpired errorCode errorTitle } }`;

describe("importing the WhatsApp Business app's chat history (history webhooks)", () => {
  it("imports every thread in both directions, at their own times and in order, read, without reopening or answering anything", async () => {
    await graphql(server, `mutation { createAutoReplyRule(input: { kind: GREETING, reply: "Namaste!" }) { __typename } }`);
    // A customer who wrote live before the import; their conversation was resolved since.
    const known = "919800000001";
    const live = inbound({ from: known, type: "text", text: { body: "Live hello" } });
    await deliver(envelope(change({ messages: [live] })));
    await server.app.autoReplies.idle();
    const conversation = await db().conversation.findFirstOrThrow({ where: { waId: known } });
    await db().conversation.update({ where: { id: conversation.id }, data: { status: "RESOLVED", resolvedAt: new Date(), unreadCount: 0 } });
    await db().whatsAppMessage.deleteMany({ where: { autoReply: { not: null } } });

    const other = "919800000002";
    const first = wamid();
    const second = wamid();
    const third = wamid();
    // Chunks may arrive out of order: the later one first.
    await deliver(
      historyChunk({
        phase: 1, chunkOrder: 2, progress: 60,
        threads: [{ id: other, messages: [historyMessage("business", other, third, now() - 3 * DAY, { type: "text", text: { body: "Delivered yesterday" } }, "DELIVERED")] }],
      }),
    );
    const older = historyChunk({
      phase: 1, chunkOrder: 1, progress: 40,
      threads: [
        {
          id: other,
          messages: [
            historyMessage("customer", other, first, now() - 5 * DAY, { type: "text", text: { body: "Do you ship to Pune?" } }),
            historyMessage("business", other, second, now() - 4 * DAY, { type: "text", text: { body: "Yes, in 2 days" } }),
          ],
        },
        // The live message again: stored once.
        { id: known, messages: [{ ...historyMessage("customer", known, live.id, Number(live.timestamp), { type: "text", text: { body: "Live hello" } }) }] },
      ],
    });
    await deliver(older);
    await deliver(older);
    await imported();

    const messages = await db().whatsAppMessage.findMany({ where: { conversation: { waId: other } }, orderBy: { timestamp: "asc" } });
    expect(messages.map((message) => [message.text, message.direction, message.status, message.fromBusinessApp === true, message.importedFrom])).toEqual([
      ["Do you ship to Pune?", "INBOUND", "RECEIVED", false, TEST_PHONE_NUMBER_ID],
      ["Yes, in 2 days", "OUTBOUND", "READ", true, TEST_PHONE_NUMBER_ID],
      ["Delivered yesterday", "OUTBOUND", "DELIVERED", true, TEST_PHONE_NUMBER_ID],
    ]);
    // Meta's device timestamps, to the second.
    expect(Math.abs(messages[0]!.timestamp.getTime() / 1000 - (now() - 5 * DAY))).toBeLessThan(5);
    const otherConversation = await db().conversation.findFirstOrThrow({ where: { waId: other } });
    expect(otherConversation.unreadCount).toBe(0);
    expect(otherConversation.lastMessagePreview).toBe("Delivered yesterday");
    expect(await db().whatsAppMessage.count({ where: { wamid: live.id } })).toBe(1);
    expect((await db().conversation.findUniqueOrThrow({ where: { id: conversation.id } })).status).toBe("RESOLVED");
    await server.app.autoReplies.idle();
    expect(await db().whatsAppMessage.count({ where: { autoReply: { not: null } } })).toBe(0);

    const state = await graphql(server, IMPORT_QUERY, { id: TEST_PHONE_NUMBER_ID });
    expect(state.data.historyImport).toMatchObject({ state: "IMPORTING", phase: 1, progress: 60, chunks: 2, threads: 1, messages: 3 });
    await db().autoReplyRule.deleteMany();
  });

  it("fills a media placeholder when Meta's follow-up arrives with the same message id, and counts media too old to come", async () => {
    const customer = "919800000003";
    const recent = wamid();
    const old = wamid();
    await deliver(
      historyChunk({
        phase: 2, chunkOrder: 1, progress: 100,
        threads: [{ id: customer, messages: [
          historyMessage("customer", customer, recent, now() - 2 * DAY, { type: "media_placeholder" }),
          historyMessage("customer", customer, old, now() - 100 * DAY, { type: "media_placeholder" }),
        ] }],
      }),
    );
    await imported();
    expect(await db().whatsAppMessage.findUniqueOrThrow({ where: { wamid: recent } })).toMatchObject({ preview: "[Media]", mediaState: "WAITING", mediaId: null });
    expect(await db().whatsAppMessage.findUniqueOrThrow({ where: { wamid: old } })).toMatchObject({ mediaState: "EXPIRED" });

    await deliver(
      historyChunk({
        phase: 2, chunkOrder: 2, progress: 100,
        threads: [{ id: customer, messages: [historyMessage("customer", customer, recent, now() - 2 * DAY, { type: "image", image: { id: "history-media-1", mime_type: "image/jpeg", caption: "The blue one" } })] }],
      }),
    );
    await imported();
    const filled = await db().whatsAppMessage.findUniqueOrThrow({ where: { wamid: recent } });
    expect(filled).toMatchObject({ type: "image", mediaId: "history-media-1", preview: "[Image] The blue one", text: "The blue one" });
    expect(filled.mediaState).not.toBe("WAITING");
    expect(await db().whatsAppMessage.count({ where: { wamid: recent } })).toBe(1);

    const state = await graphql(server, IMPORT_QUERY, { id: TEST_PHONE_NUMBER_ID });
    expect(state.data.historyImport).toMatchObject({ phase: 2, progress: 100, threads: 2, messages: 5, mediaExpired: 1 });
    expect(state.data.historyImport.mediaWaiting + state.data.historyImport.mediaFetched + state.data.historyImport.mediaExpired).toBe(2);
  });

  it("shows a declined history sharing as such", async () => {
    const number = await db().whatsAppPhoneNumber.findFirstOrThrow();
    await db().whatsAppPhoneNumber.create({ data: { workspaceId: number.workspaceId, phoneNumberId: "555000111222" } }).catch(() => undefined);
    await deliver(historyDeclined("555000111222"));
    await imported();
    const state = await graphql(server, IMPORT_QUERY, { id: "555000111222" });
    expect(state.data.historyImport).toMatchObject({ state: "DECLINED", errorCode: 2593109, errorTitle: "History sync is turned off by the business from the WhatsApp Business App", messages: 0 });
  });

  it("answers null for a number whose history never came", async () => {
    expect((await graphql(server, IMPORT_QUERY, { id: "999999999" })).data.historyImport).toBeNull();
  });
});

describe("the WhatsApp Business app's contacts (smb_app_state_sync)", () => {
  it("adds contacts, takes an edit as another add, and marks a removal without deleting the CRM's data", async () => {
    await deliver(appContacts([{ action: "add", phone: "+91 98111 00001", fullName: "Pablo Morales", firstName: "Pablo" }]));
    const added = await db().contact.findFirstOrThrow({ where: { whatsappNumber: "+919811100001" } });
    expect(added).toMatchObject({ name: "Pablo Morales", removedFromPhoneAt: null });
    await db().contact.update({ where: { id: added.id }, data: { notes: "Wholesale buyer" } });

    await deliver(appContacts([{ action: "add", phone: "919811100001", fullName: "Pablo M. (Pune)", userId: "IN.77001", username: "pablo_pune" }]));
    expect(await db().contact.findUniqueOrThrow({ where: { id: added.id } })).toMatchObject({ name: "Pablo M. (Pune)", whatsappUserId: "IN.77001", whatsappUsername: "pablo_pune", notes: "Wholesale buyer" });

    await deliver(appContacts([{ action: "remove", phone: "919811100001", timestamp: now() + 5 }]));
    const removed = await db().contact.findUniqueOrThrow({ where: { id: added.id } });
    expect(removed.removedFromPhoneAt).not.toBeNull();
    expect(removed.notes).toBe("Wholesale buyer");
    // An older add delivered late changes nothing.
    await deliver(appContacts([{ action: "add", phone: "919811100001", fullName: "Stale", timestamp: now() - 60 }]));
    expect(await db().contact.findUniqueOrThrow({ where: { id: added.id } })).toMatchObject({ name: "Pablo M. (Pune)" });
    expect((await db().contact.findUniqueOrThrow({ where: { id: added.id } })).removedFromPhoneAt).not.toBeNull();

    const answer = await graphql(server, `query($id: ID!) { contact(id: $id) { removedFromPhoneAt } }`, { id: added.id });
    expect(answer.data.contact.removedFromPhoneAt).not.toBeNull();
  });
});
