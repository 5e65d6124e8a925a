/**
 * What a webhook delivery means, in the product's words: parseWebhook (webhook.ts) turns Meta's
 * payloads into these events, and inbox/ reads nothing else — no snake_case, no Unix-seconds
 * strings. A new kind of webhook (the business app's echoes, history, user preferences, quality
 * updates…) is a new variant of WebhookEvent; a new kind of message a new MessageContent.
 */
import type { MessageContent } from "./message-content.ts";

export const STATUS_VALUES = ["sent", "delivered", "read", "played", "failed"] as const;
export type DeliveryStatus = (typeof STATUS_VALUES)[number];

/**
 * Who wrote to the business. At least one of waId and userId is set: since usernames, a customer
 * may arrive with no number at all.
 */
export interface Customer {
  /** Their WhatsApp id: the number, digits only; null while hidden behind a username. */
  waId: string | null;
  /** Their business-scoped user ID (BSUID), e.g. IN.1502576394655843. */
  userId: string | null;
  /** The BSUID shared across a managed business's portfolios (US.ENT.…): an alias, never their userId. */
  parentUserId: string | null;
  /** Their WhatsApp username, without the @. */
  username: string | null;
  /** Their WhatsApp profile name, when Meta sent one (system messages have none). */
  profileName: string | null;
}

/**
 * Who wrote a message: the customer, or the business itself from the WhatsApp Business app on
 * its phone (coexistence: `smb_message_echoes`, and the business's side of an imported history).
 */
export type MessageSender = "customer" | "businessApp";

/** A message between a customer and a business number: the customer's, or an echo of the business app's. */
export interface MessageEvent {
  kind: "message";
  sender: MessageSender;
  phoneNumberId: string;
  customer: Customer;
  wamid: string;
  /** When the customer sent it (Meta's clock). */
  sentAt: Date;
  /** WhatsApp's message type ("text", "image", "interactive"…), stored as is, also when unread. */
  type: string;
  content: MessageContent;
  /** The conversation list's line for it (previewOf). */
  preview: string;
  /** The message it quotes. */
  replyToWamid: string | null;
  /**
   * A `user_changed_number` or `user_changed_user_id` system message: the customer's new
   * identifiers (the sender fields still name the old ones). Null for every other message.
   */
  identityChange: IdentityChange | null;
  /** Meta's message object as received: stored verbatim beside the message, read by nothing. */
  raw: unknown;
}

/** What a customer is known by after changing their number (a new BSUID comes with it) or their BSUID. */
export interface IdentityChange {
  waId: string | null;
  userId: string | null;
}

export interface DeliveryError {
  /** Meta's error code (see errors.ts). */
  code: number;
  title: string | null;
  message: string | null;
  details: string | null;
}

/** What Meta charges for a message. */
export interface Pricing {
  billable: boolean | null;
  /** e.g. PMP (per message), CBP (per conversation). */
  model: string | null;
  /** e.g. marketing, utility, authentication, service. */
  category: string | null;
}

/** A delivery status of a message the business sent. Unknown status words are dropped. */
export interface StatusEvent {
  kind: "status";
  phoneNumberId: string;
  wamid: string;
  status: DeliveryStatus;
  at: Date;
  /** Why it failed (the first of Meta's errors). */
  error: DeliveryError | null;
  pricing: Pricing | null;
  /** The send's `biz_opaque_callback_data`, echoed by Meta: the outbox row it came from, before its wamid is known. */
  callbackData: string | null;
  /** Meta's status object as received: kept with a status whose message is not stored yet. */
  raw: unknown;
}

/**
 * `field: "message_template_status_update"`: Meta reviewed, paused, disabled… a message template
 * of the business account `businessAccountId` (the entry's id). Names no business number.
 */
export interface TemplateStatusEvent {
  kind: "templateStatus";
  phoneNumberId: null;
  businessAccountId: string;
  /** Meta's template id; Meta sends it as a JSON number. */
  templateId: string | null;
  name: string;
  language: string | null;
  /** APPROVED, REJECTED, PENDING, PAUSED, DISABLED, REINSTATED, FLAGGED, PENDING_DELETION… */
  event: string;
  /** Why (a rejection's reason); Meta says "NONE" when there is none. */
  reason: string | null;
}

/**
 * `field: "smb_app_state_sync"`: the business added (or edited) or removed a contact in the
 * WhatsApp Business app's address book. At least one of waId and userId is set.
 */
export interface AppContactEvent {
  kind: "appContact";
  phoneNumberId: string;
  action: "add" | "remove";
  waId: string | null;
  userId: string | null;
  username: string | null;
  /** The name in the business's address book; absent on removals. */
  name: string | null;
  /** When the business changed it (Meta's clock). */
  at: Date | null;
}

/**
 * `field: "history"`: a chunk of the business app's past chats (or the owner's refusal to share
 * them). Only its envelope is checked on the webhook's path; `value` is read by readHistory
 * (history.ts) when the chunk is imported.
 */
export interface HistoryEvent {
  kind: "history";
  phoneNumberId: string;
  value: unknown;
}

/**
 * `field: "user_preferences"`: a customer stopped (or resumed) marketing messages from the
 * business in WhatsApp itself. Meta then refuses marketing templates to them (131050).
 */
export interface MarketingPreferenceEvent {
  kind: "marketingPreference";
  phoneNumberId: string;
  /** The customer's WhatsApp id (Meta: "may not always match" their number); null if only a BSUID came. */
  waId: string | null;
  userId: string | null;
  profileName: string | null;
  change: "stop" | "resume";
  /** Meta's description, e.g. "User requested to stop marketing messages". */
  detail: string | null;
  at: Date;
}

/**
 * `field: "phone_number_quality_update"`: a business number's messaging limit or throughput
 * changed, or its quality was flagged. Names the number by its display number only, under the
 * business account `businessAccountId` (the entry's id).
 */
export interface QualityUpdateEvent {
  kind: "qualityUpdate";
  phoneNumberId: null;
  businessAccountId: string;
  /** Digits, as Meta writes it, e.g. 15550783881; empty for the portfolio's `business_capability_update`. */
  displayPhoneNumber: string;
  /** DOWNGRADE, FLAGGED, UNFLAGGED, UPGRADE, ONBOARDING, THROUGHPUT_UPGRADE…; CAPABILITY_UPDATE for `business_capability_update`. */
  event: string;
  /** TIER_250, TIER_2K, TIER_10K, TIER_100K, TIER_UNLIMITED… (`max_daily_conversations_per_business`, else the older `current_limit`). */
  limit: string | null;
}

/** A change this product does not handle (account updates…): acknowledged, logged. */
export interface OtherChange {
  kind: "other";
  field: string;
  phoneNumberId: string | null;
  value: unknown;
}

/**
 * A message or status in a well-formed change that does not match Meta's documented shape (a new
 * field format, such as usernames without a phone number): acknowledged and kept, not stored.
 */
export interface UnreadableItem {
  kind: "unreadable";
  phoneNumberId: string;
  reason: string;
  raw: unknown;
}

export type WebhookEvent =
  | MessageEvent
  | StatusEvent
  | TemplateStatusEvent
  | AppContactEvent
  | HistoryEvent
  | MarketingPreferenceEvent
  | QualityUpdateEvent
  | OtherChange
  | UnreadableItem;
