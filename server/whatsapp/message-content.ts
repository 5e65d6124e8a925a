/**
 * What a WhatsApp message says, in the product's words (a union by `kind`), and the one line a
 * conversation list shows for it. Made from Meta's inbound message here, so that nothing past
 * whatsapp/ reads Meta's field names; an agent's attachment (inbox/send.service.ts) is described
 * with the same union and gets its preview from the same function.
 */
import type { messageBodySchema } from "./webhook.ts";
import type { z } from "zod";

type MessageBody = z.infer<typeof messageBodySchema>;

/** The type of a history message whose media is not sent yet. */
export const MEDIA_PLACEHOLDER_TYPE = "media_placeholder";
import { addressLine, formFields, type FormField } from "./interactive.ts";

export const MEDIA_TYPES = ["image", "video", "audio", "document", "sticker"] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

export interface MediaContent {
  kind: "media";
  mediaType: MediaType;
  /** Meta's media id: the bytes are fetched with it after the commit (media/). */
  mediaId: string;
  mimeType: string | null;
  sha256: string | null;
  caption: string | null;
  /** Documents only. */
  filename: string | null;
  /** An audio recorded as a voice note. */
  voice: boolean;
}

/**
 * A new kind of message (a Flow's answer, a payment…) is a new variant here, with its preview in
 * previewOf and its columns in inbox/message-content.ts.
 */
export type MessageContent =
  | { kind: "text"; text: string }
  | MediaContent
  | { kind: "location"; latitude: number; longitude: number; name: string | null; address: string | null }
  /** Shared contact cards, each by its name (else its first number). */
  | { kind: "contacts"; names: string[] }
  /** A null emoji takes an earlier reaction back. */
  | { kind: "reaction"; emoji: string | null; toWamid: string }
  /** A button or list item the customer picked (template quick reply, interactive reply). */
  | { kind: "choice"; title: string; id: string | null; description?: string | null }
  | { kind: "order"; itemCount: number; note: string | null; items?: OrderItem[]; total?: number | null; currency?: string | null }
  /**
   * A Flow's submission (`nfm_reply`): the form's fields, readable, and Meta's `response_json` as
   * received; an address form (`address_message`) also has its address in one line.
   */
  | { kind: "formReply"; name: string; flowToken: string | null; responseJson: string; fields: FormField[]; address: string | null }
  /** The customer's answer to a request for permission to call them. */
  | { kind: "callPermission"; accepted: boolean; permanent: boolean; expiresAt: Date | null }
  | { kind: "system"; text: string | null }
  /** A message WhatsApp could not pass on (`unsupported`), with Meta's reason. */
  | { kind: "unsupported"; reason: string | null }
  /** A history message whose media follows in a later history webhook (or never, past 14 days). */
  | { kind: "mediaPlaceholder" }
  /** A type this product does not read (or one without its body): kept raw, previewed as "[type]". */
  | { kind: "unknown"; type: string };

export interface OrderItem {
  productId: string;
  quantity: number;
  /** The price of one, in `currency`. */
  itemPrice: number | null;
  currency: string | null;
}

/** A conversation list shows one line: long texts are cut here, the full text stays in `text`. */
export const PREVIEW_MAX_CHARACTERS = 120;

/** How much of the message reacted to a reaction's preview quotes. */
const REACTION_QUOTE_MAX_CHARACTERS = 60;
/** Previews are English; whatsapp/ imports nothing of ours, so not server/plural.ts. */
const ENGLISH_PLURALS = new Intl.PluralRules("en");

export function oneLine(text: string, max = PREVIEW_MAX_CHARACTERS): string {
  const flat = text.replace(/\s+/g, " ").trim();
  const characters = Array.from(flat);
  return characters.length > max ? `${characters.slice(0, max - 1).join("")}…` : flat;
}

function labelled(label: string, detail?: string | null) {
  return detail?.trim() ? `[${label}] ${oneLine(detail)}` : `[${label}]`;
}

const MEDIA_LABELS: Record<MediaType, string> = { image: "Image", video: "Video", audio: "Audio", document: "Document", sticker: "Sticker" };

/** "[Image] caption", "[Location] name", "👍 reacted to a message"… */
export function previewOf(content: MessageContent): string {
  switch (content.kind) {
    case "text":
    case "choice":
      return oneLine(content.kind === "text" ? content.text : content.title);
    case "media": {
      const label = content.mediaType === "audio" && content.voice ? "Voice message" : MEDIA_LABELS[content.mediaType];
      return labelled(label, content.mediaType === "document" ? (content.filename ?? content.caption) : content.caption);
    }
    case "location":
      return labelled("Location", content.name ?? content.address ?? `${content.latitude}, ${content.longitude}`);
    case "contacts": {
      const more = content.names.length > 1 ? ` and ${content.names.length - 1} more` : "";
      return labelled("Contact", `${content.names[0]}${more}`);
    }
    case "reaction":
      return content.emoji ? `${content.emoji} reacted to a message` : "Removed a reaction";
    case "order":
      return labelled("Order", `${content.itemCount} ${ENGLISH_PLURALS.select(content.itemCount) === "one" ? "item" : "items"}${content.note ? ` · ${content.note}` : ""}`);
    case "formReply":
      return content.address !== null ? labelled("Address", content.address) : labelled("Form submitted", content.fields.map((field) => field.value).join(" · "));
    case "callPermission":
      return content.accepted ? "[Calls] Allowed calls" : "[Calls] Declined calls";
    case "system":
      return labelled("System", content.text);
    case "unsupported":
      return labelled("Unsupported message", content.reason);
    case "mediaPlaceholder":
      return "[Media]";
    case "unknown":
      return `[${content.type}]`;
  }
}

/** A reaction's preview once the message it reacts to is known: "👍 reacted to “…”". */
export function reactionPreview(emoji: string | null, reactedToPreview: string): string {
  return emoji ? `${emoji} reacted to “${oneLine(reactedToPreview, REACTION_QUOTE_MAX_CHARACTERS)}”` : "Removed a reaction";
}

/** A customer's message in the product's words. A type with its body missing counts as unknown. */
export function contentOf(message: MessageBody): MessageContent {
  const { type } = message;
  if (type === "text" && message.text) return { kind: "text", text: message.text.body };
  if (isMediaType(type)) {
    const media = message[type];
    if (media) {
      return {
        kind: "media",
        mediaType: type,
        mediaId: media.id,
        mimeType: media.mime_type ?? null,
        sha256: media.sha256 ?? null,
        caption: media.caption ?? null,
        filename: media.filename ?? null,
        voice: media.voice === true,
      };
    }
  }
  if (type === "location" && message.location) {
    const { latitude, longitude, name, address } = message.location;
    return { kind: "location", latitude, longitude, name: name ?? null, address: address ?? null };
  }
  if (type === "contacts" && message.contacts?.length) {
    return { kind: "contacts", names: message.contacts.map((contact) => contact.name?.formatted_name ?? contact.phones?.[0]?.phone ?? "contact") };
  }
  if (type === "reaction" && message.reaction) {
    return { kind: "reaction", emoji: message.reaction.emoji || null, toWamid: message.reaction.message_id };
  }
  if (type === "interactive" && message.interactive) {
    const { button_reply, list_reply, nfm_reply, call_permission_reply } = message.interactive;
    if (button_reply) return { kind: "choice", title: button_reply.title, id: button_reply.id };
    if (list_reply) return { kind: "choice", title: list_reply.title, id: list_reply.id, description: list_reply.description ?? null };
    if (nfm_reply) return formReplyOf(nfm_reply.name ?? "flow", nfm_reply.response_json);
    if (call_permission_reply) {
      const expires = call_permission_reply.expiration_timestamp;
      return {
        kind: "callPermission",
        accepted: call_permission_reply.response === "accept",
        permanent: call_permission_reply.is_permanent === true,
        expiresAt: typeof expires === "number" ? new Date(expires * 1000) : null,
      };
    }
  }
  if (type === "button" && message.button) return { kind: "choice", title: message.button.text, id: message.button.payload ?? null };
  if (type === "order" && message.order) {
    const items: OrderItem[] = (message.order.product_items ?? []).map((item) => ({
      productId: item.product_retailer_id ?? "",
      quantity: item.quantity ?? 1,
      itemPrice: item.item_price !== undefined && Number.isFinite(Number(item.item_price)) ? Number(item.item_price) : null,
      currency: item.currency ?? null,
    }));
    const itemCount = items.reduce((sum, item) => sum + item.quantity, 0);
    const currencies = new Set(items.map((item) => item.currency));
    const priced = items.every((item) => item.itemPrice !== null) && currencies.size === 1;
    const total = priced && items.length > 0 ? Math.round(items.reduce((sum, item) => sum + item.quantity * item.itemPrice!, 0) * 100) / 100 : null;
    return { kind: "order", itemCount, note: message.order.text ?? null, items, total, currency: priced ? (items[0]?.currency ?? null) : null };
  }
  if (type === "system" && message.system) return { kind: "system", text: message.system.body ?? null };
  if (type === MEDIA_PLACEHOLDER_TYPE) return { kind: "mediaPlaceholder" };
  if (type === "unsupported") {
    const error = message.errors?.[0];
    return { kind: "unsupported", reason: error?.title ?? error?.message ?? null };
  }
  return { kind: "unknown", type };
}

/** A Flow's `response_json` is a JSON string: an unreadable one is kept as received, with no fields. */
function formReplyOf(name: string, responseJson: string): MessageContent {
  let response: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(responseJson);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) response = parsed as Record<string, unknown>;
  } catch {
    // Kept as received in responseJson.
  }
  const flowToken = typeof response.flow_token === "string" ? response.flow_token : null;
  if (name === "address_message") {
    const values = typeof response.values === "object" && response.values !== null ? (response.values as Record<string, unknown>) : {};
    return { kind: "formReply", name, flowToken, responseJson, fields: formFields(values), address: addressLine(values) };
  }
  return { kind: "formReply", name, flowToken, responseJson, fields: formFields(response), address: null };
}

function isMediaType(type: string): type is MediaType {
  return (MEDIA_TYPES as readonly string[]).includes(type);
}
