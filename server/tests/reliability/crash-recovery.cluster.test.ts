import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { createDatabase, type Database } from "../../db/client.ts";
import { createSimulator, type Simulator } from "../../simulator/simulator.ts";
import { ADMIN_API_TOKEN } from "../support/harness.ts";
import { SIMULATOR_TOKEN } from "../support/simulated-whatsapp.ts";
import { change, envelope, inbound, TEST_APP_SECRET, TEST_PHONE_NUMBER_ID, TEST_WABA_ID } from "../support/webhook-fixtures.ts";
import type { InboundMessage, StatusUpdate } from "../../whatsapp/webhook.ts";
import { signPayload } from "../../whatsapp/signature.ts";
import { serverEnvironment, startServerProcess, type ServerProcess } from "../support/server-process.ts";

// Meta's side of the bargain: it re-delivers any webhook not answered 200. Ours: whatever was
// answered 200 is stored, once, even when the process is killed at the worst moment.
const MESSAGES = 5000;
const CUSTOMERS = 40;
/** Outgoing messages (sent before the crashes) whose statuses arrive among the messages. */
const OUTBOUND = 40;
/** Kills while webhooks are in flight, at random points of the run; one more after the last 200. */
const KILLS_DURING_RUN = 3;
/** Webhook POSTs in flight at once, as Meta sends them. */
const CONCURRENCY = 4;
/** The whole run stops by itself after this long. */
const DEADLINE_MS = 150_000;

const STATUS_RANK = { sent: 1, failed: 2, delivered: 3, read: 4 } as const;
type Reported = keyof typeof STATUS_RANK;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const random = (below: number) => Math.floor(Math.random() * below);
const waIdOf = (customer: number) => `9198700${String(customer).padStart(5, "0")}`;

interface Batch {
  id: number;
  body: string;
  messages: InboundMessage[];
  statuses: StatusUpdate[];
  acknowledged: boolean;
}

/** 5,000 messages from 40 customers, with the outgoing messages' statuses (duplicated, out of order) mixed in. */
function planBatches(outboundWamids: string[]): { batches: Batch[]; expectedStatus: Map<string, Reported> } {
  const startSeconds = Math.floor(Date.now() / 1000) - 2 * MESSAGES;
  const messages: InboundMessage[] = Array.from({ length: MESSAGES }, (_, index) => ({
    from: waIdOf(index % CUSTOMERS),
    id: `wamid.CRASH${String(index).padStart(6, "0")}${Math.random().toString(36).slice(2, 10)}`,
    timestamp: String(startSeconds + index),
    type: "text",
    text: { body: `Message ${index}: नमस्ते <b>"stored verbatim"</b>; DROP TABLE "WhatsAppMessage";--` },
  }));
  const statuses: StatusUpdate[] = [];
  const expectedStatus = new Map<string, Reported>();
  for (const wamid of outboundWamids) {
    const reports: Reported[] = Array.from({ length: 1 + random(4) }, () => (["sent", "delivered", "read", "failed"] as const)[random(4)]);
    expectedStatus.set(wamid, reports.reduce((best, next) => (STATUS_RANK[next] > STATUS_RANK[best] ? next : best), "sent" as Reported));
    for (const report of reports) {
      statuses.push({
        id: wamid,
        status: report,
        timestamp: String(startSeconds + random(MESSAGES)),
        recipient_id: "0",
        ...(report === "failed" ? { errors: [{ code: 131026, title: "Message undeliverable" }] } : {}),
      });
    }
  }
  statuses.sort(() => Math.random() - 0.5);

  const batches: Batch[] = [];
  for (let next = 0; next < messages.length; ) {
    const size = 1 + random(20);
    const batchMessages = messages.slice(next, next + size);
    next += size;
    const batchStatuses = statuses.splice(0, random(3));
    const body = JSON.stringify(envelope(change({ messages: batchMessages, statuses: batchStatuses.length ? batchStatuses : undefined })));
    batches.push({ id: batches.length, body, messages: batchMessages, statuses: batchStatuses, acknowledged: false });
  }
  batches.at(-1)!.statuses.push(...statuses.splice(0));
  const last = batches.at(-1)!;
  last.body = JSON.stringify(envelope(change({ messages: last.messages, statuses: last.statuses })));
  return { batches, expectedStatus };
}

/** One signed webhook POST, as Meta sends it; null when there was no answer. */
function postWebhook(url: string, body: string): Promise<number | null> {
  return fetch(`${url}/api/whatsapp/webhook`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-hub-signature-256": signPayload(body, TEST_APP_SECRET) },
    body,
    signal: AbortSignal.timeout(15_000),
  }).then((response) => response.status, () => null);
}

/** Every file under `dir` (dot files aside), by relative path, with its contents. */
function readTree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name.startsWith(".")) continue;
    const file = path.join(entry.parentPath, entry.name);
    files.set(path.relative(dir, file), readFileSync(file, "utf8"));
  }
  return files;
}

const dir = mkdtempSync(path.join(tmpdir(), "bharat-crash-"));
let simulator: Simulator | null = null;
let server: ServerProcess | null = null;
let db: Database | null = null;
afterAll(async () => {
  await server?.kill("SIGKILL");
  await simulator?.stop();
  await db?.$disconnect();
  rmSync(dir, { recursive: true, force: true });
});

describe("no acknowledged message is lost", () => {
  it(
    "keeps every webhook answered 200 exactly once, with the highest status, across SIGKILLs at random moments; the live files equal a rebuild",
    async () => {
      const started = Date.now();
      simulator = createSimulator({
        token: SIMULATOR_TOKEN,
        phoneNumberId: TEST_PHONE_NUMBER_ID,
        businessAccountId: TEST_WABA_ID,
        appSecret: TEST_APP_SECRET,
        webhookUrl: "http://127.0.0.1:9/not-started-yet",
        messagesPerSecond: 1000,
        // The test plays Meta's status webhooks itself, mixed into the batches.
        statusMode: "drop",
      });
      const simulatorUrl = await simulator.start(0, "127.0.0.1");
      const env = await serverEnvironment(dir, {
        WHATSAPP_TOKEN: SIMULATOR_TOKEN,
        WHATSAPP_API_BASE_URL: simulatorUrl,
        WHATSAPP_SEND_RATE_PER_SECOND: "1000",
        WHATSAPP_API_TIMEOUT_MS: "15000",
        WEBHOOK_RATE_LIMIT_PER_MINUTE: "600000",
      });
      simulator.configure({ webhookUrl: `http://127.0.0.1:${env.PORT}/api/whatsapp/webhook` });
      server = await startServerProcess(env);

      // Before the crashes: every customer has written, and agents have replied.
      const hello = Array.from({ length: CUSTOMERS }, (_, customer) => inbound({ from: waIdOf(customer), type: "text", text: { body: "Hello" } }));
      expect((await postWebhook(server.url, JSON.stringify(envelope(change({ messages: hello })))))).toBe(200);
      for (let customer = 0; customer < CUSTOMERS; customer++) simulator.setCustomer(waIdOf(customer), { lastInboundHoursAgo: 0 });
      const outboundWamids: string[] = [];
      for (let index = 0; index < OUTBOUND; index += 8) {
        const answers = await Promise.all(
          Array.from({ length: 8 }, (_, offset) =>
            fetch(`${server!.url}/api/whatsapp/send`, {
              method: "POST",
              headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_API_TOKEN}` },
              body: JSON.stringify({ phoneNumber: `+${waIdOf((index + offset) % CUSTOMERS)}`, message: `Reply ${index + offset}` }),
            }).then((response) => response.json() as Promise<{ messageId: string }>),
          ),
        );
        outboundWamids.push(...answers.map((answer) => answer.messageId));
      }
      expect(outboundWamids.every((wamid) => /^wamid\./.test(wamid))).toBe(true);

      const { batches, expectedStatus } = planBatches(outboundWamids);
      const queue = [...batches];
      let acknowledged = 0;
      let kills = 0;
      let restarting: Promise<void> | null = null;
      const killPoints = Array.from({ length: KILLS_DURING_RUN }, () => Math.floor(batches.length * (0.1 + 0.8 * Math.random()))).sort((a, b) => a - b);

      const crashAndRestart = () => {
        if (restarting) return restarting;
        kills++;
        restarting = (async () => {
          await sleep(random(30));
          await server!.kill("SIGKILL");
          server = await startServerProcess(env);
        })().finally(() => (restarting = null));
        return restarting;
      };

      // Meta: POSTs each batch until it is answered 200; anything else, or no answer, is retried.
      async function deliver() {
        while (queue.length > 0 && Date.now() - started < DEADLINE_MS) {
          await restarting;
          const batch = queue.shift()!;
          const status = await postWebhook(server!.url, batch.body);
          if (status !== 200) {
            queue.push(batch);
            if (status === null) await (restarting ?? sleep(20));
            continue;
          }
          batch.acknowledged = true;
          acknowledged++;
          // Not while a restart is under way: two points that close would make one kill, not two.
          if (killPoints.length > 0 && acknowledged >= killPoints[0]! && !restarting) {
            killPoints.shift();
            void crashAndRestart();
          }
        }
      }
      await Promise.all(Array.from({ length: CONCURRENCY }, deliver));
      expect(batches.filter((batch) => !batch.acknowledged).length).toBe(0);

      // The worst moment for the files: right after the last 200, before they could be written.
      await crashAndRestart();
      expect(kills).toBeGreaterThanOrEqual(KILLS_DURING_RUN + 1);
      // A clean stop then flushes the mirror.
      expect(await server.kill("SIGTERM")).toEqual({ code: 0, signal: null });

      db = createDatabase(env.DATABASE_URL!);
      const sentWamids = batches.flatMap((batch) => batch.messages.map((message) => message.id));
      const stored = await db.whatsAppMessage.findMany({ where: { direction: "INBOUND" }, select: { wamid: true, text: true, conversationId: true } });
      expect(stored).toHaveLength(MESSAGES + CUSTOMERS);
      const storedText = new Map(stored.map((message) => [message.wamid!, message.text]));
      const sentText = new Map(batches.flatMap((batch) => batch.messages.map((message) => [message.id, message.text!.body] as const)));
      expect(sentWamids.filter((wamid) => storedText.get(wamid) !== sentText.get(wamid))).toEqual([]);

      // Counted once too: each conversation's unread count is its number of customer messages.
      const conversations = await db.conversation.findMany({ include: { _count: { select: { messages: { where: { direction: "INBOUND" } } } } } });
      expect(conversations).toHaveLength(CUSTOMERS);
      expect(conversations.filter((conversation) => conversation.unreadCount !== conversation._count.messages)).toEqual([]);

      const outbound = await db.whatsAppMessage.findMany({ where: { direction: "OUTBOUND" }, select: { wamid: true, status: true } });
      expect(Object.fromEntries(outbound.map((message) => [message.wamid, message.status.toLowerCase()]))).toEqual(Object.fromEntries(expectedStatus));
      expect(await db.pendingStatus.count()).toBe(0);

      // The files written live equal a rebuild from the database.
      const rebuiltDir = path.join(dir, "rebuilt");
      await promisify(execFile)("npm", ["run", "--silent", "conversations:rebuild"], {
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env, CONVERSATIONS_DIR: rebuiltDir },
      });
      const live = readTree(env.CONVERSATIONS_DIR!);
      const rebuilt = readTree(rebuiltDir);
      expect(rebuilt.size).toBe(CUSTOMERS);
      expect([...live.keys()].filter((file) => !file.endsWith(".json"))).toEqual([]);
      expect([...live.keys()].sort()).toEqual([...rebuilt.keys()].sort());
      expect([...live].filter(([file, contents]) => rebuilt.get(file) !== contents).map(([file]) => file)).toEqual([]);
      console.log(`crash test: ${batches.length} webhook POSTs, ${kills} SIGKILLs, ${((Date.now() - started) / 1000).toFixed(1)} s`);
    },
    210_000,
  );
});
