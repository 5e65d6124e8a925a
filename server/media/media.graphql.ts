import { builder } from "../graphql/builder.ts";
import { FROM_PHONE_NUMBER_ID_DESCRIPTION, SEND_ERRORS, SendSuccess } from "../inbox/send.graphql.ts";
import { sendWhatsAppMedia } from "./media-send.service.ts";
import type { InboxEvent } from "../realtime/events.ts";
import type { MediaState } from "./media-downloads.ts";
import { loadOncePerEvent } from "../realtime/load-once.ts";
import { inboxEvents } from "../realtime/pubsub.ts";

const MediaStateType = builder.enumType("MediaState", {
  description: "Where our copy of a message's media stands.",
  values: {
    PENDING: { description: "Being downloaded from WhatsApp (retried until it succeeds or expires)." },
    STORED: { description: "Kept by us: `url` serves it." },
    FAILED: { description: "Given up after repeated failures; `error` says why." },
    EXPIRED: { description: "WhatsApp no longer has it (media is kept 30 days) and we never got it." },
  } as const,
});

interface MessageMedia {
  messageId: string;
  state: MediaState;
  mimeType: string | null;
  filename: string | null;
  size: number | null;
  error: string | null;
}

const MessageMediaType = builder.objectRef<MessageMedia>("MessageMedia").implement({
  description: "A message's image, video, audio, document or sticker.",
  fields: (t) => ({
    state: t.expose("state", { type: MediaStateType }),
    url: t.string({
      nullable: true,
      description: "Where agents of the workspace fetch the file (`GET /api/media/{messageId}`, authenticated); null until STORED.",
      resolve: (media) => (media.state === "STORED" ? `/api/media/${media.messageId}` : null),
    }),
    mimeType: t.exposeString("mimeType", { nullable: true }),
    filename: t.exposeString("filename", { nullable: true, description: "A document's file name." }),
    size: t.exposeInt("size", { nullable: true, description: "Bytes, once STORED." }),
    error: t.exposeString("error", { nullable: true, description: "Why the last download failed." }),
  }),
});

builder.prismaObjectField("WhatsAppMessage", "media", (t) =>
  t.field({
    type: MessageMediaType,
    nullable: true,
    description: "The message's media and our copy of it; null for messages without media.",
    select: { id: true, mediaId: true, mediaState: true, mediaMimeType: true, mediaFilename: true, mediaSize: true, mediaError: true },
    resolve: (message) =>
      message.mediaId || message.mediaState
        ? {
            messageId: message.id,
            // Stored before the media worker existed (no state yet): it is picked up as PENDING.
            state: (message.mediaState ?? "PENDING") as MediaState,
            mimeType: message.mediaMimeType,
            filename: message.mediaFilename,
            size: message.mediaSize,
            error: message.mediaError,
          }
        : null,
  }),
);

const SendWhatsAppMediaInput = builder.inputType("SendWhatsAppMediaInput", {
  fields: (t) => ({
    contactId: t.id({ description: "A contact of the workspace; or give phoneNumber." }),
    phoneNumber: t.string({ description: "Any common format; national numbers are read in DEFAULT_COUNTRY." }),
    userId: t.string({ description: "A customer's business-scoped user ID (BSUID), for customers whose number is hidden." }),
    mediaId: t.string({ required: true, description: "The `mediaId` answered by `POST /api/media/uploads` for the file." }),
    caption: t.string({ description: "Up to 1024 characters; not for audio or stickers." }),
    fromPhoneNumberId: t.string({ description: FROM_PHONE_NUMBER_ID_DESCRIPTION }),
    idempotencyKey: t.string({ description: "Repeating a request with the same key never sends twice." }),
  }),
});

builder.mutationFields((t) => ({
  sendWhatsAppMedia: t.field({
    type: SendSuccess,
    description: "Sends a file uploaded with `POST /api/media/uploads` (inside the 24-hour window), with an optional caption.",
    errors: { types: SEND_ERRORS, directResult: true },
    args: { input: t.arg({ type: SendWhatsAppMediaInput, required: true }) },
    resolve: (_root, { input }, context) =>
      sendWhatsAppMedia(context, context.viewer, { ...input, contactId: input.contactId && String(input.contactId) }),
  }),
}));

builder.subscriptionFields((t) => ({
  messageUpdated: t.prismaField({
    type: "WhatsAppMessage",
    description: "A message changed other than its status: e.g. its media was downloaded, failed or expired.",
    args: { conversationId: t.arg.id() },
    subscribe: (_root, args, context) => inboxEvents(context, "messageUpdated", args.conversationId && String(args.conversationId)),
    resolve: (query, event: Extract<InboxEvent, { type: "messageUpdated" }>, _args, { db }) =>
      loadOncePerEvent(event, query, () => db.whatsAppMessage.findUniqueOrThrow({ ...query, where: { id: event.messageId } })),
  }),
}));
