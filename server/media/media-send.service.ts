/** Sending an attachment: the inbox's send path (window, outbox, idempotency) with media's uploads. */
import { ValidationError } from "../errors.ts";
import { contentColumns } from "../inbox/message-content.ts";
import { addressOf, ensureConfigured, ensureWindowOpen, resolveRecipient, sendingNumbers, sendOutbound, type Sender, type SendDependencies, type SendOutcome, type SendTarget } from "../inbox/send.service.ts";
import { MEDIA_CAPTION_MAX_LENGTH } from "../whatsapp/cloud-api.ts";
import { previewOf, type MediaContent } from "../whatsapp/message-content.ts";
import { findUploadRecord } from "./media-store.ts";

export interface SendMediaInput extends SendTarget {
  /** The id `POST /api/media/uploads` answered: a file this workspace uploaded. */
  mediaId: string;
  /** Not for audio or stickers. */
  caption?: string | null;
}

/**
 * A file the agent uploaded (image, video, audio, document or sticker), with an optional
 * caption: free-form, so only inside the 24-hour window. The message keeps the uploaded copy
 * (STORED), so the agent sees their own attachment.
 */
export async function sendWhatsAppMedia(deps: SendDependencies, viewer: Sender, input: SendMediaInput): Promise<SendOutcome> {
  const numbers = await sendingNumbers(deps, viewer.workspaceId, input.fromPhoneNumberId);
  const upload = await findUploadRecord(deps.config.MEDIA_DIR, viewer.workspaceId, input.mediaId);
  if (!upload) throw ValidationError.of("mediaId", "No such upload: upload the file with POST /api/media/uploads first");
  const caption = input.caption?.trim() || undefined;
  if (caption && (upload.kind === "audio" || upload.kind === "sticker")) {
    throw ValidationError.of("caption", `${upload.kind === "audio" ? "An audio file" : "A sticker"} cannot have a caption`);
  }
  if (caption && caption.length > MEDIA_CAPTION_MAX_LENGTH) {
    throw ValidationError.of("caption", `The caption must be at most ${MEDIA_CAPTION_MAX_LENGTH} characters (it has ${caption.length})`);
  }
  const recipient = await resolveRecipient(deps, viewer.workspaceId, input, numbers);
  await ensureConfigured(deps, recipient);
  if (upload.phoneNumberId && upload.phoneNumberId !== recipient.from) {
    // Meta would refuse the media id from another number, and only after the message was stored.
    throw ValidationError.of("mediaId", `The file was uploaded for the WhatsApp number ${upload.phoneNumberId}, not ${recipient.from} that this message leaves from: upload it again for this conversation`);
  }
  await ensureWindowOpen(deps.db, viewer.workspaceId, recipient);
  const filename = upload.kind === "document" ? upload.filename : undefined;
  const content: MediaContent = {
    kind: "media",
    mediaType: upload.kind,
    mediaId: upload.mediaId,
    mimeType: upload.mimeType,
    sha256: upload.sha256,
    caption: caption ?? null,
    filename: filename ?? null,
    voice: false,
  };
  const { text, ...mediaColumns } = contentColumns(content);
  return sendOutbound(
    deps,
    viewer,
    recipient,
    {
      type: upload.kind,
      text,
      preview: previewOf(content),
      media: { ...mediaColumns, mediaState: "STORED", mediaPath: upload.path, mediaSize: upload.size },
      request: { type: "media", to: addressOf(recipient), kind: upload.kind, id: upload.mediaId, caption, filename },
    },
    input.idempotencyKey,
  );
}
