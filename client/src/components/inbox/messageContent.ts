import type { ChatMessageFragment } from "../../graphql/generated/graphql.ts";

/** What a bubble shows for a message, by WhatsApp type; media also gets a readable label (MessageMedia.vue shows the file). */
export type MessageBody =
  | { kind: "text"; text: string }
  | { kind: "media"; icon: string; label: string; caption: string | null }
  | { kind: "location"; label: string; address: string | null; mapUrl: string | null }
  | { kind: "contacts"; names: string[] }
  | { kind: "template"; name: string; text: string | null }
  | { kind: "reaction"; text: string }
  | { kind: "notice"; text: string };

type MessageFields = Pick<
  ChatMessageFragment,
  | "type"
  | "text"
  | "preview"
  | "mediaFilename"
  | "latitude"
  | "longitude"
  | "locationName"
  | "locationAddress"
  | "reactionEmoji"
  | "templateName"
>;

/** The server's preview labels ("[Image] caption") and how the inbox says them. */
const LABELS: Record<string, { icon: string; label: string }> = {
  Image: { icon: "📷", label: "Photo" },
  Video: { icon: "🎥", label: "Video" },
  Audio: { icon: "🎵", label: "Audio" },
  "Voice message": { icon: "🎤", label: "Voice message" },
  Document: { icon: "📄", label: "Document" },
  Sticker: { icon: "💟", label: "Sticker" },
  Location: { icon: "📍", label: "Location" },
  Contact: { icon: "👤", label: "Contact" },
  Order: { icon: "🛒", label: "Order" },
  Template: { icon: "📋", label: "Template" },
  Buttons: { icon: "🔘", label: "Buttons" },
  List: { icon: "☰", label: "List" },
  Link: { icon: "🔗", label: "Link" },
  "Location request": { icon: "📍", label: "Location request" },
  Form: { icon: "📝", label: "Form" },
  "Form submitted": { icon: "📝", label: "Form submitted" },
  Address: { icon: "🏠", label: "Address" },
  Calls: { icon: "📞", label: "Calls" },
};

const MEDIA_TYPES: Record<string, string> = { image: "Image", video: "Video", audio: "Audio", document: "Document", sticker: "Sticker" };

/** "https://www.google.com/maps?q=12.9716,77.5946": opens the pin in Google Maps. */
export function mapLink(latitude: number, longitude: number): string {
  return `https://www.google.com/maps?q=${latitude},${longitude}`;
}

/**
 * A list preview with the server's "[Image] caption" label said the inbox's way: "📷 Photo: caption".
 * Anything else (a text, "👍 reacted to …") is shown as it is.
 */
export function readablePreview(preview: string | null | undefined): string {
  if (!preview) return "";
  const labelled = /^\[([^\]]+)\](?: (.*))?$/s.exec(preview);
  const known = labelled && LABELS[labelled[1]];
  if (!labelled || !known) return preview;
  return labelled[2] ? `${known.icon} ${known.label}: ${labelled[2]}` : `${known.icon} ${known.label}`;
}

export function describeMessage(message: MessageFields): MessageBody {
  const mediaType = MEDIA_TYPES[message.type];
  if (mediaType) {
    // The server's preview tells a voice note from other audio ("[Voice message]").
    const known = LABELS[message.preview.startsWith("[Voice message]") ? "Voice message" : mediaType];
    const label = message.type === "document" && message.mediaFilename ? message.mediaFilename : known.label;
    return { kind: "media", icon: known.icon, label, caption: message.text };
  }
  switch (message.type) {
    case "text":
    case "interactive":
    case "button":
      return { kind: "text", text: message.text ?? message.preview };
    case "location": {
      const { latitude, longitude } = message;
      const hasPin = latitude !== null && longitude !== null;
      return {
        kind: "location",
        label: message.locationName ?? (hasPin ? `${latitude}, ${longitude}` : "Location"),
        address: message.locationAddress,
        mapUrl: hasPin ? mapLink(latitude, longitude) : null,
      };
    }
    case "contacts":
      return { kind: "contacts", names: (message.text ?? "").split("\n").filter(Boolean) };
    case "template":
      return { kind: "template", name: message.templateName ?? "template", text: message.text };
    case "reaction":
      return { kind: "reaction", text: message.reactionEmoji ? `${message.reactionEmoji} reacted to a message` : "Removed a reaction" };
    default:
      // Orders, system notices, unsupported types: the server's readable one-line summary.
      return { kind: "notice", text: readablePreview(message.preview) };
  }
}

/**
 * A text message as the chat draws it, every other field empty: what a draft shows before the
 * server stored it (and what tests start from). One list, so a field the fragment gains is added once.
 */
export function textMessage(fields: Pick<ChatMessageFragment, "id" | "wamid" | "conversationId" | "direction" | "text" | "status" | "timestamp" | "errorTitle">): ChatMessageFragment {
  return {
    ...fields,
    type: "text",
    preview: fields.text ?? "",
    errorCode: null,
    errorDetails: null,
    mediaMimeType: null,
    mediaFilename: null,
    latitude: null,
    longitude: null,
    locationName: null,
    locationAddress: null,
    reactionEmoji: null,
    reactionToWamid: null,
    contextWamid: null,
    templateName: null,
    autoReply: null,
    fromBusinessApp: false,
    media: null,
    quoted: null,
    reactions: [],
    reactedTo: null,
    interactive: null,
    contactCards: null,
    answer: null,
  };
}
