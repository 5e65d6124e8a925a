import { countOf } from "../plural.ts";
import type { InboundMessage, MediaObject } from "../whatsapp/webhook.ts";

/** The columns of a stored message that come from what the customer sent. */
export interface MessageContent {
  type: string;
  text: string | null;
  preview: string;
  mediaId?: string | null;
  mediaMimeType?: string | null;
  mediaSha256?: string | null;
  mediaFilename?: string | null;
  latitude?: number | null;
  longitude?: number | null;
  locationName?: string | null;
  locationAddress?: string | null;
  reactionEmoji?: string | null;
  reactionToWamid?: string | null;
  contextWamid?: string | null;
}

/** A conversation list shows one line: long texts are cut here, the full text stays in `text`. */
export const PREVIEW_MAX_CHARACTERS = 120;

export function oneLine(text: string, max = PREVIEW_MAX_CHARACTERS): string {
  const flat = text.replace(/\s+/g, " ").trim();
  const characters = Array.from(flat);
  return characters.length > max ? `${characters.slice(0, max - 1).join("")}…` : flat;
}

function labelled(label: string, detail?: string | null) {
  return detail?.trim() ? `[${label}] ${oneLine(detail)}` : `[${label}]`;
}

const MEDIA_LABELS = { image: "Image", video: "Video", audio: "Audio", document: "Document", sticker: "Sticker" } as const;
type MediaType = keyof typeof MEDIA_LABELS;

/** Also describes the media an agent sends (media/media-upload.service.ts). */
export function mediaContent(type: MediaType, media: MediaObject): MessageContent {
  const label = type === "audio" && media.voice ? "Voice message" : MEDIA_LABELS[type];
  const detail = type === "document" ? (media.filename ?? media.caption) : media.caption;
  return {
    type,
    text: media.caption ?? null,
    preview: labelled(label, detail),
    mediaId: media.id,
    mediaMimeType: media.mime_type ?? null,
    mediaSha256: media.sha256 ?? null,
    mediaFilename: media.filename ?? null,
  };
}

/**
 * What a customer's message says, for storage and for the inbox: the text, the media and
 * location fields, and a readable one-line preview ("[Image] caption", "[Location] name",
 * "👍 reacted to a message"…). Unknown types keep their raw JSON and a "[type]" preview.
 */
export function describeInboundMessage(message: InboundMessage): MessageContent {
  const content = describeBody(message);
  return { ...content, contextWamid: message.context?.id ?? null };
}

function describeBody(message: InboundMessage): MessageContent {
  const { type } = message;
  if (type === "text" && message.text) {
    return { type, text: message.text.body, preview: oneLine(message.text.body) };
  }
  if (type in MEDIA_LABELS) {
    const media = message[type as MediaType];
    if (media) return mediaContent(type as MediaType, media);
  }
  if (type === "location" && message.location) {
    const { latitude, longitude, name, address } = message.location;
    return {
      type,
      text: [name, address].filter(Boolean).join("\n") || null,
      preview: labelled("Location", name ?? address ?? `${latitude}, ${longitude}`),
      latitude,
      longitude,
      locationName: name ?? null,
      locationAddress: address ?? null,
    };
  }
  if (type === "contacts" && message.contacts?.length) {
    const names = message.contacts.map((contact) => contact.name?.formatted_name ?? contact.phones?.[0]?.phone ?? "contact");
    const more = names.length > 1 ? ` and ${names.length - 1} more` : "";
    return { type, text: names.join("\n"), preview: labelled("Contact", `${names[0]}${more}`) };
  }
  if (type === "reaction" && message.reaction) {
    const emoji = message.reaction.emoji || null;
    return {
      type,
      text: emoji,
      preview: emoji ? `${emoji} reacted to a message` : "Removed a reaction",
      reactionEmoji: emoji,
      reactionToWamid: message.reaction.message_id,
    };
  }
  if (type === "interactive" && message.interactive) {
    const reply = message.interactive.button_reply ?? message.interactive.list_reply;
    if (reply) return { type, text: reply.title, preview: oneLine(reply.title) };
  }
  if (type === "button" && message.button) {
    return { type, text: message.button.text, preview: oneLine(message.button.text) };
  }
  if (type === "order" && message.order) {
    const items = message.order.product_items?.reduce((sum, item) => sum + (item.quantity ?? 1), 0) ?? 0;
    const summary = `${countOf(items, "item")}${message.order.text ? ` · ${message.order.text}` : ""}`;
    return { type, text: message.order.text ?? null, preview: labelled("Order", summary) };
  }
  if (type === "system" && message.system) {
    return { type, text: message.system.body ?? null, preview: labelled("System", message.system.body) };
  }
  if (type === "unsupported") {
    const reason = message.errors?.[0]?.title ?? message.errors?.[0]?.message;
    return { type, text: reason ?? null, preview: labelled("Unsupported message", reason) };
  }
  return { type, text: null, preview: `[${type}]` };
}
