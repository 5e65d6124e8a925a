import type { Database } from "../db/client.ts";
import { mayBeOptOutKeyword, optOutKeywordIn, optOutKeywordsOf, OPT_OUT_BY_KEYWORD, OPT_OUT_IN_WHATSAPP, type ConsentSignal } from "../contacts/consent.ts";
import type { WebhookEvent } from "../whatsapp/webhook-events.ts";
import type { ReceivedMessage } from "./ingest.ts";

/**
 * The consent changes in a delivery: new messages that are one of their workspace's opt-out
 * keywords (STOP…), and WhatsApp's own `user_preferences` changes. Asks the database nothing
 * when neither is there: this runs on every webhook.
 */
export async function consentSignalsOf(db: Database, received: readonly ReceivedMessage[], events: readonly WebhookEvent[]): Promise<ConsentSignal[]> {
  const signals: ConsentSignal[] = [];
  const candidates = received.filter((message) => mayBeOptOutKeyword(message.preview));
  if (candidates.length > 0) {
    const workspaces = await db.workspace.findMany({ where: { id: { in: [...new Set(candidates.map((message) => message.workspaceId))] } }, select: { id: true, optOutKeywords: true } });
    const keywords = new Map(workspaces.map((workspace) => [workspace.id, optOutKeywordsOf(workspace.optOutKeywords)]));
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
}
