import { providerOf, type Database } from "../db/client.ts";
import { sqlValues, statementChunks, type SqlValues } from "../db/sql-values.ts";
import { groupCommits } from "../db/group-commit.ts";
import { serializedWrite } from "../db/write-queue.ts";
import { driverQuery } from "../db/driver-transaction.ts";
import { Prisma, type WhatsAppMessage } from "../generated/prisma/client.ts";
import type { Logger } from "../logger.ts";
import type { WorkspaceEvent } from "../realtime/events.ts";
import { publishInboxEvents, type InboxPubSub } from "../realtime/pubsub.ts";
import type { ConversationMirror } from "../storage/conversation-files.ts";
import type { CloudApi, MediaKind, SendResult } from "../whatsapp/cloud-api.ts";
import { WhatsAppNotConfiguredError, type NumberDirectory } from "../whatsapp-numbers/number-directory.ts";
import type { RichMessage } from "../whatsapp/interactive.ts";
import { CloudApiError, CloudApiValidationError, META_ERRORS } from "../whatsapp/errors.ts";
import { callbackDataOf } from "./outbox-callback-data.ts";
import { applyPendingStatuses, applyStrandedPendingStatuses } from "./pending-statuses.ts";
import type { SendPacer } from "./send-pacer.ts";

/** What an outbound row asks the Cloud API to send, kept in its `raw` column until it is sent. */
export type OutboundRequest =
  | { type: "text"; to: string; body: string; replyToWamid?: string }
  | { type: "template"; to: string; name: string; languageCode: string; bodyParameters: string[] }
  | { type: "reaction"; to: string; wamid: string; emoji: string }
  | { type: "media"; to: string; kind: MediaKind; id: string; caption?: string; filename?: string }
  /** Interactive, location and contact-card messages, in Meta's shape already (inbox/send-interactive.ts). */
  | { type: "rich"; to: string; message: RichMessage; replyToWamid?: string };

export interface OutboxOptions {
  /** @default 8 attempts, then FAILED with the last error */
  maxAttempts: number;
  /** First retry after about this long, doubling each time, with full jitter. @default 2_000 ms */
  retryBaseMs: number;
  /** @default 300_000 ms */
  retryMaxMs: number;
  /** How often the worker looks for due retries. @default 1_000 ms */
  pollIntervalMs: number;
  /** A claimed row is another worker's again after this long (a crashed attempt). @default 60_000 ms */
  leaseMs: number;
  /**
   * A row whose worker died after its request may have reached Meta waits this long, from when
   * another worker finds it, for a status webhook naming it (by its callback data) before it is
   * given up on: then a campaign's row is failed as "outcome unknown", any other is sent again.
   * @default 120_000 ms
   */
  unknownOutcomeGraceMs: number;
}

export const DEFAULT_OUTBOX_OPTIONS: OutboxOptions = {
  maxAttempts: 8,
  retryBaseMs: 2_000,
  retryMaxMs: 300_000,
  pollIntervalMs: 1_000,
  leaseMs: 60_000,
  unknownOutcomeGraceMs: 120_000,
};

/** Why a campaign row whose outcome stayed unknown is failed rather than sent again (docs/operations.md). */
export const UNKNOWN_OUTCOME_TITLE =
  "Outcome unknown: Meta's answer to the send was lost (its server stopped mid-send, or the answer timed out) and no status from Meta named it; not sent again, so that no customer gets it twice";

export interface OutboxDependencies {
  db: Database;
  /** Each number's own client: a row leaves from the number it records (its conversation's). */
  numbers: Pick<NumberDirectory, "cloudApiFor">;
  pacer: SendPacer;
  pubsub: InboxPubSub;
  mirror: ConversationMirror;
  logger: Logger;
}

/**
 * What an attempt needs of its row. Only these are read back when claiming: Prisma's cost grows
 * with the columns it maps, and a claim of 500 whole rows held the event loop long enough to
 * cost the pacer its slots.
 */
const CLAIMED_COLUMNS = { id: true, raw: true, attempts: true, createdAt: true, businessPhoneNumberId: true, campaignId: true } as const;
type ClaimedRow = Pick<WhatsAppMessage, keyof typeof CLAIMED_COLUMNS>;

const PAIR_RATE_LIMIT_CODE = META_ERRORS.PAIR_RATE_LIMIT.code;

/** A claimed campaign row whose campaign stopped running: not sent. */
const HELD = Symbol("held");

/** Meta's pair rate: about one message every 6 seconds to the same customer. @default 6_000 ms */
export const PAIR_RATE_INTERVAL_MS = 6_000;

/** Due rows claimed at a time, at most: half a second at Meta's highest tier. */
const DUE_BATCH_SIZE = 500;

/**
 * Rows to claim at a time: no more than the pacer lets go in a quarter of the lease. A claimed row
 * still waiting for its slot when its lease ends would be taken by another worker and sent twice.
 */
export function dueBatchSize(perSecond: number, leaseMs: number) {
  return Math.max(1, Math.min(DUE_BATCH_SIZE, Math.floor((perSecond * leaseMs) / 4_000)));
}

/**
 * Sent rows in one statement (Prisma would send an UPDATE each, at about half a millisecond of
 * its own per row): each gets Meta's wamid, and its lease and last error are cleared.
 */
async function markSent(tx: Prisma.TransactionClient, sql: SqlValues, sent: Array<{ id: string; wamid: string }>) {
  const now = sql.dateTime(new Date());
  for (const chunk of statementChunks(sent)) await markChunkSent(tx, sql, now, chunk);
}

async function markChunkSent(tx: Prisma.TransactionClient, sql: SqlValues, now: Prisma.Sql, sent: Array<{ id: string; wamid: string }>) {
  await tx.$executeRaw`
    WITH accepted (id, wamid) AS (VALUES ${Prisma.join(sent.map(({ id, wamid }) => Prisma.sql`(${sql.text(id)}, ${sql.text(wamid)})`))})
    UPDATE "WhatsAppMessage" SET
      "status" = CASE WHEN ${waiting} THEN ${sql.enumValue("SENT", "MessageStatus")} ELSE "WhatsAppMessage"."status" END,
      "statusAt" = CASE WHEN ${waiting} THEN ${now} ELSE "WhatsAppMessage"."statusAt" END,
      "wamid" = accepted.wamid, "lockedUntil" = NULL, "nextAttemptAt" = NULL, "sendStartedAt" = NULL,
      "errorCode" = NULL, "errorTitle" = NULL, "errorDetails" = NULL, "updatedAt" = ${now}
    FROM accepted
    WHERE "WhatsAppMessage"."id" = accepted.id`;
}

/**
 * Still waiting to be sent: a status that named the row by its callback data before its answer
 * came (delivered, read, failed) is further along than "sent", and stays.
 */
const waiting = Prisma.sql`"WhatsAppMessage"."status" IN ('PENDING', 'QUEUED')`;

/**
 * Marks rows whose requests go to Meta now, in one statement, before the requests go: if the
 * process dies before Meta's answer is recorded, the mark tells the next worker that the outcome
 * is unknown (see settleUnknownOutcomes).
 */
async function markStarted(db: Database, ids: string[]) {
  const sql = sqlValues(providerOf(db));
  const now = sql.dateTime(new Date());
  for (const chunk of statementChunks(ids)) {
    await db.$executeRaw`UPDATE "WhatsAppMessage" SET "sendStartedAt" = ${now} WHERE "id" IN (${Prisma.join(chunk.map((id) => sql.text(id)))})`;
  }
}

/**
 * A row no worker holds and no attempt may have left for, of no campaign or a running one. Written
 * as expressions SQLite cannot look up by index: its planner has no statistics, takes an equality
 * on any indexed column (`"sendStartedAt" IS NULL`) for a few rows, and read every unsent row
 * instead — 45 ms a claim in a 100,000-row campaign, against 3, on the thread that paces sends.
 */
function unclaimed(sql: SqlValues, now: Date, runningCampaigns: ReadonlySet<string>) {
  const campaigns = [...runningCampaigns];
  return Prisma.sql`("sendStartedAt" IS NULL) = TRUE AND ("lockedUntil" IS NULL OR "lockedUntil" < ${sql.dateTime(now)})
    AND (("campaignId" IS NULL) = TRUE${campaigns.length > 0 ? Prisma.sql` OR CAST("campaignId" AS TEXT) IN (${Prisma.join(campaigns.map((id) => sql.text(id)))})` : Prisma.empty})`;
}

/**
 * The ids of up to `size` rows due now, earliest due first: queued rows whose time has come (by
 * `nextAttemptAt`, on its index, so that rows waiting for a later day or a backoff are never read),
 * queued rows with no time (due since they were made), and rows whose creator's attempt was
 * abandoned (its lease ended). Not rows claimed and still waiting for their slots, nor rows of a
 * campaign that is not running. On the driver: Prisma's client costs about 20 µs a row read back.
 */
async function dueRows(db: Database, now: Date, runningCampaigns: ReadonlySet<string>, size: number) {
  const rows = await driverQuery<{ id: string; dueAt: string | Date }>(db, dueRowsStatement(sqlValues(providerOf(db)), now, runningCampaigns, size));
  return rows
    .map(({ id, dueAt }) => ({ id, dueAt: new Date(dueAt).getTime() }))
    .sort((a, b) => a.dueAt - b.dueAt)
    .slice(0, size);
}

/** dueRows' statement: each arm on the `(status, nextAttemptAt)` index (outbox-plans.test.ts reads the plans). */
export function dueRowsStatement(sql: SqlValues, now: Date, runningCampaigns: ReadonlySet<string>, size: number) {
  const at = sql.dateTime(now);
  const sendable = Prisma.sql`"direction" = ${sql.enumValue("OUTBOUND", "MessageDirection")} AND ${unclaimed(sql, now, runningCampaigns)}`;
  const queued = sql.enumValue("QUEUED", "MessageStatus");
  return Prisma.sql`
      SELECT "id", "dueAt" FROM (SELECT "id", "nextAttemptAt" AS "dueAt" FROM "WhatsAppMessage"
        WHERE "status" = ${queued} AND "nextAttemptAt" <= ${at} AND ${sendable} ORDER BY "nextAttemptAt" LIMIT ${size}) AS "scheduled"
      UNION ALL
      SELECT "id", "dueAt" FROM (SELECT "id", "createdAt" AS "dueAt" FROM "WhatsAppMessage"
        WHERE "status" = ${queued} AND "nextAttemptAt" IS NULL AND ${sendable} ORDER BY "createdAt" LIMIT ${size}) AS "unscheduled"
      UNION ALL
      SELECT "id", "dueAt" FROM (SELECT "id", "createdAt" AS "dueAt" FROM "WhatsAppMessage"
        WHERE "status" = ${sql.enumValue("PENDING", "MessageStatus")} AND "lockedUntil" IS NOT NULL AND ${sendable} ORDER BY "createdAt" LIMIT ${size}) AS "abandoned"`;
}

/** The claim of `ids` for a lease until `leaseUntil`: looks the rows up by id, whatever else it asks. */
export function claimStatement(sql: SqlValues, now: Date, leaseUntil: Date, ids: readonly string[], runningCampaigns: ReadonlySet<string>) {
  return Prisma.sql`
          UPDATE "WhatsAppMessage" SET "lockedUntil" = ${sql.dateTime(leaseUntil)}, "attempts" = "attempts" + 1, "updatedAt" = ${sql.dateTime(now)}
          WHERE "id" IN (${Prisma.join(ids.map((id) => sql.text(id)))}) AND CAST("status" AS TEXT) IN ('PENDING', 'QUEUED') AND ${unclaimed(sql, now, runningCampaigns)}
          RETURNING "id", "raw", "attempts", "createdAt", "businessPhoneNumberId", "campaignId"`;
}

/** The rows marked "attempt started" (those in flight), on the mark's index: as a range, since SQLite looks up no IS NOT NULL. */
export function markedStatement(sql: SqlValues) {
  return Prisma.sql`SELECT "lockedUntil", "nextAttemptAt" FROM "WhatsAppMessage" WHERE "sendStartedAt" > ${sql.dateTime(new Date(0))}`;
}

/** Exponential backoff with full jitter: retries from many rows never arrive in step. */
export function retryDelayMs(attempt: number, options: Pick<OutboxOptions, "retryBaseMs" | "retryMaxMs">, random = Math.random) {
  const ceiling = Math.min(options.retryMaxMs, options.retryBaseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * The durable outbox. Every outgoing message is a row stored before any network call; an
 * attempt first claims the row (one worker at a time, across instances: a conditional UPDATE
 * with a lease), then sends through the pacer. Retryable failures re-queue the row with
 * backoff; final ones, or too many attempts, mark it FAILED with Meta's reason.
 */
export function createOutbox(deps: OutboxDependencies, overrides: Partial<OutboxOptions> = {}) {
  const options = { ...DEFAULT_OUTBOX_OPTIONS, ...overrides };
  const { db, logger } = deps;
  let timer: NodeJS.Timeout | null = null;
  const inFlight = new Set<Promise<unknown>>();

  /**
   * Attempts whose slot has not come yet, and who waits for fewer: the next batch is claimed while
   * half a batch still waits — counted by slots, not by finished attempts, whose recording lags
   * behind their sends (a claim started when half a batch was recorded found the pacer nearly
   * empty, and sending paused while it ran).
   */
  let waitingForSlots = 0;
  let slotWaiters: Array<{ most: number; resolve: () => void }> = [];
  function slotCame() {
    waitingForSlots--;
    const ready = slotWaiters.filter((waiter) => waitingForSlots <= waiter.most);
    slotWaiters = slotWaiters.filter((waiter) => waitingForSlots > waiter.most);
    for (const waiter of ready) waiter.resolve();
  }
  function atMostWaitingForSlots(most: number): Promise<void> {
    return waitingForSlots <= most ? Promise.resolve() : new Promise((resolve) => slotWaiters.push({ most, resolve }));
  }

  /** The campaigns running at the last look: a claimed row of another one is given back, not sent. */
  let running = new Set<string>();

  /**
   * A campaign's rows go only while it runs: campaigns/ pauses and cancels by its status. It is
   * checked when rows are looked for, when they are claimed, and again when a claimed row's slot
   * comes (against the last look, at most a poll interval old): a pause stops sending within a
   * second, not after the rows already claimed.
   */
  async function lookAtRunningCampaigns() {
    running = new Set((await db.campaign.findMany({ where: { status: "RUNNING" }, select: { id: true } })).map(({ id }) => id));
  }

  /** Gives a claimed row back untried: its campaign was paused or cancelled meanwhile. */
  function release(message: ClaimedRow) {
    return serializedWrite(db, () =>
      db.whatsAppMessage.updateMany({ where: { id: message.id }, data: { lockedUntil: null, attempts: { decrement: 1 } } }),
    );
  }

  /** Claims the rows no other worker holds, in one statement; answers the rows claimed. */
  function claim(ids: string[]): Promise<ClaimedRow[]> {
    const now = new Date();
    const sql = sqlValues(providerOf(db));
    return serializedWrite(db, async () => {
      const rows = await driverQuery<Omit<ClaimedRow, "createdAt" | "attempts"> & { createdAt: string | Date; attempts: number | bigint }>(
        db,
        claimStatement(sql, now, new Date(now.getTime() + options.leaseMs), ids, running),
      );
      return rows.map((row) => ({ ...row, attempts: Number(row.attempts), createdAt: new Date(row.createdAt) }));
    });
  }

  /** Each message leaves from its own number (its conversation's), with that number's client. */
  async function clientFor(message: ClaimedRow): Promise<CloudApi> {
    if (!message.businessPhoneNumberId) throw new CloudApiValidationError("config", "WhatsApp is not configured for this conversation: it has no business number");
    return deps.numbers.cloudApiFor(message.businessPhoneNumberId).catch((error: unknown) => {
      // A number disconnected since the message was queued: a final refusal, with the reason.
      throw error instanceof WhatsAppNotConfiguredError ? new CloudApiValidationError("config", error.message) : error;
    });
  }

  /** Group-committed: the sends whose slots come while one mark is being written share the next. */
  const started = groupCommits(
    async (ids: string[]) => {
      await serializedWrite(db, () => markStarted(db, ids));
      return ids.map(() => undefined);
    },
    { maxSize: 500 },
  );

  /** The row's id rides along as callback data: Meta's statuses name the row even if its answer is lost. */
  async function send(cloudApi: CloudApi, message: ClaimedRow, request: OutboundRequest): Promise<SendResult> {
    await started(message.id);
    const options = { callbackData: callbackDataOf(message.id) };
    if (request.type === "text") return cloudApi.sendText(request.to, request.body, { replyToWamid: request.replyToWamid, ...options });
    if (request.type === "reaction") return cloudApi.sendReaction(request.to, request.wamid, request.emoji, options);
    if (request.type === "media") return cloudApi.sendMedia(request.to, request, options);
    if (request.type === "rich") return cloudApi.sendRich(request.to, request.message, { replyToWamid: request.replyToWamid, ...options });
    return cloudApi.sendTemplate(request.to, request, options);
  }

  function publish(message: WhatsAppMessage) {
    const events: WorkspaceEvent[] = [
      { workspaceId: message.workspaceId, event: { type: "messageStatusChanged", conversationId: message.conversationId, messageId: message.id, status: message.status } },
      { workspaceId: message.workspaceId, event: { type: "conversationUpdated", conversationId: message.conversationId } },
    ];
    publishInboxEvents(deps.pubsub, events);
    deps.mirror.schedule(message.conversationId);
  }

  /** Sends accepted at about the same moment are recorded in one transaction. */
  const recordSuccess = groupCommits(
    (accepted: Array<{ message: ClaimedRow; result: SendResult }>) =>
      serializedWrite(db, () =>
        db.$transaction(async (tx) => {
          await markSent(tx, sqlValues(providerOf(db)), accepted.map(({ message, result }) => ({ id: message.id, wamid: result.wamid })));
          const wamids = accepted.map(({ result }) => result.wamid);
          const early = await tx.pendingStatus.findMany({ where: { wamid: { in: wamids } }, select: { wamid: true }, distinct: ["wamid"] });
          for (const { wamid } of early) await applyPendingStatuses(tx, wamid);
          const rows = await tx.whatsAppMessage.findMany({ where: { id: { in: accepted.map(({ message }) => message.id) } } });
          const byId = new Map(rows.map((row) => [row.id, row]));
          return accepted.map(({ message }) => byId.get(message.id)!);
        }),
      ),
    { maxSize: 200 },
  );

  async function recordFailure(message: ClaimedRow, error: CloudApiError | CloudApiValidationError) {
    const retry = error.retryable && message.attempts < options.maxAttempts;
    // Meta's pair rate: about one message every 6 s to the same customer, whatever the backoff says.
    const delayMs = Math.max(retryDelayMs(message.attempts, options), error instanceof CloudApiError && error.code === PAIR_RATE_LIMIT_CODE ? PAIR_RATE_INTERVAL_MS : 0);
    const fields =
      error instanceof CloudApiError
        ? { errorCode: error.code, errorTitle: error.title, errorDetails: error.details }
        : { errorCode: null, errorTitle: error.message, errorDetails: null };
    const now = new Date();
    // A campaign send that timed out may have reached Meta: it waits for a status, as after a crash.
    const outcomeUnknown = error instanceof CloudApiError && error.kind === "timeout" && message.campaignId !== null;
    const data: Prisma.WhatsAppMessageUpdateManyMutationInput = outcomeUnknown
      ? { ...fields, status: "QUEUED", statusAt: now, lockedUntil: null, nextAttemptAt: new Date(now.getTime() + options.unknownOutcomeGraceMs) }
      : {
          ...fields,
          status: retry ? "QUEUED" : "FAILED",
          statusAt: now,
          lockedUntil: null,
          // Meta answered: the outcome is known (a refusal, or a retryable error before acceptance).
          sendStartedAt: null,
          nextAttemptAt: retry ? new Date(now.getTime() + delayMs) : null,
        };
    return serializedWrite(db, async () => {
      // Only while still waiting: a status naming the row by its callback data (Meta took it after all) stays.
      await db.whatsAppMessage.updateMany({ where: { id: message.id, status: { in: ["PENDING", "QUEUED"] } }, data });
      return db.whatsAppMessage.findUniqueOrThrow({ where: { id: message.id } });
    });
  }

  async function attemptClaimed(message: ClaimedRow): Promise<WhatsAppMessage | null> {
    const { id } = message;
    const request = JSON.parse(message.raw ?? "null") as OutboundRequest;
    let outcome: WhatsAppMessage;
    waitingForSlots++;
    let slotDone = false;
    const slot = () => {
      if (slotDone) return;
      slotDone = true;
      slotCame();
    };
    try {
      const cloudApi = await clientFor(message);
      // Meta's throughput limit is per business number: each number has its own pace.
      const result = await deps.pacer.pace<SendResult | typeof HELD>(message.businessPhoneNumberId!, () => {
        slot();
        return message.campaignId && !running.has(message.campaignId) ? Promise.resolve(HELD) : send(cloudApi, message, request);
      });
      if (result === HELD) {
        await release(message);
        return null;
      }
      outcome = await recordSuccess({ message, result });
    } catch (error) {
      slot();
      if (!(error instanceof CloudApiError || error instanceof CloudApiValidationError)) throw error;
      outcome = await recordFailure(message, error);
      logger.warn({ messageId: id, attempt: message.attempts, status: outcome.status, code: outcome.errorCode }, `WhatsApp send failed: ${outcome.errorTitle}`);
    }
    publish(outcome);
    return outcome;
  }

  /**
   * Rows whose worker died (its lease ended) after their request may have gone to Meta. Each first
   * waits `unknownOutcomeGraceMs` — counted from now, when a live worker, and so a live webhook,
   * is there to hear it — for a status naming it by its callback data, which adopts its wamid and
   * takes it out of the outbox (outbox-callback-data.ts). When none came: a campaign's row fails
   * as "outcome unknown" (a marketing message twice is worse than once not, and the report says
   * which), any other is sent again (an agent's reply must arrive). Each step is one conditional
   * UPDATE, so two instances settling at once do it once, and a status adopting the row meanwhile wins.
   */
  let settledAt = 0;
  /**
   * Whether a row marked started has lost its worker or waited out its grace, from the few rows
   * marked (those in flight). The statements below would read every queued row, each second,
   * while a campaign sends.
   */
  async function anyInDoubt(now: Date) {
    const marked = await driverQuery<{ lockedUntil: string | Date | null; nextAttemptAt: string | Date | null }>(db, markedStatement(sqlValues(providerOf(db))));
    const before = (time: string | Date | null) => time !== null && new Date(time) <= now;
    return marked.some(({ lockedUntil, nextAttemptAt }) => (lockedUntil === null ? before(nextAttemptAt) : before(lockedUntil)));
  }

  async function settleUnknownOutcomes() {
    const now = new Date();
    // Leases and grace periods are counted in seconds: once a poll interval is often enough.
    if (now.getTime() - settledAt < options.pollIntervalMs) return;
    settledAt = now.getTime();
    if (!(await anyInDoubt(now))) return;
    const inDoubt = { direction: "OUTBOUND", status: { in: ["PENDING", "QUEUED"] }, sendStartedAt: { not: null } } satisfies Prisma.WhatsAppMessageWhereInput;
    await serializedWrite(db, () =>
      db.whatsAppMessage.updateMany({
        where: { ...inDoubt, lockedUntil: { lt: now } },
        data: { status: "QUEUED", lockedUntil: null, nextAttemptAt: new Date(now.getTime() + options.unknownOutcomeGraceMs) },
      }),
    );
    const givenUp = { ...inDoubt, lockedUntil: null, nextAttemptAt: { lte: now } } satisfies Prisma.WhatsAppMessageWhereInput;
    const failed = await serializedWrite(db, () =>
      db.whatsAppMessage.updateManyAndReturn({
        where: { ...givenUp, campaignId: { not: null } },
        data: { status: "FAILED", statusAt: now, nextAttemptAt: null, sendStartedAt: null, errorCode: null, errorTitle: UNKNOWN_OUTCOME_TITLE, errorDetails: null },
      }),
    );
    for (const message of failed) {
      logger.warn({ messageId: message.id, campaignId: message.campaignId }, "Campaign send failed: its outcome is unknown");
      publish(message);
    }
    const resent = await serializedWrite(db, () => db.whatsAppMessage.updateMany({ where: { ...givenUp, campaignId: null }, data: { sendStartedAt: null } }));
    if (resent.count > 0) logger.warn({ count: resent.count }, "Sending again messages whose outcome stayed unknown (their server stopped mid-send)");
  }

  /** Every row due now — queued retries, rows whose worker died mid-attempt — and stranded statuses. */
  async function drain() {
    const size = dueBatchSize(deps.pacer.perSecond, options.leaseMs);
    for (;;) {
      // During a drain too: a long campaign must not hold a dead worker's rows unsettled.
      await settleUnknownOutcomes();
      const { due, attempts } = await attemptDueBatch(size);
      if (due < size) {
        await Promise.all(attempts);
        break;
      }
      // A full batch: more are due now. They are claimed while this batch's second half still
      // waits for its slots, so that sending does not pause between batches.
      await atMostWaitingForSlots(Math.floor(size / 2));
    }
    for (const change of await applyStrandedPendingStatuses(db)) {
      publishInboxEvents(deps.pubsub, [
        { workspaceId: change.workspaceId, event: { type: "messageStatusChanged", conversationId: change.conversationId, messageId: change.messageId, status: change.status } },
      ]);
      deps.mirror.schedule(change.conversationId);
    }
  }

  /** Claims up to `size` due rows and starts their attempts; answers how many were due, and the attempts. */
  async function attemptDueBatch(size: number) {
    const now = new Date();
    await lookAtRunningCampaigns();
    const due = await dueRows(db, now, running, size);
    const claimed = due.length > 0 ? await claim(due.map(({ id }) => id)) : [];
    // Oldest first, as they were queued: the pacer lets them go in this order, and a customer reads them so.
    claimed.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
    const attempts = claimed.map((message) => track(attemptClaimed(message)));
    return { due: claimed.length === 0 ? 0 : due.length, attempts };
  }

  function track<T>(work: Promise<T>): Promise<T | null> {
    const guarded = work.catch((error: Error) => {
      logger.error({ err: error }, "Outbox attempt failed unexpectedly");
      return null;
    });
    inFlight.add(guarded);
    void guarded.finally(() => inFlight.delete(guarded));
    return guarded;
  }

  let draining: Promise<void> | null = null;
  return {
    /** The first attempt of a row its creator stored already claimed (see {@link claimedOnCreation}). */
    attemptNow: (message: ClaimedRow) => track(attemptClaimed(message)),
    /** Whether messages can leave from this business number (refused before storing otherwise). */
    sendsFrom: (phoneNumberId: string) =>
      deps.numbers.cloudApiFor(phoneNumberId).then(
        () => true,
        (error: unknown) => {
          if (error instanceof WhatsAppNotConfiguredError) return false;
          throw error;
        },
      ),
    /** Starts retrying due rows (and resuming rows left by a previous run). */
    start() {
      const tick = () => {
        // A failed look (the database busy or gone for a moment) must not stop the outbox: the next tick looks again.
        draining ??= drain()
          .catch((error: Error) => logger.error({ err: error }, "Could not look for due sends; trying again"))
          .finally(() => (draining = null));
      };
      tick();
      timer = setInterval(() => {
        tick();
        // Also while a long drain goes on: a paused campaign's claimed rows are given back within a poll interval.
        lookAtRunningCampaigns().catch(() => undefined);
      }, options.pollIntervalMs);
      timer.unref();
    },
    /** Stops picking up work and waits for attempts under way. */
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await draining;
      await Promise.all(inFlight);
    },
  };
}

export type Outbox = ReturnType<typeof createOutbox>;

/** Columns for a new outbound row that its creator attempts at once: no worker takes it meanwhile. */
export function claimedOnCreation(leaseMs = DEFAULT_OUTBOX_OPTIONS.leaseMs) {
  return { status: "PENDING" as const, attempts: 1, lockedUntil: new Date(Date.now() + leaseMs) };
}
