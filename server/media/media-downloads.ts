import { createHash } from "node:crypto";
import type { Database } from "../db/client.ts";
import { groupCommits } from "../db/group-commit.ts";
import { serializedWrite } from "../db/write-queue.ts";
import type { WhatsAppMessage } from "../generated/prisma/client.ts";
import { retryDelayMs } from "../inbox/outbox.ts";
import type { Logger } from "../logger.ts";
import { timeBackgroundWork } from "../step-timing.ts";
import { publishInboxEvents, type InboxPubSub } from "../realtime/pubsub.ts";
import type { CloudApi } from "../whatsapp/cloud-api.ts";
import { CloudApiError, CloudApiValidationError } from "../whatsapp/errors.ts";
import { extensionFor } from "./limits.ts";
import { mediaRelativePath, writeMediaFile } from "./media-store.ts";

/** Where a message's own copy of its media stands (`WhatsAppMessage.mediaState`). */
export type MediaState = "PENDING" | "STORED" | "FAILED" | "EXPIRED";

/**
 * Meta keeps a customer's media for 30 days after it was sent; after that its id answers
 * "does not exist" and nothing can bring the file back.
 */
export const MEDIA_ID_LIFETIME_MS = 30 * 24 * 3_600_000;

export interface MediaDownloadOptions {
  /** Directory of the files (MEDIA_DIR). */
  dir: string;
  /** Attempts before a download is given up as FAILED. @default 10 */
  maxAttempts: number;
  /** First retry after about this long, doubling each time, with full jitter. @default 5_000 ms */
  retryBaseMs: number;
  /** @default 3_600_000 ms (an hour) */
  retryMaxMs: number;
  /** How often the worker looks for due downloads. @default 1_000 ms */
  pollIntervalMs: number;
  /** A claimed download is another worker's again after this long (a crashed attempt). @default 120_000 ms */
  leaseMs: number;
  /** Downloads under way at once per instance: the files are held in memory while checked. @default 4 */
  concurrency: number;
}

export const DEFAULT_MEDIA_DOWNLOAD_OPTIONS: Omit<MediaDownloadOptions, "dir"> = {
  maxAttempts: 10,
  retryBaseMs: 5_000,
  retryMaxMs: 3_600_000,
  pollIntervalMs: 1_000,
  leaseMs: 120_000,
  concurrency: 4,
};

export interface MediaDownloadDependencies {
  db: Database;
  /** Null while WhatsApp is not configured: the worker then waits and downloads nothing. */
  cloudApi: CloudApi | null;
  pubsub: InboxPubSub;
  logger: Logger;
}

/**
 * Inbound messages whose media is due for a download now. A download is PENDING exactly while it
 * has a next attempt time (ingest sets both; every outcome clears the time of a final state), and
 * oldest-due-first reads only the few rows taken from the (mediaState, mediaNextAttemptAt) index
 * where any other order would sort every pending download first.
 */
function dueWhere(now: Date) {
  return { mediaState: "PENDING", mediaNextAttemptAt: { lte: now } };
}

/** Meta's webhook gives the file's SHA-256 in hex (media URL answers) or base64 (some payloads). */
function sameDigest(digest: Buffer, expected: string | null | undefined): boolean {
  if (!expected) return true;
  return expected.toLowerCase() === digest.toString("hex") || expected === digest.toString("base64");
}

class MediaExpired extends Error {}

/**
 * The media download worker. A customer's message is stored at once with its media PENDING
 * (ingest never waits for Meta's CDN); this worker then fetches each file — media id → short-lived
 * URL → bytes, with the token — checks its SHA-256, writes it atomically under
 * `{dir}/{workspaceId}/{messageId}.{ext}` and marks it STORED, telling the open chats. Failures
 * are retried with backoff until `maxAttempts` (then FAILED); a media id Meta no longer knows
 * is EXPIRED. Each row is claimed with a conditional update and a lease, so several instances
 * share the work and a crashed attempt is taken over when its lease ends.
 */
export function createMediaDownloads(deps: MediaDownloadDependencies, overrides: Partial<MediaDownloadOptions> & Pick<MediaDownloadOptions, "dir">) {
  const options: MediaDownloadOptions = { ...DEFAULT_MEDIA_DOWNLOAD_OPTIONS, ...overrides };
  const { db, logger } = deps;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let draining: Promise<void> | null = null;

  /** Claims the due rows no other worker holds, in one statement; answers the rows claimed. */
  function claim(ids: string[], now: Date): Promise<WhatsAppMessage[]> {
    return serializedWrite(db, () =>
      db.whatsAppMessage.updateManyAndReturn({
        // Not the state: with it SQLite (without statistics) walks every pending row of the
        // state's index instead of looking up the ids. A due time alone means PENDING.
        where: { id: { in: ids }, mediaNextAttemptAt: { lte: now } },
        data: { mediaState: "PENDING", mediaNextAttemptAt: new Date(now.getTime() + options.leaseMs), mediaAttempts: { increment: 1 } },
      }),
    );
  }

  /** Outcomes of downloads finishing together are written in one transaction: one fsync, not one each. */
  const recordOutcome = groupCommits(
    (outcomes: Array<{ id: string; data: Record<string, unknown> }>) =>
      serializedWrite(db, () =>
        db.$transaction(outcomes.map(({ id, data }) => db.whatsAppMessage.update({ where: { id }, data, select: { id: true } }))),
      ),
    { maxSize: 100 },
  );

  async function fetchAndStore(cloudApi: CloudApi, message: WhatsAppMessage) {
    if (Date.now() - message.timestamp.getTime() > MEDIA_ID_LIFETIME_MS) throw new MediaExpired("Meta keeps media for 30 days");
    let info;
    try {
      info = await cloudApi.getMediaUrl(message.mediaId!);
    } catch (error) {
      // (#100) "Object with ID … does not exist": Meta has forgotten the media.
      if (error instanceof CloudApiError && error.code === 100) throw new MediaExpired(error.title);
      throw error;
    }
    const bytes = await cloudApi.downloadMedia(info.url);
    const digest = createHash("sha256").update(bytes).digest();
    if (!sameDigest(digest, info.sha256) || !sameDigest(digest, message.mediaSha256)) {
      throw new Error("The downloaded file does not match its SHA-256");
    }
    const mimeType = message.mediaMimeType ?? info.mimeType;
    const relative = mediaRelativePath(message.workspaceId, message.id, extensionFor(mimeType));
    await writeMediaFile(options.dir, relative, bytes);
    return { mediaState: "STORED", mediaPath: relative, mediaSize: bytes.length, mediaMimeType: mimeType, mediaSha256: message.mediaSha256 ?? info.sha256 };
  }

  function failureFields(message: WhatsAppMessage, error: unknown) {
    const reason = error instanceof CloudApiError ? `${error.title}${error.code === null ? "" : ` (${error.code})`}` : (error as Error).message;
    if (error instanceof MediaExpired) return { mediaState: "EXPIRED", mediaError: `The media has expired: ${reason}`, mediaNextAttemptAt: null };
    const final = error instanceof CloudApiValidationError || message.mediaAttempts >= options.maxAttempts;
    if (final) return { mediaState: "FAILED", mediaError: reason, mediaNextAttemptAt: null };
    return { mediaState: "PENDING", mediaError: reason, mediaNextAttemptAt: new Date(Date.now() + retryDelayMs(message.mediaAttempts, options)) };
  }

  /** One attempt at one claimed row. */
  async function attempt(cloudApi: CloudApi, message: WhatsAppMessage) {
    let data: Record<string, unknown>;
    try {
      data = { ...(await fetchAndStore(cloudApi, message)), mediaError: null, mediaNextAttemptAt: null };
    } catch (error) {
      data = failureFields(message, error);
      logger.warn({ messageId: message.id, attempt: message.mediaAttempts, state: data.mediaState }, `Media download failed: ${String(data.mediaError)}`);
    }
    await recordOutcome({ id: message.id, data });
    publishInboxEvents(deps.pubsub, [
      { workspaceId: message.workspaceId, event: { type: "messageUpdated", conversationId: message.conversationId, messageId: message.id } },
    ]);
  }

  async function drain() {
    for (;;) {
      const cloudApi = deps.cloudApi;
      if (stopped || !cloudApi) return;
      const now = new Date();
      const due = await db.whatsAppMessage.findMany({
        where: dueWhere(now),
        orderBy: { mediaNextAttemptAt: "asc" },
        select: { id: true },
        take: options.concurrency,
      });
      if (due.length === 0) return;
      const claimed = await claim(due.map(({ id }) => id), now);
      await Promise.all(
        claimed.map((message) =>
          timeBackgroundWork("media download", () => attempt(cloudApi, message)).catch((error: Error) => logger.error({ err: error, messageId: message.id }, "Media download failed unexpectedly")),
        ),
      );
      // A full batch that made progress: more may be due right now.
      if (due.length < options.concurrency || claimed.length === 0) return;
    }
  }

  const tick = () => {
    if (!deps.cloudApi || stopped) return;
    draining ??= drain()
      .catch((error: Error) => logger.error({ err: error }, "Could not look for due media downloads; trying again"))
      .finally(() => (draining = null));
  };

  return {
    /** Starts fetching due media (and resuming what a previous run left). */
    async start() {
      stopped = false;
      // Media received before ingest marked it PENDING with a time: once, so the poll stays on its index.
      await serializedWrite(db, () =>
        db.whatsAppMessage.updateMany({
          where: { direction: "INBOUND", mediaId: { not: null }, OR: [{ mediaState: null }, { mediaState: "PENDING", mediaNextAttemptAt: null }] },
          data: { mediaState: "PENDING", mediaNextAttemptAt: new Date() },
        }),
      );
      tick();
      timer = setInterval(tick, options.pollIntervalMs);
      timer.unref();
    },
    /** Stops picking up work and waits for downloads under way. */
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = null;
      await draining;
    },
  };
}

export type MediaDownloads = ReturnType<typeof createMediaDownloads>;
