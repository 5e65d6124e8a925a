import { createHash } from "node:crypto";
import { providerOf, type Database } from "../db/client.ts";
import { driverQuery, driverTransaction } from "../db/driver-transaction.ts";
import { groupCommits } from "../db/group-commit.ts";
import { sqlValues } from "../db/sql-values.ts";
import { serializedWrite } from "../db/write-queue.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { retryDelayMs } from "../inbox/outbox.ts";
import type { Logger } from "../logger.ts";
import { timeBackgroundWork } from "../step-timing.ts";
import { publishInboxEvents, type InboxPubSub } from "../realtime/pubsub.ts";
import type { CloudApi } from "../whatsapp/cloud-api.ts";
import { CloudApiError, CloudApiValidationError } from "../whatsapp/errors.ts";
import type { NumberDirectory } from "../whatsapp-numbers/number-directory.ts";
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
  /** The client of the number the customer wrote to, with that number's token. */
  numbers: Pick<NumberDirectory, "cloudApiFor" | "cloudApiOfWorkspace">;
  pubsub: InboxPubSub;
  logger: Logger;
}

/** What an attempt needs of a claimed row. */
interface ClaimedMedia {
  id: string;
  workspaceId: string;
  conversationId: string;
  mediaId: string | null;
  mediaMimeType: string | null;
  mediaSha256: string | null;
  /** Counting the attempt just claimed. */
  mediaAttempts: number;
  timestamp: Date;
  /** The conversation's business number, whose token fetches the media; null for a conversation stored before numbers were data. */
  businessPhoneNumberId: string | null;
}

/** An attempt's outcome: the download's fields when stored, the state and next attempt always. */
interface MediaOutcome {
  mediaState: MediaState;
  mediaError: string | null;
  mediaNextAttemptAt: Date | null;
  stored?: { mediaPath: string; mediaSize: number; mediaMimeType: string | null; mediaSha256: string | null };
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

  // The worker's statements go to the driver, not Prisma's client, which cost milliseconds of the
  // thread per attempt (its query compiler), on the thread that answers Meta (issue 16).
  const sql = sqlValues(providerOf(db));

  /**
   * Inbound messages whose media is due for a download now. A download is PENDING exactly while it
   * has a next attempt time (ingest sets both; every outcome clears the time of a final state), and
   * oldest-due-first reads only the few rows taken from the (mediaState, mediaNextAttemptAt) index
   * where any other order would sort every pending download first.
   */
  async function dueIds(now: Date): Promise<string[]> {
    const rows = await driverQuery<{ id: string }>(
      db,
      Prisma.sql`SELECT "id" FROM "WhatsAppMessage" WHERE "mediaState" = 'PENDING' AND "mediaNextAttemptAt" <= ${sql.dateTime(now)}
        ORDER BY "mediaNextAttemptAt" ASC LIMIT ${options.concurrency}`,
    );
    return rows.map(({ id }) => id);
  }

  /**
   * Claims the due rows no other worker holds, in one statement; answers the rows claimed. Not by
   * state: with it SQLite (without statistics) walks every pending row of the state's index
   * instead of looking up the ids. A due time alone means PENDING.
   */
  function claim(ids: string[], now: Date): Promise<ClaimedMedia[]> {
    return serializedWrite(db, () =>
      driverTransaction(db, async (tx) => {
        // The conversation's number comes in the same statement rather than a query per download;
        // as a subquery, since SQLite's RETURNING cannot name the tables of an UPDATE … FROM.
        const rows = await tx.query<Record<keyof ClaimedMedia, unknown>>(Prisma.sql`
          UPDATE "WhatsAppMessage" SET "mediaState" = 'PENDING', "mediaNextAttemptAt" = ${sql.dateTime(new Date(now.getTime() + options.leaseMs))},
            "mediaAttempts" = "mediaAttempts" + 1, "updatedAt" = ${sql.dateTime(now)}
          WHERE "id" IN (${Prisma.join(ids)}) AND "mediaNextAttemptAt" <= ${sql.dateTime(now)}
          RETURNING "id", "workspaceId", "conversationId", "mediaId", "mediaMimeType", "mediaSha256", "mediaAttempts", "timestamp",
            (SELECT "businessPhoneNumberId" FROM "Conversation" WHERE "Conversation"."id" = "WhatsAppMessage"."conversationId") AS "businessPhoneNumberId"`);
        return rows.map((row) => ({
          id: String(row.id),
          workspaceId: String(row.workspaceId),
          conversationId: String(row.conversationId),
          mediaId: row.mediaId === null ? null : String(row.mediaId),
          mediaMimeType: row.mediaMimeType === null ? null : String(row.mediaMimeType),
          mediaSha256: row.mediaSha256 === null ? null : String(row.mediaSha256),
          mediaAttempts: Number(row.mediaAttempts),
          timestamp: new Date(String(row.timestamp)),
          businessPhoneNumberId: row.businessPhoneNumberId === null ? null : String(row.businessPhoneNumberId),
        }));
      }),
    );
  }

  /** Outcomes of downloads finishing together are written in one transaction: one fsync, not one each. */
  const recordOutcome = groupCommits(
    (outcomes: Array<{ id: string; outcome: MediaOutcome }>) =>
      serializedWrite(db, () =>
        driverTransaction(db, async (tx) => {
          const now = new Date();
          for (const { id, outcome } of outcomes) {
            const { stored } = outcome;
            const download = stored
              ? Prisma.sql`, "mediaPath" = ${sql.text(stored.mediaPath)}, "mediaSize" = ${sql.integer(stored.mediaSize)},
                  "mediaMimeType" = ${sql.text(stored.mediaMimeType)}, "mediaSha256" = ${sql.text(stored.mediaSha256)}`
              : Prisma.empty;
            await tx.execute(Prisma.sql`UPDATE "WhatsAppMessage" SET "mediaState" = ${sql.text(outcome.mediaState)}, "mediaError" = ${sql.text(outcome.mediaError)},
              "mediaNextAttemptAt" = ${sql.dateTime(outcome.mediaNextAttemptAt)}, "updatedAt" = ${sql.dateTime(now)}${download}
              WHERE "id" = ${id}`);
          }
          return outcomes.map(() => undefined);
        }),
      ),
    { maxSize: 100 },
  );

  async function fetchAndStore(cloudApi: CloudApi, message: ClaimedMedia): Promise<MediaOutcome> {
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
    return {
      mediaState: "STORED",
      mediaError: null,
      mediaNextAttemptAt: null,
      stored: { mediaPath: relative, mediaSize: bytes.length, mediaMimeType: mimeType, mediaSha256: message.mediaSha256 ?? info.sha256 },
    };
  }

  function failureFields(message: ClaimedMedia, error: unknown): MediaOutcome {
    const reason = error instanceof CloudApiError ? `${error.title}${error.code === null ? "" : ` (${error.code})`}` : (error as Error).message;
    if (error instanceof MediaExpired) return { mediaState: "EXPIRED", mediaError: `The media has expired: ${reason}`, mediaNextAttemptAt: null };
    const final = error instanceof CloudApiValidationError || message.mediaAttempts >= options.maxAttempts;
    if (final) return { mediaState: "FAILED", mediaError: reason, mediaNextAttemptAt: null };
    return { mediaState: "PENDING", mediaError: reason, mediaNextAttemptAt: new Date(Date.now() + retryDelayMs(message.mediaAttempts, options)) };
  }

  /** Media ids belong to the number they were sent to: its token fetches them. */
  function cloudApiOf(message: ClaimedMedia): Promise<CloudApi> {
    const phoneNumberId = message.businessPhoneNumberId;
    return phoneNumberId ? deps.numbers.cloudApiFor(phoneNumberId) : deps.numbers.cloudApiOfWorkspace(message.workspaceId);
  }

  /**
   * While the Cloud API cannot be reached at all (no answer: a network failure), the worker rests
   * after one batch instead of failing every due download in turn — each costing the thread and
   * two commits, and a retry of its own — from retryBaseMs, doubling to retryMaxMs, until an
   * attempt gets an answer again.
   */
  const outage = { rests: 0, until: 0 };

  /**
   * One attempt at one claimed row; answers whether the Cloud API answered at all. A number not
   * connected (yet, or any more) is retried with backoff.
   */
  async function attempt(message: ClaimedMedia): Promise<boolean> {
    let outcome: MediaOutcome;
    let answered = true;
    try {
      outcome = await fetchAndStore(await cloudApiOf(message), message);
    } catch (error) {
      answered = !(error instanceof CloudApiError && error.kind === "network");
      outcome = failureFields(message, error);
      logger.warn({ messageId: message.id, attempt: message.mediaAttempts, state: outcome.mediaState }, `Media download failed: ${String(outcome.mediaError)}`);
    }
    await recordOutcome({ id: message.id, outcome });
    publishInboxEvents(deps.pubsub, [
      { workspaceId: message.workspaceId, event: { type: "messageUpdated", conversationId: message.conversationId, messageId: message.id } },
    ]);
    return answered;
  }

  async function drain() {
    for (;;) {
      if (stopped) return;
      const now = new Date();
      const due = await dueIds(now);
      if (due.length === 0) return;
      const claimed = await claim(due, now);
      const answers = await Promise.all(
        claimed.map((message) =>
          timeBackgroundWork("media download", () => attempt(message)).catch((error: Error) => {
            logger.error({ err: error, messageId: message.id }, "Media download failed unexpectedly");
            return true;
          }),
        ),
      );
      if (claimed.length > 0 && !answers.some(Boolean)) {
        outage.rests++;
        const restMs = retryDelayMs(outage.rests, options);
        outage.until = Date.now() + restMs;
        logger.warn({ restMs }, `The Cloud API cannot be reached: media downloads rest for ${Math.round(restMs / 1000)} s`);
        return;
      }
      outage.rests = 0;
      // A full batch that made progress: more may be due right now.
      if (due.length < options.concurrency || claimed.length === 0) return;
    }
  }

  const tick = () => {
    if (stopped || Date.now() < outage.until) return;
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
