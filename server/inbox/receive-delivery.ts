import type { Config } from "../config.ts";
import type { Database } from "../db/client.ts";
import type { Logger } from "../logger.ts";
import type { WorkspaceEvent } from "../realtime/events.ts";
import { publishInboxEvents, type InboxPubSub } from "../realtime/pubsub.ts";
import type { DeliveryTimeline } from "../step-timing.ts";
import type { QualityUpdateEvent, WebhookEvent } from "../whatsapp/webhook-events.ts";
import { createConsentSignals, mayCarryConsent } from "./consent-signals.ts";
import { applyConsentSignals } from "../contacts/consent.ts";
import { createIngest, type IngestResult, type TemplateAccountRef, type TemplateStatusStore } from "./ingest.ts";
import type { AutoReplyRunner } from "./auto-replies.ts";
import { applyPhoneBookChanges } from "../contacts/phone-book.ts";
import type { HistoryImporter } from "./history-import.ts";

/**
 * What receiving a delivery sets off in other domains, wired in app.ts: inbox/ imports none of
 * them, so that none of them has to avoid importing inbox/.
 */
export interface DeliveryDependencies {
  db: Database;
  config: Config;
  logger: Logger;
  pubsub: InboxPubSub;
  /** The conversation files (storage/). */
  mirror: { schedule(conversationId: string): void };
  /** The template cache (templates/): statuses stored with the delivery, missing templates synced after. */
  templates?: { applyStatuses: TemplateStatusStore; syncAccount(workspaceId: string, businessAccountId: string): Promise<unknown> };
  /** Answers newly received messages by the workspace's auto-reply rules (autoreply/); never waited for. */
  autoReplies?: AutoReplyRunner;
  /** Captures the business app's history chunks (coexistence); imported after the answer. */
  history?: Pick<HistoryImporter, "capture">;
  /** A business number's quality or limit changed (campaigns/ pauses its campaigns): done before Meta is answered. */
  qualityUpdates?: (events: QualityUpdateEvent[]) => Promise<void>;
}

/**
 * `acknowledge` answers Meta. It is called once everything is committed and before the work the
 * commit sets off, so that the answer waits for the commit only: auto-replies start queries which,
 * with SQLite, would otherwise run before the answer is written.
 */
export type ReceiveDelivery = (events: readonly WebhookEvent[], acknowledge: () => unknown, timeline?: DeliveryTimeline | null) => Promise<void>;

/**
 * Receives one webhook delivery, once whatsapp/ has turned it into events: everything in it is
 * stored in one transaction (shared with the deliveries arriving at the same moment: ingest.ts);
 * then, after the commit only, subscribers hear of it, the conversation files are rewritten, the
 * new messages get their auto-replies and missing templates are fetched. Meta is acknowledged only
 * for what is durable; the promise rejects, nothing of it stored and nothing acknowledged, otherwise.
 */
export function createDeliveryReceiver(deps: DeliveryDependencies): ReceiveDelivery {
  const ingest = createIngest(deps.db, deps.templates?.applyStatuses);
  const consentSignalsOf = createConsentSignals(deps.db);
  return async (events, acknowledge, timeline) => {
    const result = await ingest(events, timeline);
    timeline?.mark("commit");
    // Coexistence's other fields: durable before Meta hears 200, like the messages. Each check
    // before the answer costs nothing (no query, no await) when the delivery has none of its events.
    if (events.some(isBusinessAppState)) await receiveBusinessAppState(deps, events);
    // Before the answer: a customer who asked to stop must be opted out even if we crash now (Meta delivers again).
    const signals = mayCarryConsent(result.received, events) ? await consentSignalsOf(result.received, events) : [];
    const optedOut = signals.length > 0 ? await applyConsentSignals(deps.db, signals) : [];
    const qualityUpdates = events.filter((event) => event.kind === "qualityUpdate");
    if (qualityUpdates.length > 0 && deps.qualityUpdates) await deps.qualityUpdates(qualityUpdates);
    timeline?.mark("before the answer");
    // Not the delivery's failure: an answer that never reached Meta only makes it deliver again.
    await Promise.resolve(acknowledge()).catch((error: unknown) => deps.logger.warn({ err: error }, "Could not answer a stored webhook delivery"));
    timeline?.mark("answer");
    try {
      afterCommit(deps, result, events);
      publishInboxEvents(
        deps.pubsub,
        optedOut.flatMap(({ workspaceId, conversationId }) => (conversationId ? [{ workspaceId, event: { type: "conversationUpdated" as const, conversationId } }] : [])),
      );
    } catch (error) {
      // Stored is stored: a failure here must not make Meta deliver it again.
      deps.logger.error({ err: error }, "Could not hand on a stored webhook delivery");
    }
    timeline?.mark("after commit");
    timeline?.end();
  };
}

/** Live events, file mirroring, auto-replies, template syncs and the log lines — never before the commit. */
function afterCommit(deps: DeliveryDependencies, result: IngestResult, events: readonly WebhookEvent[]) {
  const published: WorkspaceEvent[] = [
    ...result.received.map(({ workspaceId, conversationId, messageId }) => ({
      workspaceId,
      event: { type: "messageAdded" as const, conversationId, messageId },
    })),
    ...result.statusChanges.map(({ workspaceId, conversationId, messageId, status }) => ({
      workspaceId,
      event: { type: "messageStatusChanged" as const, conversationId, messageId, status },
    })),
    ...result.conversations.map(({ workspaceId, conversationId }) => ({
      workspaceId,
      event: { type: "conversationUpdated" as const, conversationId },
    })),
  ];
  publishInboxEvents(deps.pubsub, published);
  for (const conversationId of new Set(published.flatMap(({ event }) => ("conversationId" in event ? [event.conversationId] : [])))) deps.mirror.schedule(conversationId);

  for (const message of result.received) {
    const customer = message.waId ? `+${message.waId}` : message.userId;
    deps.logger.info(message.sender === "customer" ? `Received message from ${customer}: ${message.preview}` : `Sent from the WhatsApp Business app to ${customer}: ${message.preview}`);
  }
  // Only new messages: a re-delivered one is a duplicate, answered (or not) when it first came.
  // What the business sent from its phone is an agent's answer, never a question for the rules.
  deps.autoReplies?.handle(result.received.filter((message) => message.sender === "customer"));
  for (const account of result.templatesMissing) void syncTemplates(deps, account);
  if (result.unrouted > 0) deps.logger.warn({ count: result.unrouted }, "Webhook changes for a business number no workspace owns: kept in the unrouted log");
  const otherFields = events.filter((event) => event.kind === "other").map((event) => event.field);
  if (otherFields.length > 0) deps.logger.info({ fields: otherFields }, "Webhook changes of fields the inbox does not handle");
}

const isBusinessAppState = (event: WebhookEvent) => event.kind === "appContact" || event.kind === "history";

/**
 * The business app's address book and chat history, for numbers a workspace owns: others went to
 * the unrouted log with the rest of the delivery (ingest.ts).
 */
async function receiveBusinessAppState(deps: DeliveryDependencies, events: readonly WebhookEvent[]) {
  const contacts = events.filter((event) => event.kind === "appContact");
  const history = events.filter((event) => event.kind === "history");
  const ids = [...new Set([...contacts, ...history].map((event) => event.phoneNumberId))];
  const numbers = await deps.db.whatsAppPhoneNumber.findMany({ where: { phoneNumberId: { in: ids } }, select: { phoneNumberId: true, workspaceId: true } });
  const owner = new Map(numbers.map((number) => [number.phoneNumberId, number.workspaceId]));
  for (const workspaceId of new Set(owner.values())) {
    const ours = (event: { phoneNumberId: string }) => owner.get(event.phoneNumberId) === workspaceId;
    const changes = contacts.filter(ours);
    if (changes.length > 0) {
      const applied = await applyPhoneBookChanges(deps.db, workspaceId, changes);
      deps.logger.info({ ...applied }, "WhatsApp Business app contacts synced");
    }
    await deps.history?.capture(workspaceId, history.filter(ours));
  }
}

/** A status for a template created at Meta since the last sync: fetch the list, in the background. */
async function syncTemplates(deps: DeliveryDependencies, { workspaceId, businessAccountId }: TemplateAccountRef) {
  try {
    // Only workspaces that own a number of the account get its template statuses: synced through that number.
    await deps.templates?.syncAccount(workspaceId, businessAccountId);
  } catch (error) {
    deps.logger.warn({ err: error }, "Could not sync the message templates");
  }
}
