import { randomBytes } from "node:crypto";
import { mkdir, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Database } from "../db/client.ts";
import { firstWorkspaceNumberId } from "../db/workspace-numbers.ts";
import { driverQuery } from "../db/driver-transaction.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { Logger } from "../logger.ts";
import { timeBackgroundWork } from "../step-timing.ts";
import { isBsuid } from "../whatsapp/customer-id.ts";
import type { ConversationFileWriter } from "./conversation-file-thread.ts";

/**
 * The conversation mirror: `{dir}/{workspaceId}/{key}.json`, one file per conversation — `key`
 * the customer's number's digits when known, else their business-scoped user ID — rewritten
 * from the database after each commit. A conversation on another business number than the
 * workspace's first is `{key}@{phoneNumberId}.json`: a customer who wrote to two numbers has two
 * files, and the files of a workspace with one number keep the names they always had. The database stays the source of truth; the files are
 * for people and tools that read plain JSON (and `conversations:rebuild` regenerates them).
 */
export interface ConversationFile {
  workspaceId: string;
  conversationId: string;
  /** The business number (Meta's phone number id) the conversation is on; absent from files written before numbers. */
  businessPhoneNumberId: string | null;
  /** The customer's number, E.164; null while it is hidden behind a username. */
  phone: string | null;
  waId: string | null;
  /** The customer's business-scoped user ID (BSUID). */
  userId: string | null;
  username: string | null;
  contact: { id: string; name: string } | null;
  profileName: string | null;
  messages: ConversationFileMessage[];
}

export interface ConversationFileMessage {
  id: string;
  wamid: string | null;
  direction: "inbound" | "outbound";
  type: string;
  text: string | null;
  preview: string;
  status: string;
  timestamp: string;
  replyTo?: string;
  media?: { id: string | null; mimeType: string | null; filename: string | null };
  location?: { latitude: number; longitude: number; name: string | null; address: string | null };
  reaction?: { emoji: string | null; to: string | null };
  error?: { code: number | null; title: string | null };
  /**
   * An agent's interactive message or contact cards, as offered (whatsapp/interactive.ts's
   * InteractiveMessage: kind, header, body, footer, buttons | button and sections | displayText
   * and url | flowId, flowCta, flowToken…).
   */
  offered?: Record<string, unknown>;
  /**
   * A customer's structured answer (whatsapp/message-content.ts): a choice {id, title,
   * description}, a form {name, fields: [{key, label, value}], address, responseJson, flowToken},
   * an order {items, total, currency} or a call permission {accepted, permanent, expiresAt}.
   * The message answered is `replyTo`.
   */
  answer?: Record<string, unknown>;
}

const SAFE_WORKSPACE_ID = /^[a-z0-9]{1,64}$/i;
const SAFE_WA_ID = /^\d{1,20}$/;
/** Meta's phone number ids are digits. */
const SAFE_NUMBER_ID = /^\d{1,32}$/;

const isSafeKey = (key: string) => SAFE_WA_ID.test(key) || isBsuid(key);

/**
 * The file's path, built only from checked ids: never a path taken from input. `key` is the
 * customer's number (digits) or, while it is hidden, their BSUID in Meta's format; `numberId` the
 * business number of a conversation not on the workspace's first number.
 */
export function conversationFilePath(dir: string, workspaceId: string, key: string, numberId: string | null = null): string {
  if (!SAFE_WORKSPACE_ID.test(workspaceId) || !isSafeKey(key) || (numberId !== null && !SAFE_NUMBER_ID.test(numberId))) {
    throw new Error(`Refusing a conversation file path for workspace ${JSON.stringify(workspaceId)}, customer ${JSON.stringify(key)}, number ${JSON.stringify(numberId)}`);
  }
  return path.join(dir, workspaceId, numberId === null ? `${key}.json` : `${key}@${numberId}.json`);
}

/** A stored message as the driver answers it: DateTime as ISO text, numbers as numbers (or bigint text). */
interface StoredMessage {
  id: string;
  wamid: string | null;
  direction: string;
  type: string;
  text: string | null;
  preview: string;
  status: string;
  timestamp: string;
  contextWamid: string | null;
  mediaId: string | null;
  mediaUrl: string | null;
  mediaMimeType: string | null;
  mediaFilename: string | null;
  latitude: number | string | null;
  longitude: number | string | null;
  locationName: string | null;
  locationAddress: string | null;
  reactionEmoji: string | null;
  reactionToWamid: string | null;
  errorCode: number | string | null;
  errorTitle: string | null;
  interactive: string | null;
}

const numberOrNull = (value: number | string | null) => (value === null ? null : Number(value));

/**
 * Read on the driver, not Prisma's client, which cost several times the statements (issue 16): the
 * server writes the files on a thread of its own, but the rebuild and the tests on their caller's.
 * Only what the file shows: `raw` alone is larger than everything else together.
 */
export async function renderConversationFile(db: Database, conversationId: string): Promise<ConversationFile | null> {
  const [conversation] = await driverQuery<{
    id: string;
    workspaceId: string;
    businessPhoneNumberId: string | null;
    waId: string | null;
    userId: string | null;
    username: string | null;
    profileName: string | null;
    contactId: string | null;
    contactName: string | null;
  }>(
    db,
    Prisma.sql`SELECT c."id", c."workspaceId", c."businessPhoneNumberId", c."waId", c."userId", c."username", c."profileName", k."id" AS "contactId", k."name" AS "contactName"
      FROM "Conversation" c LEFT JOIN "Contact" k ON k."id" = c."contactId" WHERE c."id" = ${conversationId}`,
  );
  if (!conversation) return null;
  const messages = await driverQuery<StoredMessage>(
    db,
    Prisma.sql`SELECT "id", "wamid", "direction", "type", "text", "preview", "status", "timestamp", "contextWamid", "mediaId", "mediaUrl", "mediaMimeType",
        "mediaFilename", "latitude", "longitude", "locationName", "locationAddress", "reactionEmoji", "reactionToWamid", "errorCode", "errorTitle", "interactive"
      FROM "WhatsAppMessage" WHERE "conversationId" = ${conversationId} ORDER BY "timestamp" ASC, "id" ASC`,
  );
  return {
    workspaceId: conversation.workspaceId,
    conversationId: conversation.id,
    businessPhoneNumberId: conversation.businessPhoneNumberId,
    phone: conversation.waId ? `+${conversation.waId}` : null,
    waId: conversation.waId,
    userId: conversation.userId,
    username: conversation.username,
    contact: conversation.contactId ? { id: conversation.contactId, name: conversation.contactName ?? "" } : null,
    profileName: conversation.profileName,
    messages: messages.map((message) => {
      const latitude = numberOrNull(message.latitude);
      const longitude = numberOrNull(message.longitude);
      const errorCode = numberOrNull(message.errorCode);
      return {
        id: message.id,
        wamid: message.wamid,
        direction: message.direction === "INBOUND" ? "inbound" : "outbound",
        type: message.type,
        text: message.text,
        preview: message.preview,
        status: message.status.toLowerCase(),
        timestamp: new Date(message.timestamp).toISOString(),
        ...(message.contextWamid ? { replyTo: message.contextWamid } : {}),
        ...(message.mediaId || message.mediaUrl
          ? { media: { id: message.mediaId, mimeType: message.mediaMimeType, filename: message.mediaFilename } }
          : {}),
        ...(latitude !== null && longitude !== null ? { location: { latitude, longitude, name: message.locationName, address: message.locationAddress } } : {}),
        ...(message.type === "reaction" ? { reaction: { emoji: message.reactionEmoji, to: message.reactionToWamid } } : {}),
        ...(errorCode !== null || message.errorTitle ? { error: { code: errorCode, title: message.errorTitle } } : {}),
        ...structured(message.direction, message.interactive),
      };
    }),
  };
}

/** What the `interactive` column holds, under the key that says whose it is. */
function structured(direction: string, json: string | null): Pick<ConversationFileMessage, "offered" | "answer"> {
  if (!json) return {};
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return {};
  }
  if (typeof value !== "object" || value === null) return {};
  return direction === "INBOUND" ? { answer: value as Record<string, unknown> } : { offered: value as Record<string, unknown> };
}

/** Temporary file + rename: a reader (or a crash) never sees half a file. */
async function writeAtomically(file: string, contents: string) {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await writeFile(temporary, contents);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

export async function writeConversationFile(db: Database, dir: string, conversationId: string) {
  const file = await renderConversationFile(db, conversationId);
  if (!file) return;
  const key = file.waId ?? file.userId;
  if (!key) return;
  const numberId = await fileNumberOf(db, file);
  await writeAtomically(conversationFilePath(dir, file.workspaceId, key, numberId), `${JSON.stringify(file, null, 2)}\n`);
  // One file per conversation, never two: when the customer's number became known after a file
  // named by their BSUID, or they changed number or BSUID, the file follows — also when a rebuild
  // meets a file an older version left.
  for (const stale of await formerKeys(db, file)) {
    if (stale !== key) await rm(conversationFilePath(dir, file.workspaceId, stale, numberId), { force: true });
  }
}

/** The number in the file's name: none on the workspace's first number (and on no number). */
async function fileNumberOf(db: Database, file: ConversationFile): Promise<string | null> {
  if (!file.businessPhoneNumberId) return null;
  const first = await firstWorkspaceNumberId(db, file.workspaceId);
  return first === null || first === file.businessPhoneNumberId ? null : file.businessPhoneNumberId;
}

/** Names the conversation's file had before: its BSUID, and the identifiers a number or BSUID change replaced. */
async function formerKeys(db: Database, file: ConversationFile): Promise<string[]> {
  const keys = new Set<string>(file.userId ? [file.userId] : []);
  const changes = await driverQuery<{ raw: string | null }>(
    db,
    Prisma.sql`SELECT "raw" FROM "WhatsAppMessage" WHERE "conversationId" = ${file.conversationId} AND "type" = 'system' AND "direction" = 'INBOUND'`,
  );
  for (const { raw } of changes) {
    const sender = parseSender(raw);
    for (const id of [sender.from, sender.from_user_id]) if (typeof id === "string" && isSafeKey(id)) keys.add(id);
  }
  return [...keys];
}

function parseSender(raw: string | null): { from?: unknown; from_user_id?: unknown } {
  try {
    const parsed: unknown = JSON.parse(raw ?? "null");
    return typeof parsed === "object" && parsed !== null ? parsed : {};
  } catch {
    return {};
  }
}

/** Regenerates every conversation file from the database (`npm run conversations:rebuild`). */
export async function rebuildConversationFiles(db: Database, dir: string): Promise<number> {
  const conversations = await db.conversation.findMany({ select: { id: true } });
  for (const { id } of conversations) await writeConversationFile(db, dir, id);
  return conversations.length;
}

/**
 * Written after the last file write of a clean stop, removed at start-up. Missing at start-up,
 * it means the previous process died with writes pending (or this is the first start).
 */
export const CLEAN_STOP_MARKER = ".clean-stop";
const TEMPORARY_FILE = /\.json\.\d+\.[0-9a-f]+\.tmp$/;

/**
 * How long a change waits for others to the same conversation before its file is rewritten: a
 * burst of messages from one customer costs one rewrite, not one per webhook.
 * @default 250 ms
 */
export const MIRROR_COALESCE_MS = 250;

/**
 * How long the writer rests after each file, as a multiple of the time that file took: under a
 * sustained burst the mirror takes at most a third of the thread and falls behind instead, each
 * busy file collapsing its changes into fewer rewrites. When idle it never waits.
 */
export const MIRROR_PAUSE_FACTOR = 2;

/**
 * How long a stop lets an unfinished repair go on before ending it: small workspaces still stop
 * with every file repaired, large ones cannot hold a restart hostage.
 * @default 5 s
 */
export const REPAIR_GRACE_MS = 5_000;

/**
 * Schedules file rewrites after commits without ever delaying the caller. Changes to one
 * conversation within MIRROR_COALESCE_MS collapse into one rewrite, and one writer rewrites the
 * due files one at a time, paced by MIRROR_PAUSE_FACTOR, so that a file behind a busy queue
 * absorbs every change made while it waits. `writer` does the rewriting: the server gives it a
 * thread of its own (conversation-file-thread.ts); by default it runs on this thread.
 */
export function createConversationMirror(
  db: Database,
  dir: string,
  logger: Logger,
  {
    coalesceMs = MIRROR_COALESCE_MS,
    repairGraceMs = REPAIR_GRACE_MS,
    writer = { write: (conversationId: string) => writeConversationFile(db, dir, conversationId), close: async () => undefined } as ConversationFileWriter,
  } = {},
) {
  const waiting = new Map<string, NodeJS.Timeout>();
  /** Due for a rewrite, oldest first. */
  const due = new Set<string>();
  let running: Promise<void> | null = null;
  /** A flush is waiting: no pauses until it is done. */
  let hurry = false;
  let recovery: Promise<void> | null = null;
  let recovered = true;
  let closing = false;

  async function writeDue() {
    try {
      for (const conversationId of due) {
        due.delete(conversationId);
        const started = performance.now();
        await timeBackgroundWork("conversation file", () => writer.write(conversationId)).catch((error: Error) =>
          logger.error({ err: error, conversationId }, "Could not write the conversation file"),
        );
        if (!hurry && due.size > 0) await new Promise((resolve) => setTimeout(resolve, (performance.now() - started) * MIRROR_PAUSE_FACTOR));
      }
    } finally {
      // In the same turn as the last look at `due`: a file marked due from now on starts a new writer.
      running = null;
    }
  }

  function markDue(conversationId: string) {
    due.add(conversationId);
    running ??= writeDue();
    return running;
  }

  async function flush() {
    await recovery;
    hurry = true;
    try {
      for (const [conversationId, timer] of waiting) {
        clearTimeout(timer);
        waiting.delete(conversationId);
        markDue(conversationId);
      }
      while (running) await running;
    } finally {
      hurry = false;
    }
  }

  function schedule(conversationId: string) {
    if (due.has(conversationId) || waiting.has(conversationId)) return;
    const timer = setTimeout(() => {
      waiting.delete(conversationId);
      markDue(conversationId);
    }, coalesceMs);
    waiting.set(conversationId, timer);
  }

  /**
   * After a crash, a commit's file write may never have happened, and half-written temporary
   * files remain: rewrites every conversation in the background, one at a time, and removes
   * the temporary files left from before this start. A stop ends the repair after
   * REPAIR_GRACE_MS, and the next start repairs again.
   */
  async function recoverFiles(startedAt: number) {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const file = path.join(entry.parentPath, entry.name);
      if (!entry.isFile() || !TEMPORARY_FILE.test(entry.name)) continue;
      const modifiedAt = await stat(file).then((stats) => stats.mtimeMs, () => Infinity);
      if (modifiedAt < startedAt) await rm(file, { force: true });
    }
    let cursor: string | undefined;
    for (;;) {
      const page = await db.conversation.findMany({
        select: { id: true },
        orderBy: { id: "asc" },
        take: 200,
        ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
      });
      for (const { id } of page) {
        // A stop does not wait for the whole repair (a restart loop would never get past it):
        // without the clean-stop marker, the next start repairs again.
        if (closing) return;
        await markDue(id);
      }
      if (page.length < 200) break;
      cursor = page.at(-1)!.id;
    }
    recovered = true;
  }

  return {
    schedule,
    /** At start-up: when the last process did not stop cleanly, repairs the files in the background. */
    async resume() {
      const startedAt = Date.now();
      const stoppedCleanly = await rm(path.join(dir, CLEAN_STOP_MARKER)).then(() => true, () => false);
      if (stoppedCleanly) return;
      recovered = false;
      recovery = recoverFiles(startedAt).catch((error: Error) => logger.error({ err: error }, "Could not repair the conversation files"));
    },
    /** Resolves once every scheduled write has landed (shutdown, tests). */
    flush,
    /** At shutdown: lets the repair and pending writes land, then records a clean stop. */
    async close() {
      if (recovery) {
        let grace: NodeJS.Timeout | undefined;
        await Promise.race([recovery, new Promise((resolve) => (grace = setTimeout(resolve, repairGraceMs)))]);
        clearTimeout(grace);
      }
      closing = true;
      await flush();
      await writer.close();
      if (recovered) {
        await mkdir(dir, { recursive: true });
        await writeFile(path.join(dir, CLEAN_STOP_MARKER), `${new Date().toISOString()}\n`);
      }
    },
  };
}

export type ConversationMirror = ReturnType<typeof createConversationMirror>;
