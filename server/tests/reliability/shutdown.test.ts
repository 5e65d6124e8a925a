import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createClient, type Client } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createDatabase, type Database } from "../../db/client.ts";
import { createSimulator, type Simulator } from "../../simulator/simulator.ts";
import { conversationFilePath, type ConversationFile } from "../../storage/conversation-files.ts";
import { ADMIN_API_TOKEN } from "../support/harness.ts";
import { eventually, SIMULATOR_TOKEN } from "../support/simulated-whatsapp.ts";
import { change, envelope, inbound, TEST_APP_SECRET, TEST_PHONE_NUMBER_ID, TEST_WABA_ID } from "../support/webhook-fixtures.ts";
import { signPayload } from "../../whatsapp/signature.ts";
import { serverEnvironment, startServerProcess, type ServerProcess } from "../support/server-process.ts";

const CUSTOMER = "919811000001";
const BATCH_SIZE = 50;
/** How long the simulated Meta takes to answer the send under way. */
const SLOW_SEND_MS = 2000;

let dir: string;
let simulator: Simulator;
let server: ServerProcess;
let env: Record<string, string>;
let db: Database | null = null;
let subscriber: Client | null = null;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "bharat-shutdown-"));
  simulator = createSimulator({
    token: SIMULATOR_TOKEN,
    phoneNumberId: TEST_PHONE_NUMBER_ID,
    businessAccountId: TEST_WABA_ID,
    appSecret: TEST_APP_SECRET,
    webhookUrl: "http://127.0.0.1:9/not-started-yet",
    statusMode: "drop",
  });
  const simulatorUrl = await simulator.start(0, "127.0.0.1");
  // debug: the test waits for the webhook request's own log line, and requests are logged at debug.
  env = await serverEnvironment(dir, { WHATSAPP_TOKEN: SIMULATOR_TOKEN, WHATSAPP_API_BASE_URL: simulatorUrl, WHATSAPP_API_TIMEOUT_MS: "10000", LOG_LEVEL: "debug" });
  simulator.configure({ webhookUrl: `http://127.0.0.1:${env.PORT}/api/whatsapp/webhook` });
  server = await startServerProcess(env);
}, 40_000);

afterAll(async () => {
  await subscriber?.dispose();
  await server?.kill("SIGKILL");
  await simulator?.stop();
  await db?.$disconnect();
  rmSync(dir, { recursive: true, force: true });
});

/** A graphql-ws subscriber; resolves with the code of the close frame the server sends. */
async function subscribe(url: string) {
  let closed: (code: number) => void = () => {};
  const closeCode = new Promise<number>((resolve) => (closed = resolve));
  let connected: () => void = () => {};
  const isConnected = new Promise<void>((resolve) => (connected = resolve));
  subscriber = createClient({
    url: `${url.replace(/^http/, "ws")}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${ADMIN_API_TOKEN}` },
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => {},
    on: { connected: () => connected(), closed: (event) => closed((event as { code: number }).code) },
  });
  subscriber.subscribe({ query: "subscription { messageAdded { id } }" }, { next: () => {}, error: () => {}, complete: () => {} });
  await isConnected;
  return { closeCode };
}

/**
 * A signed webhook whose body is sent in two halves: the server is reading it — the request is
 * truly in flight — until `finish()` sends the rest.
 */
function deliverInTwoHalves(url: string, count: number) {
  const messages = Array.from({ length: count }, (_, index) => inbound({ from: CUSTOMER, type: "text", text: { body: `in flight ${index}` } }));
  const bytes = new TextEncoder().encode(JSON.stringify(envelope(change({ messages }))));
  const half = Math.floor(bytes.length / 2);
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  controller.enqueue(bytes.slice(0, half));
  const answer = fetch(`${url}/api/whatsapp/webhook`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-hub-signature-256": signPayload(Buffer.from(bytes), TEST_APP_SECRET) },
    body,
    duplex: "half",
  } as RequestInit).then((response) => ({ status: response.status, at: performance.now() }));
  return {
    answer,
    finish() {
      controller.enqueue(bytes.slice(half));
      controller.close();
    },
  };
}

const wrote = (process: ServerProcess, text: string) => eventually(async () => process.output().includes(text), `the server to write "${text}"`, 10_000);

describe("graceful shutdown (SIGTERM to the server process)", () => {
  it("stops accepting, finishes the webhook and the send under way, closes sockets with 1001, writes the files and exits 0", async () => {
    expect((await simulator.sendInbound({ from: CUSTOMER, name: "Asha", type: "text", text: "Hello" })).httpStatus).toBe(200);
    const { closeCode } = await subscribe(server.url);

    simulator.forceFailures({ kind: "slow", delayMs: SLOW_SEND_MS });
    const send = fetch(`${server.url}/api/whatsapp/send`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_API_TOKEN}` },
      body: JSON.stringify({ phoneNumber: `+${CUSTOMER}`, message: "Sent while shutting down" }),
    }).then(async (response) => ({ status: response.status, body: await response.json(), at: performance.now() }));
    const webhook = deliverInTwoHalves(server.url, BATCH_SIZE);
    // Both under way: the webhook's body half read, the send's row claimed for its attempt at Meta.
    db = createDatabase(env.DATABASE_URL!);
    await wrote(server, `"url":"/api/whatsapp/webhook"`);
    await eventually(async () => (await db!.whatsAppMessage.count({ where: { direction: "OUTBOUND", lockedUntil: { not: null } } })) === 1, "the send's attempt to start");

    const sigtermAt = performance.now();
    const exit = server.kill("SIGTERM");
    await wrote(server, "SIGTERM: shutting down");
    // At once: long before the slow send under way is answered.
    await eventually(
      async () => ["refused", 503].includes(await fetch(`${server.url}/healthz`).then((response) => response.status, () => "refused")),
      "new requests to be refused",
      SLOW_SEND_MS / 2,
    );
    webhook.finish();

    const [sent, stored] = await Promise.all([send, webhook.answer]);
    expect(Math.min(sent.at, stored.at)).toBeGreaterThan(sigtermAt);
    expect(sent).toMatchObject({ status: 200, body: { success: true, messageId: expect.stringMatching(/^wamid\./) } });
    expect(stored.status).toBe(200);
    expect(await closeCode).toBe(1001);
    expect(await exit).toEqual({ code: 0, signal: null });

    const conversation = await db!.conversation.findFirstOrThrow({ where: { waId: CUSTOMER } });
    expect(await db!.whatsAppMessage.count({ where: { conversationId: conversation.id, direction: "INBOUND" } })).toBe(BATCH_SIZE + 1);
    const outbound = await db!.whatsAppMessage.findFirstOrThrow({ where: { conversationId: conversation.id, direction: "OUTBOUND" } });
    expect(outbound).toMatchObject({ status: "SENT", wamid: sent.body.messageId });
    expect(simulator.sentMessages().filter((message) => message.body === "Sent while shutting down")).toHaveLength(1);

    const file = conversationFilePath(env.CONVERSATIONS_DIR!, conversation.workspaceId, CUSTOMER);
    const mirrored = JSON.parse(readFileSync(file, "utf8")) as ConversationFile;
    expect(mirrored.messages).toHaveLength(BATCH_SIZE + 2);
    expect(mirrored.messages.find((message) => message.direction === "outbound")).toMatchObject({ status: "sent", wamid: sent.body.messageId });
  }, 30_000);
});
