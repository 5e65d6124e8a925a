import type { Database } from "../db/client.ts";
import { driverQuery } from "../db/driver-transaction.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { mayBeOptOutKeyword, optOutKeywordIn, optOutKeywordsOf, OPT_OUT_BY_KEYWORD, OPT_OUT_IN_WHATSAPP, type ConsentSignal } from "../contacts/consent.ts";
import type { WebhookEvent } from "../whatsapp/webhook-events.ts";
import type { ReceivedMessage } from "./ingest.ts";

/** Whether a delivery could change anyone's consent at all: a short text, or a `user_preferences` change. */
export function mayCarryConsent(received: readonly ReceivedMessage[], events: readonly WebhookEvent[]): boolean {
  return received.some((message) => mayBeOptOutKeyword(message.preview)) || events.some((event) => event.kind === "marketingPreference");
}

export type ConsentSignalsOf = (received: readonly ReceivedMessage[], events: readonly WebhookEvent[]) => Promise<ConsentSignal[]>;

/**
 * The consent changes in a delivery: new messages that are one of their workspace's opt-out
 * keywords (STOP…), and WhatsApp's own `user_preferences` changes. This runs on every webhook,
 * before Meta's answer, so it asks the database nothing when neither can be there. Most texts are
 * short enough to be a keyword: their workspace's list is read on the driver, not Prisma's client
 * (about a millisecond of the thread per delivery, issue 16), and deliveries committed together
 * (group commit) share one read per workspace.
 */
export function createConsentSignals(db: Database): ConsentSignalsOf {
  const loading = new Map<string, Promise<readonly string[]>>();
  function keywordsOf(workspaceId: string) {
    let load = loading.get(workspaceId);
    if (!load) {
      load = driverQuery<{ optOutKeywords: string | null }>(db, Prisma.sql`SELECT "optOutKeywords" FROM "Workspace" WHERE "id" = ${workspaceId}`)
        .then(([workspace]) => (workspace ? optOutKeywordsOf(workspace.optOutKeywords) : []))
        .finally(() => loading.delete(workspaceId));
      loading.set(workspaceId, load);
    }
    return load;
  }

  return async (received, events) => {
    const signals: ConsentSignal[] = [];
    const candidates = received.filter((message) => mayBeOptOutKeyword(message.preview));
    if (candidates.length > 0) {
      const workspaceIds = [...new Set(candidates.map((message) => message.workspaceId))];
      const keywords = new Map(await Promise.all(workspaceIds.map(async (workspaceId) => [workspaceId, await keywordsOf(workspaceId)] as const)));
      const now = new Date();
      for (const message of candidates) {
        const keyword = optOutKeywordIn(message.preview, keywords.get(message.workspaceId) ?? []);
        if (!keyword) continue;
        signals.push({ customer: { workspaceId: message.workspaceId, conversationId: message.conversationId, waId: message.waId, userId: message.userId }, change: "stop", source: OPT_OUT_BY_KEYWORD(keyword), at: now });
      }
    }
    const preferences = events.filter((event) => event.kind === "marketingPreference");
    if (preferences.length > 0) {
      const numbers = await db.whatsAppPhoneNumber.findMany({ where: { phoneNumberId: { in: [...new Set(preferences.map((event) => event.phoneNumberId))] } } });
      const owners = new Map(numbers.map((number) => [number.phoneNumberId, number.workspaceId]));
      for (const event of preferences) {
        const workspaceId = owners.get(event.phoneNumberId);
        if (!workspaceId) continue;
        signals.push({
          customer: { workspaceId, waId: event.waId, userId: event.userId, profileName: event.profileName },
          change: event.change,
          source: event.detail ?? OPT_OUT_IN_WHATSAPP,
          at: event.at,
        });
      }
    }
    return signals;
  };
}
