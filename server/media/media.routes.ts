import send from "@fastify/send";
import type { FastifyInstance } from "fastify";
import { viewerOf } from "../auth/http-auth.ts";
import { sendError } from "../http/error.ts";
import type { AppServices } from "../app-services.ts";
import { baseMimeType } from "./limits.ts";
import { uploadAttachment } from "./media-upload.service.ts";

/** Types a browser may show inline; anything else (documents, SVG, HTML…) is only ever downloaded. */
const INLINE_TYPES = /^(image\/(jpeg|png|webp|gif)|audio\/[a-z0-9.+-]+|video\/[a-z0-9.+-]+)$/;

const UNAVAILABLE: Record<string, string> = {
  PENDING: "The media is still being downloaded from WhatsApp",
  FAILED: "The media could not be downloaded from WhatsApp",
  EXPIRED: "The media has expired on WhatsApp and was never downloaded",
};

/** `attachment; filename="invoice.pdf"; filename*=UTF-8''invoice.pdf` — the ASCII name for old clients. */
export function contentDisposition(inline: boolean, filename: string | null): string {
  if (inline || !filename) return inline ? "inline" : "attachment";
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/**
 * `POST /api/media/uploads` (the file as the raw body, its type as Content-Type, `?filename=`) and
 * `GET /api/media/:messageId` (a message's file, to agents of its workspace). Registered inside
 * the authenticated API scope; this plugin reads upload bodies itself, as streams, so the
 * global 1 MB JSON limit stays as it is for every other route.
 */
export function mediaRoutes(services: AppServices) {
  return async function registerMediaRoutes(app: FastifyInstance) {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser("*", (_request, _payload, done) => done(null));

    app.post<{ Querystring: Record<"filename" | "contactId" | "phoneNumber" | "userId" | "fromPhoneNumberId", unknown> }>("/api/media/uploads", async (request, reply) => {
      const text = (value: unknown) => (typeof value === "string" && value ? value : undefined);
      const { query } = request;
      const length = Number(request.headers["content-length"]);
      // Refused files and Meta's refusals answer through http/error.ts; the id goes to `sendWhatsAppMedia(input: {mediaId})`.
      const record = await uploadAttachment(services, viewerOf(request).workspaceId, {
        mimeType: request.headers["content-type"],
        filename: text(query.filename),
        // The customer and number the file will be sent to, as sendWhatsAppMedia will be given them: it is uploaded from that number.
        recipient: { contactId: text(query.contactId), phoneNumber: text(query.phoneNumber), userId: text(query.userId), fromPhoneNumberId: text(query.fromPhoneNumberId) },
        declaredSize: Number.isFinite(length) ? length : null,
        body: request.raw,
      });
      const { mediaId, kind, mimeType, filename, size } = record;
      return reply.status(201).send({ success: true, mediaId, kind, mimeType, filename, size });
    });

    app.get<{ Params: { messageId: string } }>("/api/media/:messageId", async (request, reply) => {
      const message = await services.db.whatsAppMessage.findFirst({
        where: { id: request.params.messageId, workspaceId: viewerOf(request).workspaceId },
        select: { mediaState: true, mediaPath: true, mediaMimeType: true, mediaFilename: true },
      });
      if (!message?.mediaState) return sendError(reply, 404, "Media not found");
      if (message.mediaState !== "STORED" || !message.mediaPath) {
        return reply.status(409).send({ success: false, error: UNAVAILABLE[message.mediaState] ?? "The media is not available", state: message.mediaState });
      }
      const mimeType = baseMimeType(message.mediaMimeType) || "application/octet-stream";
      const file = await send(request.raw, message.mediaPath, {
        root: services.config.MEDIA_DIR,
        dotfiles: "deny",
        // The file of a message never changes: the browser may keep it, for this user only.
        cacheControl: false,
        contentType: false,
      });
      if (file.type !== "file") return sendError(reply, file.statusCode === 404 || file.type === "directory" ? 404 : file.statusCode, "Media not found");
      return reply
        .status(file.statusCode)
        .headers(file.headers)
        .header("content-type", mimeType)
        .header("content-disposition", contentDisposition(INLINE_TYPES.test(mimeType), message.mediaFilename))
        .header("cache-control", "private, max-age=31536000, immutable")
        .header("x-content-type-options", "nosniff")
        // Opened on its own, a file can never run anything in our origin.
        .header("content-security-policy", "default-src 'none'; media-src 'self'; img-src 'self'; style-src 'unsafe-inline'; sandbox")
        .send(file.stream);
    });
  };
}
