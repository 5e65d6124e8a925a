import type { MessageContent } from "../whatsapp/message-content.ts";

/** The columns of a stored message that come from what it says. */
export interface ContentColumns {
  text: string | null;
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
  /** A structured answer (a choice, a form, an order, a call permission) as JSON: see AnswerContent. */
  interactive?: string | null;
  flowToken?: string | null;
}

/** The kinds of content whose details are kept whole, as JSON, in the `interactive` column. */
export type AnswerContent = Extract<MessageContent, { kind: "choice" | "formReply" | "order" | "callPermission" }>;

/**
 * Where each kind of content is kept: `text` holds what search and the conversation file read
 * (a caption, a choice's title, a location's name and address…), the rest their own columns.
 */
export function contentColumns(content: MessageContent): ContentColumns {
  switch (content.kind) {
    case "text":
      return { text: content.text };
    case "media":
      return {
        text: content.caption,
        mediaId: content.mediaId,
        mediaMimeType: content.mimeType,
        mediaSha256: content.sha256,
        mediaFilename: content.filename,
      };
    case "location":
      return {
        text: [content.name, content.address].filter(Boolean).join("\n") || null,
        latitude: content.latitude,
        longitude: content.longitude,
        locationName: content.name,
        locationAddress: content.address,
      };
    case "contacts":
      return { text: content.names.join("\n") };
    case "reaction":
      return { text: content.emoji, reactionEmoji: content.emoji, reactionToWamid: content.toWamid };
    case "choice":
      return { text: content.title, interactive: JSON.stringify(content) };
    case "order":
      return { text: content.note, interactive: JSON.stringify(content) };
    case "formReply":
      return {
        text: content.address ?? content.fields.map((field) => `${field.label}: ${field.value}`).join("\n"),
        interactive: JSON.stringify(content),
        flowToken: content.flowToken,
      };
    case "callPermission":
      return { text: content.accepted ? "Allowed calls" : "Declined calls", interactive: JSON.stringify(content) };
    case "system":
      return { text: content.text };
    case "unsupported":
      return { text: content.reason };
    case "mediaPlaceholder":
    case "unknown":
      return { text: null };
  }
}
