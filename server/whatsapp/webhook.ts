/**
 * Meta's webhook payloads for the WhatsApp Cloud API (`field: "messages"` and
 * `"message_template_status_update"`), as documented, and their translation into the product's
 * events (webhook-events.ts). Speaks only Meta's language: imports nothing of ours.
 * Objects are loose: Meta adds fields over time, and unknown ones must not refuse a payload.
 */
import { z } from "zod";
import { BSUID_PATTERN } from "./customer-id.ts";
import { contentOf, previewOf } from "./message-content.ts";
import { describeIssues, metaPath } from "./webhook-issues.ts";
import { tierOfLimit } from "./messaging-limit-tiers.ts";
import {
  STATUS_VALUES,
  type AppContactEvent,
  type Customer,
  type MessageSender,
  type DeliveryStatus,
  type MarketingPreferenceEvent,
  type MessageEvent,
  type QualityUpdateEvent,
  type OtherChange,
  type StatusEvent,
  type TemplateStatusEvent,
  type UnreadableItem,
  type WebhookEvent,
} from "./webhook-events.ts";

/** Meta sends Unix seconds as strings. */
const unixSeconds = z.string().regex(/^\d{1,12}$/, "must be Unix seconds");
/** wa_ids and phone number ids are digits only; never used as paths unchecked elsewhere. */
const digits = z.string().regex(/^\d{1,20}$/, "must be digits");

const bsuid = z.string().regex(BSUID_PATTERN, "must be a business-scoped user ID such as IN.1502576394655843");

/** Early drafts of the username rollout sent "" for a withheld identifier: "" counts as absent. */
function optionalId<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => (value === "" || value === null ? undefined : value), schema.optional());
}

export const metaErrorSchema = z.looseObject({
  code: z.number(),
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.looseObject({ details: z.string().optional() }).optional(),
});
export type MetaError = z.infer<typeof metaErrorSchema>;

const mediaSchema = z.looseObject({
  id: z.string(),
  mime_type: z.string().optional(),
  sha256: z.string().optional(),
  caption: z.string().optional(),
  filename: z.string().optional(),
  voice: z.boolean().optional(),
  animated: z.boolean().optional(),
  url: z.string().optional(),
});
export type MediaObject = z.infer<typeof mediaSchema>;

const sharedContactSchema = z.looseObject({
  name: z.looseObject({ formatted_name: z.string().optional(), first_name: z.string().optional() }).optional(),
  phones: z.array(z.looseObject({ phone: z.string().optional(), wa_id: z.string().optional() })).optional(),
});

/** A message's own fields, whoever sent it: a customer (`messages`), the business app (echoes, history). */
export const messageBodySchema = z.looseObject({
  /** Absent when the customer's number is hidden behind a username. */
  from: optionalId(digits),
  from_user_id: optionalId(bsuid),
  from_parent_user_id: optionalId(bsuid),
  id: z.string().min(1).max(256),
  timestamp: unixSeconds,
  type: z.string().min(1),
  context: z
    .looseObject({ from: z.string().optional(), id: z.string().optional(), forwarded: z.boolean().optional() })
    .optional(),
  referral: z
    .looseObject({
      source_url: z.string().optional(),
      source_type: z.string().optional(),
      headline: z.string().optional(),
      body: z.string().optional(),
    })
    .optional(),
  errors: z.array(metaErrorSchema).optional(),
  text: z.looseObject({ body: z.string() }).optional(),
  image: mediaSchema.optional(),
  video: mediaSchema.optional(),
  audio: mediaSchema.optional(),
  document: mediaSchema.optional(),
  sticker: mediaSchema.optional(),
  location: z
    .looseObject({
      latitude: z.number(),
      longitude: z.number(),
      name: z.string().optional(),
      address: z.string().optional(),
    })
    .optional(),
  contacts: z.array(sharedContactSchema).optional(),
  reaction: z.looseObject({ message_id: z.string(), emoji: z.string().optional() }).optional(),
  interactive: z
    .looseObject({
      type: z.string(),
      button_reply: z.looseObject({ id: z.string(), title: z.string() }).optional(),
      list_reply: z.looseObject({ id: z.string(), title: z.string(), description: z.string().optional() }).optional(),
      /** A Flow's submission; `response_json` is a JSON string holding the fields and the flow_token. */
      nfm_reply: z.looseObject({ name: z.string().optional(), body: z.string().optional(), response_json: z.string() }).optional(),
      call_permission_reply: z
        .looseObject({ response: z.string(), is_permanent: z.boolean().optional(), expiration_timestamp: z.number().optional() })
        .optional(),
    })
    .optional(),
  button: z.looseObject({ text: z.string(), payload: z.string().optional() }).optional(),
  order: z
    .looseObject({
      catalog_id: z.string().optional(),
      text: z.string().optional(),
      product_items: z
        .array(
          z.looseObject({
            product_retailer_id: z.string().optional(),
            quantity: z.number().optional(),
            item_price: z.union([z.number(), z.string()]).optional(),
            currency: z.string().optional(),
          }),
        )
        .optional(),
    })
    .optional(),
  // user_changed_number: wa_id is the new number (and user_id the new BSUID, when BSUIDs are on);
  // user_changed_user_id: user_id is the new BSUID. An identifier we cannot read is dropped.
  system: z
    .looseObject({
      body: z.string().optional(),
      type: z.string().optional(),
      wa_id: optionalId(digits).catch(undefined),
      user_id: optionalId(bsuid).catch(undefined),
    })
    .optional(),
});

export const inboundMessageSchema = messageBodySchema.refine((message) => message.from !== undefined || message.from_user_id !== undefined, {
  message: "names no customer (neither from nor from_user_id)",
  path: ["from"],
});
export type InboundMessage = z.infer<typeof inboundMessageSchema>;

/**
 * `smb_message_echoes`: a message the business sent from the WhatsApp Business app (or a linked
 * device). `from` is the business's own number, `to` the customer's (`to_user_id` their BSUID
 * once usernames hide the number).
 */
export const echoMessageSchema = messageBodySchema
  .extend({ to: optionalId(digits), to_user_id: optionalId(bsuid), to_parent_user_id: optionalId(bsuid) })
  .refine((message) => message.to !== undefined || message.to_user_id !== undefined, {
    message: "names no customer (neither to nor to_user_id)",
    path: ["to"],
  });
export type EchoMessage = z.infer<typeof echoMessageSchema>;

const businessNumberValue = {
  messaging_product: z.literal("whatsapp"),
  metadata: z.looseObject({ display_phone_number: z.string(), phone_number_id: digits }),
};

export const echoesValueSchema = z.looseObject({ ...businessNumberValue, message_echoes: z.array(z.unknown()) });

/** `smb_app_state_sync`: the business app's address book; `add` is also an edit. */
export const appStateValueSchema = z.looseObject({
  ...businessNumberValue,
  state_sync: z.array(z.unknown()),
});
export const appStateItemSchema = z.looseObject({
  type: z.string(),
  action: z.string(),
  contact: z
    .looseObject({
      full_name: optionalId(z.string().max(512)),
      first_name: optionalId(z.string().max(512)),
      phone_number: optionalId(z.string().max(32)),
      user_id: optionalId(bsuid),
      username: optionalId(z.string().max(256)),
    })
    .optional(),
  metadata: z.looseObject({ timestamp: z.union([unixSeconds, z.number().int().nonnegative()]) }).optional(),
});

/**
 * `history`: only the envelope is read on the webhook's path. A chunk may hold thousands of
 * messages; Meta advises capturing it first and processing it afterwards (history.ts reads it).
 */
export const historyValueSchema = z.looseObject({ ...businessNumberValue, history: z.array(z.unknown()) });

export const statusSchema = z.looseObject({
  id: z.string().min(1).max(256),
  status: z.string(),
  timestamp: unixSeconds,
  /** Absent when the message went to a BSUID and the customer's number is hidden. */
  recipient_id: optionalId(z.string()),
  recipient_user_id: optionalId(bsuid),
  recipient_parent_user_id: optionalId(bsuid),
  errors: z.array(metaErrorSchema).optional(),
  // What the send carried as biz_opaque_callback_data (the outbox names its row there). A value we
  // cannot read costs only itself: the status still applies by its wamid.
  biz_opaque_callback_data: z.string().min(1).max(512).optional().catch(undefined),
  // What Meta charges for the message. Informational: a shape we cannot read is dropped rather
  // than costing the status itself.
  pricing: z
    .looseObject({ billable: z.boolean().optional(), pricing_model: z.string().max(64).optional(), category: z.string().max(64).optional() })
    .optional()
    .catch(undefined),
});
export type StatusUpdate = z.infer<typeof statusSchema>;

/** Who a message came from, as `contacts[]` describes them; any identifier may be missing. */
const contactSchema = z.looseObject({
  profile: z.looseObject({ name: optionalId(z.string()), username: optionalId(z.string().max(256)) }).optional(),
  wa_id: optionalId(digits),
  user_id: optionalId(bsuid),
  parent_user_id: optionalId(bsuid),
});
type MetaContact = z.infer<typeof contactSchema>;

export const messagesValueSchema = z.looseObject({
  messaging_product: z.literal("whatsapp"),
  metadata: z.looseObject({ display_phone_number: z.string(), phone_number_id: digits }),
  // A contact entry only adds names to a message: one we cannot read costs the names, never the batch.
  contacts: z.array(contactSchema.nullable().catch(null)).optional(),
  // Items are checked one by one (see messagesChangeEvents): one unreadable message must not
  // refuse its whole batch, which Meta would then retry for days with every other message in it.
  messages: z.array(z.unknown()).optional(),
  statuses: z.array(z.unknown()).optional(),
  errors: z.array(metaErrorSchema).optional(),
});
export type MessagesValue = z.infer<typeof messagesValueSchema>;

export const webhookPayloadSchema = z.looseObject({
  object: z.literal("whatsapp_business_account"),
  entry: z.array(
    z.looseObject({
      id: z.string(),
      changes: z.array(z.looseObject({ field: z.string(), value: z.unknown() })),
    }),
  ),
});
export type WebhookPayload = z.infer<typeof webhookPayloadSchema>;

export const templateStatusValueSchema = z.looseObject({
  event: z.string().min(1).max(64),
  message_template_id: z.union([z.number(), z.string().regex(/^\d{1,30}$/)]).optional(),
  message_template_name: z.string().min(1).max(512),
  message_template_language: z.string().max(32).optional(),
  reason: z.string().nullable().optional(),
});

export const userPreferencesValueSchema = z.looseObject({
  metadata: z.looseObject({ phone_number_id: digits }),
  contacts: z.array(contactSchema.nullable().catch(null)).optional(),
  user_preferences: z.array(
    z.looseObject({
      wa_id: optionalId(digits),
      user_id: optionalId(bsuid),
      detail: z.string().max(512).optional(),
      category: z.string().max(64),
      value: z.string().max(64),
      // Meta documents an integer here, unlike the strings of messages: both are read.
      timestamp: z.union([z.number().int().nonnegative(), unixSeconds]),
    }),
  ),
});

export const qualityUpdateValueSchema = z.looseObject({
  display_phone_number: z.string().min(1).max(32),
  event: z.string().min(1).max(64),
  current_limit: z.string().max(64).optional(),
  max_daily_conversations_per_business: z.string().max(64).optional(),
});

/** The portfolio's new limits: `max_daily_conversations_per_business` is a number (-1: unlimited) or a tier name. */
export const capabilityUpdateValueSchema = z.looseObject({
  max_daily_conversations_per_business: z.union([z.number().int(), z.string().max(64)]).optional(),
});


export class WebhookShapeError extends Error {
  override name = "WebhookShapeError";
}

/**
 * Validates a webhook body and turns it — several entries, changes, messages and statuses, for
 * several customers and business numbers — into the product's events (webhook-events.ts), in the
 * order Meta listed them. Throws WebhookShapeError when the body is not a WhatsApp webhook we can read.
 */
export function parseWebhook(body: unknown): WebhookEvent[] {
  const payload = webhookPayloadSchema.safeParse(body);
  if (!payload.success) throw new WebhookShapeError(describeIssues(payload.error, body));
  const events: WebhookEvent[] = [];
  payload.data.entry.forEach((entry, entryIndex) =>
    entry.changes.forEach((change, changeIndex) => {
      const where = metaPath(["entry", entryIndex, "changes", changeIndex, "value"]);
      const read = Object.hasOwn(FIELDS, change.field) ? FIELDS[change.field]!(change.value, { businessAccountId: entry.id, where }) : null;
      events.push(...(read ?? [otherChange(change.field, change.value)]));
    }),
  );
  return events;
}

/**
 * How each webhook field the product handles becomes events; null: not readable as that field,
 * acknowledged and logged as "other". A field Meta adds is a line here and a variant of WebhookEvent.
 */
const FIELDS: Record<string, (value: unknown, change: { businessAccountId: string; where: string }) => WebhookEvent[] | null> = {
  messages: (value, { where }) => {
    const parsed = messagesValueSchema.safeParse(value);
    // Refused (400) rather than acknowledged: it may carry customers' messages.
    if (!parsed.success) throw new WebhookShapeError(describeIssues(parsed.error, value, where));
    return messagesChangeEvents(parsed.data, where);
  },
  // A BSUID change announced outside a message. Kept in the unrouted log, not applied: Meta's
  // pages show no payload for it yet, and the system messages carry the same change.
  user_id_update: (value) => [{ kind: "unreadable", phoneNumberId: otherChange("user_id_update", value).phoneNumberId ?? "", reason: "user_id_update is kept, not applied", raw: value }],
  smb_message_echoes: (value, { where }) => {
    const parsed = echoesValueSchema.safeParse(value);
    // Refused like a messages change: it carries what the business wrote to its customers.
    if (!parsed.success) throw new WebhookShapeError(describeIssues(parsed.error, value, where));
    const phoneNumberId = parsed.data.metadata.phone_number_id;
    return parsed.data.message_echoes.map((item, index) => {
      const echo = echoMessageSchema.safeParse(item);
      if (!echo.success) return { kind: "unreadable", phoneNumberId, reason: describeIssues(echo.error, item, metaPath(["message_echoes", index], where)), raw: item };
      return echoEvent(phoneNumberId, echo.data);
    });
  },
  history: (value, { where }) => {
    const parsed = historyValueSchema.safeParse(value);
    if (!parsed.success) throw new WebhookShapeError(describeIssues(parsed.error, value, where));
    return [{ kind: "history", phoneNumberId: parsed.data.metadata.phone_number_id, value: parsed.data }];
  },
  smb_app_state_sync: (value, { where }) => {
    const parsed = appStateValueSchema.safeParse(value);
    if (!parsed.success) return null;
    const phoneNumberId = parsed.data.metadata.phone_number_id;
    const events: WebhookEvent[] = [];
    for (const [index, item] of parsed.data.state_sync.entries()) {
      const change = appContactChange(item);
      if (change === null) {
        const at = metaPath(["state_sync", index], where);
        events.push({ kind: "unreadable", phoneNumberId, reason: `${at} is not a contact added or removed`, raw: item });
      } else if (change !== "ignored") events.push({ kind: "appContact", phoneNumberId, ...change });
    }
    return events;
  },
  // Only the marketing category is documented; others are logged as "other" until we know them.
  user_preferences: (value) => {
    const parsed = userPreferencesValueSchema.safeParse(value);
    if (!parsed.success) return null;
    const events = marketingPreferenceEvents(parsed.data);
    return events.length > 0 ? events : null;
  },
  phone_number_quality_update: (value, { businessAccountId }) => {
    const parsed = qualityUpdateValueSchema.safeParse(value);
    return parsed.success ? [qualityUpdateEvent(businessAccountId, parsed.data)] : null;
  },
  // A portfolio-wide change, so no number is named: every number of the account takes the new limit.
  business_capability_update: (value, { businessAccountId }) => {
    const parsed = capabilityUpdateValueSchema.safeParse(value);
    const limit = parsed.success ? parsed.data.max_daily_conversations_per_business : undefined;
    if (limit === undefined) return null;
    const tier = typeof limit === "number" ? tierOfLimit(limit) : limit;
    return tier ? [{ kind: "qualityUpdate", phoneNumberId: null, businessAccountId, displayPhoneNumber: "", event: "CAPABILITY_UPDATE", limit: tier }] : null;
  },
  // One we cannot read is only logged: the next template sync corrects the cache anyway.
  message_template_status_update: (value, { businessAccountId }) => {
    const parsed = templateStatusValueSchema.safeParse(value);
    return parsed.success ? [templateStatusEvent(businessAccountId, parsed.data)] : null;
  },
};

function otherChange(field: string, value: unknown): OtherChange {
  const metadata = (value as { metadata?: { phone_number_id?: unknown } } | null)?.metadata;
  return { kind: "other", field, phoneNumberId: typeof metadata?.phone_number_id === "string" ? metadata.phone_number_id : null, value };
}

function messagesChangeEvents(value: MessagesValue, where: string): WebhookEvent[] {
  const phoneNumberId = value.metadata.phone_number_id;
  const contacts = (value.contacts ?? []).filter((contact) => contact !== null);
  const unreadable = (raw: unknown, error: z.ZodError, at: string): UnreadableItem => ({ kind: "unreadable", phoneNumberId, reason: describeIssues(error, raw, at), raw });
  const events: WebhookEvent[] = (value.messages ?? []).map((item, index) => {
    const parsed = inboundMessageSchema.safeParse(item);
    if (!parsed.success) return unreadable(item, parsed.error, metaPath(["messages", index], where));
    return messageEvent(phoneNumberId, parsed.data, customerOf(parsed.data, contacts));
  });
  for (const [index, item] of (value.statuses ?? []).entries()) {
    const parsed = statusSchema.safeParse(item);
    if (!parsed.success) events.push(unreadable(item, parsed.error, metaPath(["statuses", index], where)));
    else if (isDeliveryStatus(parsed.data.status)) events.push(statusEvent(phoneNumberId, parsed.data, parsed.data.status));
  }
  return events;
}

/**
 * The sender with everything `contacts[]` says of them: the entry with their BSUID, else the one
 * with their number (a delivery may hold several customers, with and without visible numbers).
 */
function customerOf(message: InboundMessage, contacts: MetaContact[]): Customer {
  const contact =
    (message.from_user_id ? contacts.find((entry) => entry.user_id === message.from_user_id) : undefined) ??
    (message.from ? contacts.find((entry) => entry.wa_id === message.from) : undefined);
  return {
    waId: message.from ?? contact?.wa_id ?? null,
    userId: message.from_user_id ?? contact?.user_id ?? null,
    parentUserId: message.from_parent_user_id ?? contact?.parent_user_id ?? null,
    username: contact?.profile?.username?.replace(/^@/, "") ?? null,
    profileName: contact?.profile?.name ?? null,
  };
}

function echoEvent(phoneNumberId: string, echo: EchoMessage): MessageEvent {
  const customer: Customer = { waId: echo.to ?? null, userId: echo.to_user_id ?? null, parentUserId: echo.to_parent_user_id ?? null, username: null, profileName: null };
  return messageEvent(phoneNumberId, echo, customer, "businessApp");
}

/** An address-book change of the business app; "ignored": another kind of app state (labels…). */
function appContactChange(item: unknown): Omit<AppContactEvent, "kind" | "phoneNumberId"> | "ignored" | null {
  const parsed = appStateItemSchema.safeParse(item);
  if (!parsed.success) return null;
  const { type, action, contact, metadata } = parsed.data;
  if (type !== "contact") return "ignored";
  if ((action !== "add" && action !== "remove") || !contact) return null;
  const waId = contact.phone_number?.replace(/\D/g, "") || null;
  const userId = contact.user_id ?? null;
  if (!waId && !userId) return null;
  return {
    action,
    waId,
    userId,
    username: contact.username?.replace(/^@/, "") ?? null,
    name: contact.full_name ?? contact.first_name ?? null,
    at: metadata ? fromUnixSeconds(String(metadata.timestamp)) : null,
  };
}

export function messageEvent(phoneNumberId: string, message: z.infer<typeof messageBodySchema>, customer: Customer, sender: MessageSender = "customer"): MessageEvent {
  const content = contentOf(message);
  return {
    kind: "message",
    sender,
    phoneNumberId,
    customer,
    wamid: message.id,
    sentAt: fromUnixSeconds(message.timestamp),
    type: message.type,
    content,
    preview: previewOf(content),
    replyToWamid: message.context?.id ?? null,
    identityChange: identityChangeOf(message),
    raw: message,
  };
}

const IDENTITY_CHANGES = ["user_changed_number", "user_changed_user_id"];

function identityChangeOf(message: InboundMessage) {
  const { system } = message;
  if (message.type !== "system" || !system?.type || !IDENTITY_CHANGES.includes(system.type)) return null;
  if (!system.wa_id && !system.user_id) return null;
  return { waId: system.wa_id ?? null, userId: system.user_id ?? null };
}

function statusEvent(phoneNumberId: string, status: StatusUpdate, value: DeliveryStatus): StatusEvent {
  const error = status.errors?.[0];
  return {
    kind: "status",
    phoneNumberId,
    wamid: status.id,
    status: value,
    at: fromUnixSeconds(status.timestamp),
    error: error
      ? { code: error.code, title: error.title ?? null, message: error.message ?? null, details: error.error_data?.details ?? null }
      : null,
    pricing: status.pricing
      ? { billable: status.pricing.billable ?? null, model: status.pricing.pricing_model ?? null, category: status.pricing.category ?? null }
      : null,
    callbackData: status.biz_opaque_callback_data ?? null,
    raw: status,
  };
}

function templateStatusEvent(businessAccountId: string, value: z.infer<typeof templateStatusValueSchema>): TemplateStatusEvent {
  return {
    kind: "templateStatus",
    phoneNumberId: null,
    businessAccountId,
    templateId: value.message_template_id === undefined ? null : String(value.message_template_id),
    name: value.message_template_name,
    language: value.message_template_language ?? null,
    event: value.event.toUpperCase(),
    reason: value.reason ?? null,
  };
}

function marketingPreferenceEvents(value: z.infer<typeof userPreferencesValueSchema>): MarketingPreferenceEvent[] {
  const contacts = (value.contacts ?? []).filter((contact) => contact !== null);
  return value.user_preferences.flatMap((preference) => {
    const change = preference.value.toLowerCase();
    if (preference.category !== "marketing_messages" || (change !== "stop" && change !== "resume")) return [];
    if (!preference.wa_id && !preference.user_id) return [];
    const contact = contacts.find((entry) => (preference.wa_id && entry.wa_id === preference.wa_id) || (preference.user_id && entry.user_id === preference.user_id));
    return [
      {
        kind: "marketingPreference",
        phoneNumberId: value.metadata.phone_number_id,
        waId: preference.wa_id ?? null,
        userId: preference.user_id ?? contact?.user_id ?? null,
        profileName: contact?.profile?.name ?? null,
        change,
        detail: preference.detail ?? null,
        at: fromUnixSeconds(String(preference.timestamp)),
      },
    ];
  });
}

function qualityUpdateEvent(businessAccountId: string, value: z.infer<typeof qualityUpdateValueSchema>): QualityUpdateEvent {
  return {
    kind: "qualityUpdate",
    phoneNumberId: null,
    businessAccountId,
    displayPhoneNumber: value.display_phone_number.replace(/\D/g, ""),
    event: value.event.toUpperCase(),
    limit: value.max_daily_conversations_per_business ?? value.current_limit ?? null,
  };
}

/** Meta's timestamps are Unix seconds, as text (checked by unixSeconds). */
export function fromUnixSeconds(seconds: string): Date {
  return new Date(Number(seconds) * 1000);
}

function isDeliveryStatus(value: string): value is DeliveryStatus {
  return (STATUS_VALUES as readonly string[]).includes(value);
}
