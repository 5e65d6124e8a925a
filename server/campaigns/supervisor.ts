import { OPT_OUT_IN_WHATSAPP } from "../contacts/consent.ts";
import type { QualityUpdateEvent } from "../whatsapp/webhook-events.ts";
import { publishInboxEvents } from "../realtime/pubsub.ts";
import { serializedWrite } from "../db/write-queue.ts";
import type { Campaign } from "../generated/prisma/client.ts";
import { MessagingLimitError } from "./messaging-limit.ts";
import { dropUnsent, labelReplies, REPLY_WINDOW_MS, pauseRunning, publishCampaign, queueCampaign, type CampaignDependencies } from "./campaigns.service.ts";

/**
 * Meta's signs that a number's messages are unwanted: sending restricted for spam (131048),
 * held back for ecosystem engagement (131049), the account restricted for policy (368, 131031).
 */
export const SPAM_RELATED_CODES = [131048, 131049, 368, 131031];

export interface SupervisorOptions {
  /** How often campaigns are looked at. @default 1_000 ms */
  intervalMs: number;
  /** Spam-related failures within `spamWindowMs` that pause a campaign. @default 10 */
  spamFailures: number;
  /** @default 300_000 ms (5 minutes) */
  spamWindowMs: number;
  /** How often replies are looked for to label their conversations. @default 10_000 ms */
  replyLabelIntervalMs: number;
}

export const DEFAULT_SUPERVISOR_OPTIONS: SupervisorOptions = { intervalMs: 1_000, spamFailures: 10, spamWindowMs: 300_000, replyLabelIntervalMs: 10_000 };

/**
 * How long after it completes a campaign's report is still pushed every tick: delivered and read
 * statuses keep arriving for a while after the last message is sent.
 */
export const LATE_STATUSES_MS = 3600_000;

/** Quality events that pause a number's campaigns: its limit went down, or it was flagged. */
const TROUBLE = new Set(["DOWNGRADE", "FLAGGED"]);

/**
 * Runs on every instance; each step is a conditional update, so instances never step on each
 * other: starts scheduled campaigns when due, pauses running ones that meet a burst of
 * spam-related errors, completes those with nothing left to send, drops what a cancelled
 * campaign's dead workers held, and tells subscribers of progress.
 */
export function createCampaignSupervisor(deps: CampaignDependencies, overrides: Partial<SupervisorOptions> = {}) {
  const options = { ...DEFAULT_SUPERVISOR_OPTIONS, ...overrides };
  const { db, logger } = deps;
  let timer: NodeJS.Timeout | null = null;
  let ticking: Promise<void> | null = null;
  let repliesLabelledAt = 0;
  /** Longer than a send claimed before a pause can take: a poll, then the API's answer or timeout. */
  const settlingMs = deps.config.WHATSAPP_API_TIMEOUT_MS + 5 * options.intervalMs;

  /** Replies of campaigns still in their reply window get the campaign's label. */
  async function labelRecentReplies(now: Date) {
    const campaigns = await db.campaign.findMany({
      where: { startedAt: { not: null }, OR: [{ completedAt: null }, { completedAt: { gte: new Date(now.getTime() - REPLY_WINDOW_MS) } }] },
    });
    for (const campaign of campaigns) {
      const labelled = await labelReplies(db, campaign);
      // A new reply changes the campaign's report too.
      if (labelled.length > 0) publishCampaign(deps.pubsub, campaign);
      publishInboxEvents(deps.pubsub, labelled.map((conversationId) => ({ workspaceId: campaign.workspaceId, event: { type: "conversationUpdated" as const, conversationId } })));
    }
  }

  /** A scheduled campaign the messaging limit refused goes back to draft, saying why: the admin splits it or narrows it. */
  async function backToDraft(campaign: Campaign, reason: string) {
    const { count } = await serializedWrite(db, () => db.campaign.updateMany({ where: { id: campaign.id, status: "SCHEDULED" }, data: { status: "DRAFT", pausedReason: reason } }));
    if (count === 0) return;
    logger.warn({ campaignId: campaign.id }, `Scheduled campaign "${campaign.name}" not started: ${reason}`);
    publishCampaign(deps.pubsub, campaign);
  }

  async function tick() {
    const now = new Date();
    for (const campaign of await db.campaign.findMany({ where: { status: "SCHEDULED", scheduledAt: { lte: now } } })) {
      await queueCampaign(deps, campaign, ["SCHEDULED"], campaign.createdById).catch(async (error: Error) => {
        if (error instanceof MessagingLimitError) return backToDraft(campaign, error.message);
        logger.debug({ err: error, campaignId: campaign.id }, "Scheduled campaign already started elsewhere");
      });
    }
    for (const campaign of await db.campaign.findMany({ where: { status: "RUNNING" } })) {
      // Since the admin's last resume only: they resumed knowing of the earlier ones.
      const since = Math.max(now.getTime() - options.spamWindowMs, campaign.resumedAt?.getTime() ?? 0);
      const spam = await db.whatsAppMessage.count({
        where: { campaignId: campaign.id, status: "FAILED", errorCode: { in: SPAM_RELATED_CODES }, statusAt: { gte: new Date(since) } },
      });
      if (spam >= options.spamFailures) {
        await pauseRunning(deps, { id: campaign.id }, `Paused automatically: ${spam} messages refused by WhatsApp as spam-related (131048 and kin) in the last ${Math.round(options.spamWindowMs / 60_000)} minutes`);
        continue;
      }
      // Only the count it needs, on the (campaignId, status) index: this runs every second while sending.
      const queued = await db.whatsAppMessage.count({ where: { campaignId: campaign.id, status: { in: ["PENDING", "QUEUED"] } } });
      // After the count: with nothing queued, every refusal is recorded and seen before it completes.
      await optOutWhomWhatsAppStopped(deps, campaign);
      if (queued === 0) {
        await db.campaign.updateMany({ where: { id: campaign.id, status: "RUNNING" }, data: { status: "COMPLETED", completedAt: now } });
      }
      publishCampaign(deps.pubsub, campaign);
    }
    // Subscribers read the report again: statuses that arrived since the last tick show.
    for (const campaign of await db.campaign.findMany({ where: { status: "COMPLETED", completedAt: { gte: new Date(now.getTime() - LATE_STATUSES_MS) } }, select: { id: true, workspaceId: true } })) {
      publishCampaign(deps.pubsub, campaign);
    }
    if (now.getTime() - repliesLabelledAt >= options.replyLabelIntervalMs) {
      repliesLabelledAt = now.getTime();
      await labelRecentReplies(now);
    }
    const recentlyCancelled = await db.campaign.findMany({
      where: { status: "CANCELLED", updatedAt: { gte: new Date(now.getTime() - 24 * 3600_000) } },
      select: { id: true, workspaceId: true },
    });
    for (const campaign of recentlyCancelled) {
      if ((await dropUnsent(db, campaign.id)) > 0) publishCampaign(deps.pubsub, campaign);
    }
    // Rows under way when an admin paused or cancelled still finish (or time out) after the
    // move: subscribers read those campaigns again for a while, so their counts do not stop short.
    const settling = await db.campaign.findMany({
      where: { status: { in: ["PAUSED", "CANCELLED"] }, updatedAt: { gte: new Date(now.getTime() - settlingMs) } },
      select: { id: true, workspaceId: true },
    });
    for (const campaign of settling) publishCampaign(deps.pubsub, campaign);
  }

  return {
    tick,
    start() {
      const run = () => {
        ticking ??= tick()
          .catch((error: Error) => logger.error({ err: error }, "Could not look after campaigns; trying again"))
          .finally(() => (ticking = null));
      };
      timer = setInterval(run, options.intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await ticking;
    },
  };
}

/** Meta's answer for a customer who stopped the business's marketing messages in WhatsApp. */
const MARKETING_OPT_OUT_CODE = 131050;

/**
 * A recipient Meta refused with 131050 stopped marketing messages in WhatsApp: their contact is
 * opted out, so that the next campaign leaves them out before asking Meta.
 */
async function optOutWhomWhatsAppStopped(deps: CampaignDependencies, { id: campaignId, workspaceId }: { id: string; workspaceId: string }) {
  const refused = await deps.db.whatsAppMessage.findMany({ where: { campaignId, status: "FAILED", errorCode: MARKETING_OPT_OUT_CODE }, select: { idempotencyKey: true } });
  const contactIds = refused.map((row) => row.idempotencyKey?.split(":")[2]).filter((id): id is string => !!id);
  if (contactIds.length === 0) return;
  await deps.db.contact.updateMany({
    where: { id: { in: contactIds }, workspaceId, marketingConsent: { not: "OPTED_OUT" } },
    data: { marketingConsent: "OPTED_OUT", marketingConsentAt: new Date(), marketingConsentSource: OPT_OUT_IN_WHATSAPP },
  });
}

export type CampaignSupervisor = ReturnType<typeof createCampaignSupervisor>;

/**
 * A number's quality fell (DOWNGRADE) or was flagged (FLAGGED): its workspaces' running campaigns
 * pause, saying so. The event names the number by its display number and business account.
 */
export async function pauseOnQualityTrouble(deps: CampaignDependencies, events: readonly QualityUpdateEvent[]) {
  for (const event of events.filter((update) => TROUBLE.has(update.event))) {
    const numbers = await deps.db.whatsAppPhoneNumber.findMany({ where: { OR: [{ businessAccountId: event.businessAccountId }, { displayPhoneNumber: { not: null } }] } });
    const workspaces = new Set(
      numbers
        .filter((number) => (number.displayPhoneNumber ?? "").replace(/\D/g, "") === event.displayPhoneNumber || number.businessAccountId === event.businessAccountId)
        .map((number) => number.workspaceId),
    );
    const reason =
      event.event === "FLAGGED"
        ? `Paused automatically: WhatsApp flagged the quality of +${event.displayPhoneNumber}`
        : `Paused automatically: WhatsApp lowered the messaging limit of +${event.displayPhoneNumber}${event.limit ? ` to ${event.limit}` : ""}`;
    for (const workspaceId of workspaces) await pauseRunning(deps, { workspaceId }, reason);
  }
}
