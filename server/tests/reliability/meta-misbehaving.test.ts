import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_API_TOKEN, startTestServer } from "../support/harness.ts";
import { eventually, startWithSimulator, type SimulatedWhatsApp } from "../support/simulated-whatsapp.ts";
import { WEBHOOK_ENV } from "../support/webhook-client.ts";
import { change, envelope, inbound, TEST_APP_SECRET } from "../support/webhook-fixtures.ts";
import { signPayload } from "../../whatsapp/signature.ts";

// Meta as it behaves on a bad day, played by our simulator: slow, failing, rate limiting,
// repeating and reordering its webhooks, then flooding us. Whatever it does, every outgoing
// message ends delivered exactly once or failed with Meta's reason, and nothing received is lost.

const CUSTOMER = "919822200001";
const MESSAGES_PER_ROUND = 15;

let whatsapp: SimulatedWhatsApp;
beforeAll(async () => {
  // The timeout is long enough that only the forced ones hit it, even on a loaded machine: a send
  // that times out on our side may still have reached Meta, and then its retry delivers twice
  // (Meta has no idempotency key; README, "Never lost, never twice").
  whatsapp = await startWithSimulator({ OUTBOX_RETRY_BASE_MS: "50", WHATSAPP_API_TIMEOUT_MS: "2000", OUTBOX_MAX_ATTEMPTS: "8" });
});
afterAll(() => whatsapp.stop());

const db = () => whatsapp.server.app.db;

function send(body: Record<string, unknown>) {
  return fetch(`${whatsapp.server.url}/api/whatsapp/send`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_API_TOKEN}` },
    body: JSON.stringify(body),
  }).then(async (response) => ({ status: response.status, body: (await response.json()) as { id?: string; messageId?: string | null } }));
}

/** Sends a round of messages while Meta misbehaves; each is repeated, as a client retrying would. */
async function sendRound(round: string) {
  const bodies = Array.from({ length: MESSAGES_PER_ROUND }, (_, index) => ({
    phoneNumber: `+${CUSTOMER}`,
    message: `${round} #${index}`,
    idempotencyKey: `${round}-${index}`,
  }));
  const answers = await Promise.all(bodies.map(send));
  const repeated = await Promise.all(bodies.map(send));
  return { bodies, answers, repeated };
}

describe("Meta misbehaving", () => {
  it("ends every outgoing message sent, delivered or read exactly once, or failed with Meta's reason, through timeouts, 5xx, 130429 bursts and doubled or reordered statuses", async () => {
    const { simulator } = whatsapp;
    expect((await simulator.sendInbound({ from: CUSTOMER, type: "text", text: "Where is my order?" })).httpStatus).toBe(200);

    const queue = () => {
      simulator.forceFailures({ kind: "timeout", hangMs: 2100, count: 2 });
      simulator.forceFailures({ kind: "http", status: 500, count: 3 });
      simulator.forceFailures({ kind: "http", status: 503, count: 1 });
      simulator.forceFailures({ kind: "meta", code: 130429, count: 8 });
      simulator.forceFailures({ kind: "meta", code: 131026, count: 2 });
      simulator.forceFailures({ kind: "meta", code: 131000, count: 2 });
    };
    simulator.configure({ statusMode: "duplicate" });
    queue();
    const first = await sendRound("doubled statuses");
    simulator.configure({ statusMode: "reorder" });
    queue();
    const second = await sendRound("reordered statuses");

    const rounds = [first, second];
    for (const { answers, repeated } of rounds) {
      // 200 sent, 202 queued for a retry, 502 refused for good; a repeat answers the same message.
      for (const answer of answers) expect([200, 202, 502]).toContain(answer.status);
      expect(repeated.map((answer) => answer.body.id)).toEqual(answers.map((answer) => answer.body.id));
    }
    const ids = rounds.flatMap(({ answers }) => answers.map((answer) => answer.body.id!));
    expect(new Set(ids).size).toBe(2 * MESSAGES_PER_ROUND);

    const settled = await eventually(
      async () => {
        const rows = await db().whatsAppMessage.findMany({ where: { id: { in: ids } } });
        return rows.every((row) => row.status === "READ" || row.status === "FAILED") && rows;
      },
      "every message to be read or failed",
      20_000,
    );
    expect(await db().whatsAppMessage.count({ where: { direction: "OUTBOUND" } })).toBe(2 * MESSAGES_PER_ROUND);

    const accepted = simulator.sentMessages();
    for (const row of settled) {
      const copies = accepted.filter((message) => message.body === row.text);
      if (row.status === "FAILED") {
        expect(row, row.text!).toMatchObject({ errorCode: expect.any(Number), errorTitle: expect.stringMatching(/\w/) });
        expect(copies, row.text!).toHaveLength(0);
      } else {
        expect(copies, row.text!).toHaveLength(1);
        expect(row.wamid).toBe(copies[0]!.wamid);
      }
    }
    // The final refusals (131026) failed their messages at once; the rest got through.
    expect(settled.filter((row) => row.status === "FAILED").map((row) => row.errorCode)).toEqual([131026, 131026, 131026, 131026]);
    // A status that overtook its send's answer is kept pending; on PostgreSQL it can be stored just
    // after the send's commit looked for it, and the outbox applies it once it is 5 s old.
    await eventually(async () => (await db().pendingStatus.count()) === 0, "every early status to be applied", 10_000);
  }, 40_000);

  it("stores every signed delivery of a storm at once, exactly once, while forged ones in the same storm get 401/403 and then 429 with Retry-After", async () => {
    const stormy = await startWithSimulator(
      { WEBHOOK_RATE_LIMIT_PER_MINUTE: "600" },
      // Meta keeps re-delivering (for days); here every 300 ms, up to 60 times.
      { webhookRetryDelaysMs: Array.from({ length: 60 }, () => 300) },
    );
    const post = (body: string, signature: string | null) =>
      fetch(`${stormy.server.url}/api/whatsapp/webhook`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(signature ? { "x-hub-signature-256": signature } : {}) },
        body,
      });
    try {
      // Three storms at once: 30 signed deliveries in the same instant, 30 more from the simulated
      // Meta, and 60 forgeries (unsigned, or signed with another secret) from the same address.
      const burst = Array.from({ length: 30 }, (_, index) => inbound({ from: "919822200002", type: "text", text: { body: `burst ${index}` } }));
      const bodies = burst.map((message) => JSON.stringify(envelope(change({ messages: [message] }))));
      const forged = (index: number) => {
        const body = JSON.stringify(envelope(change({ messages: [inbound({ from: "919822200003", type: "text", text: { body: `forged ${index}` } })] })));
        return post(body, index % 2 === 0 ? null : signPayload(body, "not-the-app-secret"));
      };
      const [firstAnswers, forgedAnswers, fromMeta] = await Promise.all([
        Promise.all(bodies.map((body) => post(body, signPayload(body, TEST_APP_SECRET)))),
        Promise.all(Array.from({ length: 60 }, (_, index) => forged(index))),
        Promise.all(
          Array.from({ length: 30 }, (_, index) => stormy.simulator.sendInbound({ from: "919822200002", type: "text", text: `storm ${index}` })),
        ),
      ]);
      expect(firstAnswers.map((answer) => answer.status)).toEqual(bodies.map(() => 200));
      expect(fromMeta.map((delivery) => delivery.httpStatus)).toEqual(fromMeta.map(() => 200));
      expect(new Set(forgedAnswers.map((answer) => answer.status))).toEqual(new Set([401, 403, 429]));
      const limited = forgedAnswers.find((answer) => answer.status === 429)!;
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(await limited.json()).toMatchObject({ success: false, error: expect.stringMatching(/^Too many/) });

      const wamids = [...burst.map((message) => message.id), ...fromMeta.map((delivery) => delivery.wamid)];
      const { db: stormyDb } = stormy.server.app;
      await eventually(
        async () => (await stormyDb.whatsAppMessage.count({ where: { wamid: { in: wamids } } })) === wamids.length,
        "every message of the storm to be stored",
        25_000,
      );
      expect(await stormyDb.whatsAppMessage.count({ where: { direction: "INBOUND" } })).toBe(60);
      expect((await stormyDb.conversation.findFirstOrThrow({ where: { waId: "919822200002" } })).unreadCount).toBe(60);
      expect(await stormyDb.conversation.count({ where: { waId: "919822200003" } })).toBe(0);
      expect(stormy.simulator.webhookAttempts().filter((attempt) => attempt.httpStatus !== 200)).toEqual([]);
    } finally {
      await stormy.stop();
    }
  }, 40_000);

  it("says WhatsApp is unavailable, not that something unexpected happened, when Meta cannot be reached for templates", async () => {
    const cutOff = await startTestServer({ ...WEBHOOK_ENV, NODE_ENV: "production", WHATSAPP_API_BASE_URL: "http://127.0.0.1:9" });
    try {
      const response = await fetch(`${cutOff.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_API_TOKEN}` },
        body: JSON.stringify({ query: "{ whatsappTemplates { name } }" }),
      });
      const answer = (await response.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
      expect(answer.errors[0]).toMatchObject({ message: expect.stringMatching(/^WhatsApp's templates cannot be listed right now/), extensions: { code: "WHATSAPP_UNAVAILABLE" } });
    } finally {
      await cutOff.stop();
    }
  });
});
