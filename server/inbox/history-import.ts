/**
 * The import of the WhatsApp Business app's chat history (coexistence: Meta's `history`
 * webhooks). A bulk path beside the live one: the webhook only captures each change (a row per
 * chunk, kept once however often Meta delivers it) and is answered at once; a worker then imports
 * the chunks in batches, each batch one transaction through the live path's own statements
 * (storeNewMessages: the same deduplication by wamid, the same conversation matching) — but
 * imported messages are read already, reopen nothing, fire no auto-reply, and each batch
 * announces each conversation it touched once. Media placeholders are filled when Meta's
 * follow-up arrives with the same message id, and downloaded by the media worker.
 */
import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { v7 as uuidv7 } from "uuid";
import type { Database } from "../db/client.ts";
import { providerOf } from "../db/client.ts";
import { driverTransaction, queryChunks, type DriverTransaction } from "../db/driver-transaction.ts";
import { isUniqueViolation } from "../db/unique-violation.ts";
import { sqlValues } from "../db/sql-values.ts";
import { serializedWrite } from "../db/write-queue.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { MessageStatus } from "../generated/prisma/enums.ts";
import type { Logger } from "../logger.ts";
import type { WorkspaceEvent } from "../realtime/events.ts";
import { publishInboxEvents, type InboxPubSub } from "../realtime/pubsub.ts";
import { HISTORY_MEDIA_WINDOW_MS, readHistory, splitHistory, type HistoryChunk, type HistoryMessage } from "../whatsapp/history.ts";
import type { HistoryEvent } from "../whatsapp/webhook-events.ts";
import type { IngestResult } from "./ingest.ts";
import { storeNewMessages, type NewMessage } from "./ingest-messages.ts";
import { contentColumns } from "./message-content.ts";

/** A placeholder's media until Meta's follow-up names it (`WhatsAppMessage.mediaState`). */
export const MEDIA_WAITING = "WAITING";

export interface HistoryImportOptions {
  /** Messages per transaction: larger is faster, smaller lets live webhooks in sooner. @default 500 */
  batchSize: number;
  /** How often an idle worker looks for chunks another instance captured. @default 1_000 ms */
  pollIntervalMs: number;
  /** A claimed chunk is another worker's again after this long (a crashed import). @default 300_000 ms */
  leaseMs: number;
}

export const DEFAULT_HISTORY_IMPORT_OPTIONS: HistoryImportOptions = { batchSize: 500, pollIntervalMs: 1_000, leaseMs: 300_000 };

export interface HistoryImportDependencies {
  db: Database;
  pubsub: InboxPubSub;
  logger: Logger;
  mirror: { schedule(conversationId: string): void };
}

export interface HistoryImporter {
  /** Keeps a workspace's history changes until imported; call before answering Meta. */
  capture(workspaceId: string, events: readonly HistoryEvent[]): Promise<void>;
  start(): void;
  stop(): Promise<void>;
  /** Resolves once no captured chunk waits (tests, benchmarks). */
  idle(): Promise<void>;
}

export function createHistoryImporter(deps: HistoryImportDependencies, options: HistoryImportOptions = DEFAULT_HISTORY_IMPORT_OPTIONS): HistoryImporter {
  let running = false;
  let loop: Promise<void> | null = null;
  // Conversation files are rewritten once the queue is drained: a conversation spread over
  // many chunks would otherwise be written out again for each of them.
  const unmirrored = new Set<string>();
  let wake: (() => void) | null = null;
  const waiters: Array<() => void> = [];

  async function work() {
    while (running) {
      let claimed: Awaited<ReturnType<typeof claimChunk>> = null;
      try {
        claimed = await claimChunk(deps.db, options.leaseMs);
        if (claimed) for (const conversationId of await importChunk(deps, options, claimed)) unmirrored.add(conversationId);
      } catch (error) {
        deps.logger.error({ err: error }, "Could not import a chunk of WhatsApp Business app history; retried later");
        claimed = null;
      }
      if (claimed) continue;
      for (const conversationId of unmirrored) deps.mirror.schedule(conversationId);
      unmirrored.clear();
      if (!(await pendingChunks(deps.db))) for (const resolve of waiters.splice(0)) resolve();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, options.pollIntervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
  }

  return {
    async capture(workspaceId, events) {
      if (events.length === 0) return;
      const now = new Date();
      const numbers = new Set<string>();
      await serializedWrite(deps.db, () =>
        driverTransaction(deps.db, async (tx) => {
          for (const event of events) {
            const payload = JSON.stringify(event.value);
            const digest = createHash("sha256").update(payload).digest("hex");
            const sql = sqlValues(providerOf(deps.db));
            // Meta delivers at least once: the same chunk again is the same row.
            await tx.execute(Prisma.sql`INSERT INTO "HistoryChunk" ("id", "workspaceId", "phoneNumberId", "digest", "payload", "receivedAt", "attempts")
              VALUES (${uuidv7()}, ${workspaceId}, ${event.phoneNumberId}, ${digest}, ${payload}, ${sql.dateTime(now)}, 0)
              ON CONFLICT ("phoneNumberId", "digest") DO NOTHING`);
            numbers.add(event.phoneNumberId);
          }
        }),
      );
      for (const phoneNumberId of numbers) await ensureImport(deps.db, workspaceId, phoneNumberId);
      publishInboxEvents(deps.pubsub, [...numbers].map((phoneNumberId) => ({ workspaceId, event: { type: "historyImportUpdated" as const, phoneNumberId } })));
      wake?.();
    },
    start() {
      if (running) return;
      running = true;
      loop = work();
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
      for (const resolve of waiters.splice(0)) resolve();
    },
    idle() {
      return new Promise<void>((resolve) => {
        waiters.push(resolve);
        wake?.();
      });
    },
  };
}

async function pendingChunks(db: Database) {
  return (await db.historyChunk.count({ where: { importedAt: null } })) > 0;
}

/** The oldest chunk not imported and not held by another worker, now held by this one. */
async function claimChunk(db: Database, leaseMs: number) {
  for (let attempt = 0; attempt < 3; attempt++) {
    const now = new Date();
    const candidate = await db.historyChunk.findFirst({
      where: { importedAt: null, OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }] },
      orderBy: { receivedAt: "asc" },
      select: { id: true, lockedUntil: true },
    });
    if (!candidate) return null;
    const taken = await serializedWrite(db, () =>
      db.historyChunk.updateMany({
        where: { id: candidate.id, importedAt: null, lockedUntil: candidate.lockedUntil },
        data: { lockedUntil: new Date(now.getTime() + leaseMs), attempts: { increment: 1 } },
      }),
    );
    if (taken.count === 1) return db.historyChunk.findUniqueOrThrow({ where: { id: candidate.id } });
  }
  return null;
}

async function ensureImport(db: Database, workspaceId: string, phoneNumberId: string) {
  try {
    await serializedWrite(db, () => db.historyImport.upsert({ where: { workspaceId_phoneNumberId: { workspaceId, phoneNumberId } }, create: { workspaceId, phoneNumberId }, update: {} }));
  } catch (error) {
    // Another instance created it at the same moment.
    if (!isUniqueViolation(error)) throw error;
  }
}

type ClaimedChunk = NonNullable<Awaited<ReturnType<typeof claimChunk>>>;

/**
 * Between batches, long enough for the live webhooks that arrived meanwhile to reach the database
 * queue first: one turn of the event loop is not, as a POST is read and parsed over several.
 */
const LIVE_TRAFFIC_GAP_MS = 2;

async function importChunk(deps: HistoryImportDependencies, options: HistoryImportOptions, chunk: ClaimedChunk) {
  // Read a batch at a time: a chunk may hold thousands of messages, and reading them all at once
  // would hold them all in memory and the event loop for as long.
  const batches = chunk.payload ? splitHistory(JSON.parse(chunk.payload), options.batchSize) : [];
  const touched = new Set<string>();
  const summary: HistoryChunk[] = [];
  for (const batch of batches) {
    for (const part of readHistory(batch)) {
      if (part.messages.length > 0) {
        for (const conversationId of await importBatch(deps, chunk, part.messages)) touched.add(conversationId);
        await sleep(LIVE_TRAFFIC_GAP_MS);
      }
      for (const { reason } of part.unreadable) deps.logger.warn({ phoneNumberId: chunk.phoneNumberId, reason }, "A history message Meta's documented shape does not describe: not imported");
      summary.push({ ...part, messages: [], unreadable: [] });
    }
  }
  await recordProgress(deps.db, chunk, summary);
  publishInboxEvents(deps.pubsub, [{ workspaceId: chunk.workspaceId, event: { type: "historyImportUpdated", phoneNumberId: chunk.phoneNumberId } }]);
  return touched;
}

/**
 * Meta's "the business declined", else the phase, progress and chunk count; an import's state never
 * goes back. Each instance imports chunks at once: the phase, progress and completion are
 * conditional updates (only forward), so that a chunk recorded alongside another cannot write back
 * the value it read before the other's commit (PostgreSQL reads committed rows only).
 */
async function recordProgress(db: Database, chunk: ClaimedChunk, parts: HistoryChunk[]) {
  const key = { workspaceId: chunk.workspaceId, phoneNumberId: chunk.phoneNumberId };
  const phases = parts.map((part) => part.phase).filter((phase) => phase !== null);
  const progress = Math.min(100, Math.max(0, ...parts.map((part) => part.progress ?? 0)));
  const error = parts.find((part) => part.error)?.error ?? null;
  const failure = error ? { errorCode: error.code, errorTitle: error.title ?? error.message, ...(error.declined ? { declined: true } : {}) } : {};
  await serializedWrite(db, () =>
    db.$transaction(async (tx) => {
      await tx.historyImport.upsert({
        where: { workspaceId_phoneNumberId: key },
        create: { ...key, chunks: 1, ...failure },
        update: { chunks: { increment: 1 }, ...failure },
      });
      await tx.historyImport.updateMany({ where: { ...key, progress: { lt: progress } }, data: { progress } });
      if (phases.length > 0) {
        const phase = Math.max(...phases);
        await tx.historyImport.updateMany({ where: { ...key, OR: [{ phase: null }, { phase: { lt: phase } }] }, data: { phase } });
      }
      await tx.historyImport.updateMany({ where: { ...key, progress: { gte: 100 }, completedAt: null }, data: { completedAt: new Date() } });
      // Imported: the payload is no longer needed, the digest still recognises a re-delivery.
      await tx.historyChunk.update({ where: { id: chunk.id }, data: { importedAt: new Date(), payload: null, lockedUntil: null } });
    }),
  );
}

/** One transaction: new messages through the live path's statements, placeholders filled by their follow-ups. */
async function importBatch(deps: HistoryImportDependencies, chunk: ClaimedChunk, messages: HistoryMessage[]) {
  const result: IngestResult = { received: [], statusChanges: [], conversations: [], duplicates: 0, pendingStatuses: 0, unrouted: 0, templatesMissing: [] };
  const filled: Array<{ conversationId: string; messageId: string }> = [];
  const mediaWindowStart = chunk.receivedAt.getTime() - HISTORY_MEDIA_WINDOW_MS;
  await storeRetryingConflicts(deps.db, async (tx) => {
    result.received = [];
    result.conversations = [];
    filled.length = 0;
    const stored = await storedMessages(tx, messages.map((message) => message.wamid));
    const fresh: NewMessage[] = [];
    for (const message of messages) {
      const known = stored.get(message.wamid);
      if (known) {
        if (known.mediaState === MEDIA_WAITING && message.content.kind === "media") {
          await fillPlaceholder(tx, message);
          filled.push({ conversationId: known.conversationId, messageId: known.id });
          known.mediaState = "PENDING";
        }
        continue;
      }
      stored.set(message.wamid, { id: "", wamid: message.wamid, conversationId: "", mediaState: null });
      const status: MessageStatus = message.sender === "customer" ? "RECEIVED" : STATUS_OF[message.status ?? "sent"];
      const mediaState = message.mediaPlaceholder ? (message.sentAt.getTime() >= mediaWindowStart ? MEDIA_WAITING : "EXPIRED") : null;
      fresh.push({ delivery: 0, workspaceId: chunk.workspaceId, event: message, preview: message.preview, imported: { phoneNumberId: chunk.phoneNumberId, status, mediaState } });
    }
    await storeNewMessages(tx, sqlValues(providerOf(deps.db)), fresh, [result]);
  });
  const events: WorkspaceEvent[] = [
    ...result.conversations.map(({ workspaceId, conversationId }) => ({ workspaceId, event: { type: "conversationUpdated" as const, conversationId } })),
    ...filled.map(({ conversationId, messageId }) => ({ workspaceId: chunk.workspaceId, event: { type: "messageUpdated" as const, conversationId, messageId } })),
  ];
  publishInboxEvents(deps.pubsub, events);
  return result.conversations.map(({ conversationId }) => conversationId);
}

const STATUS_OF: Record<NonNullable<HistoryMessage["status"]>, MessageStatus> = { sent: "SENT", delivered: "DELIVERED", read: "READ", played: "PLAYED", failed: "FAILED" };

async function storeRetryingConflicts(db: Database, work: (tx: DriverTransaction) => Promise<void>) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await serializedWrite(db, () => driverTransaction(db, work));
    } catch (error) {
      // Another instance imported the same chunk at the same moment: run again and find it stored.
      if (attempt >= 3 || !isUniqueViolation(error)) throw error;
    }
  }
}

async function storedMessages(tx: DriverTransaction, wamids: string[]) {
  const rows = await queryChunks<{ id: string; wamid: string; conversationId: string; mediaState: string | null }, string>(
    tx,
    wamids,
    (chunk) => Prisma.sql`SELECT "id", "wamid", "conversationId", "mediaState" FROM "WhatsAppMessage" WHERE "wamid" IN (${Prisma.join(chunk)})`,
  );
  return new Map(rows.map((row) => [row.wamid, row]));
}

/** Meta's follow-up names the media of a placeholder stored earlier: the media worker downloads it next. */
async function fillPlaceholder(tx: DriverTransaction, message: HistoryMessage) {
  const columns = contentColumns(message.content);
  await tx.execute(Prisma.sql`UPDATE "WhatsAppMessage" SET
      "type" = ${message.type}, "text" = ${columns.text}, "preview" = ${message.preview},
      "mediaId" = ${columns.mediaId ?? null}, "mediaMimeType" = ${columns.mediaMimeType ?? null}, "mediaSha256" = ${columns.mediaSha256 ?? null}, "mediaFilename" = ${columns.mediaFilename ?? null},
      "mediaState" = 'PENDING', "mediaNextAttemptAt" = ${new Date()}, "updatedAt" = ${new Date()}
    WHERE "wamid" = ${message.wamid} AND "mediaState" = ${MEDIA_WAITING}`);
}

/** Where a number's history import stands, as Settings → WhatsApp shows it. */
export interface HistoryImportState {
  phoneNumberId: string;
  state: "IMPORTING" | "COMPLETE" | "DECLINED" | "FAILED";
  phase: number | null;
  progress: number;
  chunks: number;
  /** Chunks received and not imported yet. */
  chunksWaiting: number;
  threads: number;
  messages: number;
  mediaWaiting: number;
  mediaFetched: number;
  mediaExpired: number;
  errorCode: number | null;
  errorTitle: string | null;
  startedAt: Date;
  completedAt: Date | null;
}

/** Null: no history webhook has come for this workspace's number yet. */
export async function historyImportState(db: Database, workspaceId: string, phoneNumberId: string): Promise<HistoryImportState | null> {
  const row = await db.historyImport.findUnique({ where: { workspaceId_phoneNumberId: { workspaceId, phoneNumberId } } });
  if (!row) return null;
  const [chunksWaiting, byMedia, threads] = await Promise.all([
    db.historyChunk.count({ where: { workspaceId, phoneNumberId, importedAt: null } }),
    db.whatsAppMessage.groupBy({ by: ["mediaState"], where: { workspaceId, importedFrom: phoneNumberId }, _count: { _all: true } }),
    db.$queryRaw<Array<{ threads: bigint | number }>>(
      Prisma.sql`SELECT COUNT(DISTINCT "conversationId") AS threads FROM "WhatsAppMessage" WHERE "workspaceId" = ${workspaceId} AND "importedFrom" = ${phoneNumberId}`,
    ),
  ]);
  const count = (...states: Array<string | null>) => byMedia.filter((group) => states.includes(group.mediaState)).reduce((sum, group) => sum + group._count._all, 0);
  const state = row.declined ? "DECLINED" : row.errorCode !== null ? "FAILED" : row.progress >= 100 && chunksWaiting === 0 ? "COMPLETE" : "IMPORTING";
  return {
    phoneNumberId,
    state,
    phase: row.phase,
    progress: row.progress,
    chunks: row.chunks,
    chunksWaiting,
    threads: Number(threads[0]?.threads ?? 0),
    messages: byMedia.reduce((sum, group) => sum + group._count._all, 0),
    mediaWaiting: count(MEDIA_WAITING, "PENDING"),
    mediaFetched: count("STORED"),
    mediaExpired: count("EXPIRED", "FAILED"),
    errorCode: row.errorCode,
    errorTitle: row.errorTitle,
    startedAt: row.startedAt,
    completedAt: row.completedAt,
  };
}
