// Messages from customers without a visible number that earlier versions could not read were
// kept in the unrouted log: the replay stores them now, once, whatever format the row is in.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../tests/support/harness.ts";
import { WEBHOOK_ENV } from "../tests/support/webhook-client.ts";
import { TEST_PHONE_NUMBER_ID, unixNow, wamid } from "../tests/support/webhook-fixtures.ts";
import { replayUnroutedWebhooks } from "./replay-unrouted.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer(WEBHOOK_ENV);
});
afterAll(() => server.stop());
const db = () => server.app.db;

/** A phone-less customer's text, as Meta sends it (no `from`; early drafts sent ""). */
const phoneLessText = (userId: string, body: string, from?: string) => ({
  ...(from === undefined ? {} : { from }),
  from_user_id: userId,
  id: wamid(),
  timestamp: unixNow(),
  type: "text",
  text: { body },
});

const keep = (payload: unknown, phoneNumberId = TEST_PHONE_NUMBER_ID) =>
  db().unroutedWebhook.create({ data: { phoneNumberId, payload: JSON.stringify(payload) } });

describe("npm run webhooks:replay-unrouted", () => {
  it("stores phone-less messages kept in either row format, once, leaving what it still cannot read", async () => {
    const userId = "IN.4471502576394655";
    // Written by older versions: Meta's message itself.
    const legacy = phoneLessText(userId, "kept by an older version", "");
    // The current format: the parsed event, Meta's object under raw.
    const current = phoneLessText(userId, "kept as an event");
    const garbage = { kind: "unreadable", phoneNumberId: TEST_PHONE_NUMBER_ID, reason: "x", raw: { id: wamid(), type: "text" } };
    const elsewhere = phoneLessText("IN.99", "for a number nobody owns");
    await keep(legacy);
    await keep({ kind: "unreadable", phoneNumberId: TEST_PHONE_NUMBER_ID, reason: "from: must be digits", raw: current });
    await keep(garbage);
    await keep(elsewhere, "999000111");

    const first = await replayUnroutedWebhooks(db());
    expect(first).toMatchObject({ replayed: 2, stored: 2, kept: 2 });
    const conversation = await db().conversation.findFirstOrThrow({
      where: { workspaceId: (await db().workspace.findFirstOrThrow()).id, userId },
      include: { messages: { orderBy: { timestamp: "asc" } } },
    });
    expect(conversation.waId).toBeNull();
    expect(conversation.messages.map((message) => message.text).sort()).toEqual(["kept as an event", "kept by an older version"]);
    expect(first.conversationIds).toEqual(new Set([conversation.id]));

    const second = await replayUnroutedWebhooks(db());
    expect(second).toMatchObject({ replayed: 0, stored: 0, kept: 2 });
    expect(await db().whatsAppMessage.count({ where: { conversationId: conversation.id } })).toBe(2);
    expect(await db().unroutedWebhook.count()).toBe(2);
  });
});
