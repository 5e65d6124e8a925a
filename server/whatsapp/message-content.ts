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
  | { kind: "choice"; title: string; id: string | null }
  | { kind: "order"; itemCount: number; note: string | null }
  | { kind: "system"; text: string | null }
  /** A message WhatsApp could not pass on (`unsupported`), with Meta's reason. */
  | { kind: "unsupported"; reason: string | null }
  /** A history message whose media follows in a later history webhook (or never, past 14 days). */
  | { kind: "mediaPlaceholder" }
  /** A type this product does not read (or one without its body): kept raw, previewed as "[type]". */
  | { kind: "unknown"; type: string };

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
    const reply = message.interactive.button_reply ?? message.interactive.list_reply;
    if (reply) return { kind: "choice", title: reply.title, id: reply.id };
  }
  if (type === "button" && message.button) return { kind: "choice", title: message.button.text, id: message.button.payload ?? null };
  if (type === "order" && message.order) {
    const itemCount = message.order.product_items?.reduce((sum, item) => sum + (item.quantity ?? 1), 0) ?? 0;
    return { kind: "order", itemCount, note: message.order.text ?? null };
  }
  if (type === "system" && message.system) return { kind: "system", text: message.system.body ?? null };
  if (type === MEDIA_PLACEHOLDER_TYPE) return { kind: "mediaPlaceholder" };
  if (type === "unsupported") {
    const error = message.errors?.[0];
    return { kind: "unsupported", reason: error?.title ?? error?.message ?? null };
  }
  return { kind: "unknown", type };
}

function isMediaType(type: string): type is MediaType {
  return (MEDIA_TYPES as readonly string[]).includes(type);
}
