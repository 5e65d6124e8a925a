/**
 * The simulated Graph API routes: authentication, object ids, messages, media and templates,
 * answered in Meta's formats. Media files are served the way Meta's CDN serves them: at a URL
 * that needs the bearer token.
 */
import { createHash } from "node:crypto";
import type { MediaUrlResponse, TemplateListResponse } from "../whatsapp/cloud-api.ts";
import { errorAnswer, handleMessages, type Answer } from "./graph-messages.ts";
import { graphError, invalidParameterError, invalidTokenError, unknownObjectError } from "./meta-errors.ts";
import type { StoredMedia } from "./state.ts";
import type { StatusContext } from "./statuses.ts";

/** Where media files are downloaded from, as on Meta's CDN (`lookaside.fbsbx.com/whatsapp_business/attachments/`). */
export const MEDIA_DOWNLOAD_PATH = "/whatsapp_business/attachments/";
/** How long a media URL answered by `GET /{media-id}` works, as on Meta's CDN. @default 5 minutes */
export const MEDIA_URL_LIFETIME_MS = 5 * 60_000;
/** Meta's page size for template lists when none is asked for. */
const DEFAULT_TEMPLATE_PAGE_SIZE = 25;
/** The media types Meta accepts for upload (without parameters such as `; codecs=opus`). */
const UPLOAD_MIME_TYPES = new Set([
  "image/jpeg",
  "image/png",
  "image/webp",
  "video/mp4",
  "video/3gpp",
  "audio/aac",
  "audio/amr",
  "audio/mpeg",
  "audio/mp4",
  "audio/ogg",
  "text/plain",
  "application/pdf",
  "application/msword",
  "application/vnd.ms-excel",
  "application/vnd.ms-powerpoint",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  "application/vnd.openxmlformats-officedocument.presentationml.presentation",
]);

export interface GraphContext extends StatusContext {
  token: string;
  /** The largest template page served, whatever `limit` asks for. */
  templatesPageSize: number;
  /** The simulator's own base URL, for the media URLs it hands out. */
  baseUrl(): string;
}

export interface GraphRequest {
  method: string;
  url: URL;
  authorization: string | undefined;
  contentType: string | undefined;
  body: Buffer;
  /** When the request reached the server, before its body was read. */
  arrivedAtMs: number;
}

export async function handleGraph(context: GraphContext, request: GraphRequest): Promise<Answer> {
  const [version, ...path] = request.url.pathname.split("/").filter(Boolean);
  if (!/^v\d+\.\d+$/.test(version ?? "")) {
    return errorAnswer(graphError(2500, { message: `Unknown path components: ${request.url.pathname}`, details: "" }));
  }
  if (!hasToken(context, request)) return errorAnswer(invalidTokenError());

  const [objectId = "", edge, ...rest] = path;
  const route = `${request.method} ${edge ?? ""}${rest.length > 0 ? "/…" : ""}`;
  switch (route) {
    case "POST messages":
      if (objectId !== context.phoneNumberId) return errorAnswer(unknownObjectError(request.method, objectId));
      return handleMessages(context, version, parseJson(request.body), request.arrivedAtMs);
    case "POST media":
      if (objectId !== context.phoneNumberId) return errorAnswer(unknownObjectError(request.method, objectId));
      return uploadMedia(context, request);
    case "GET message_templates":
      if (objectId !== context.businessAccountId) return errorAnswer(unknownObjectError(request.method, objectId));
      return listTemplates(context, version, request.url);
    case "GET ":
      return objectId === context.phoneNumberId ? phoneNumberInfo(context) : mediaInfo(context, objectId);
    default:
      return errorAnswer(unknownObjectError(request.method, objectId));
  }
}

/** `GET /whatsapp_business/attachments/?mid=<media id>` with the bearer token: the file itself. */
export function handleMediaDownload(context: GraphContext, request: GraphRequest): Answer {
  if (!hasToken(context, request)) return { status: 401, raw: "Unauthorized", contentType: "text/plain", errorCode: null };
  const failure = context.state.mediaFailures[0];
  if (failure) {
    if (--failure.remaining <= 0) context.state.mediaFailures.shift();
    return { status: failure.status, raw: "<html><body>Service unavailable</body></html>", contentType: "text/html", errorCode: null };
  }
  const media = context.state.media.get(request.url.searchParams.get("mid") ?? "");
  // Meta's media URLs work for 5 minutes: after that, ask for the media id again.
  const issuedAtMs = Number(request.url.searchParams.get("ext")) * 1000;
  if (!media || !(Date.now() - issuedAtMs <= MEDIA_URL_LIFETIME_MS)) return { status: 404, raw: "Not Found", contentType: "text/plain", errorCode: null };
  return { status: 200, raw: media.bytes, contentType: media.mimeType, errorCode: null };
}

/** Stores a file under a fresh numeric id, as Meta's media ids are. */
export function storeMedia(context: Pick<GraphContext, "state">, bytes: Buffer, mimeType: string, filename: string | null) {
  let id: string;
  do id = String(1_000_000_000_000_000 + Math.floor(Math.random() * 8_999_999_999_999_999));
  while (context.state.media.has(id));
  const stored: StoredMedia = { bytes, mimeType, sha256: createHash("sha256").update(bytes).digest("hex"), filename };
  context.state.media.set(id, stored);
  return { id, sha256: stored.sha256 };
}

function hasToken(context: GraphContext, request: GraphRequest): boolean {
  const bearer = /^Bearer (\S+)$/i.exec(request.authorization ?? "")?.[1];
  // Meta also takes the token as a query parameter; the client never sends it that way.
  return (bearer ?? request.url.searchParams.get("access_token")) === context.token;
}

async function uploadMedia(context: GraphContext, request: GraphRequest): Promise<Answer> {
  if (!request.contentType?.toLowerCase().startsWith("multipart/form-data")) {
    return errorAnswer(invalidParameterError("The request must be multipart/form-data"));
  }
  let form: FormData;
  try {
    // Node's own multipart parser, through a Response; the copy gives it a plain ArrayBuffer.
    form = await new Response(new Uint8Array(request.body), { headers: { "content-type": request.contentType } }).formData();
  } catch {
    return errorAnswer(invalidParameterError("The multipart body could not be read"));
  }
  if (form.get("messaging_product") !== "whatsapp") return errorAnswer(invalidParameterError("The parameter messaging_product is required"));
  const file = form.get("file");
  if (!(file instanceof Blob)) return errorAnswer(invalidParameterError("The parameter file is required"));
  const typeField = form.get("type");
  const mimeType = typeof typeField === "string" && typeField ? typeField : file.type;
  if (!UPLOAD_MIME_TYPES.has(mimeType.split(";")[0].trim().toLowerCase())) {
    return errorAnswer(invalidParameterError(`Param file must be a file with one of the following types: ${[...UPLOAD_MIME_TYPES].join(", ")}`));
  }
  const filename = file instanceof File ? file.name : null;
  const { id } = storeMedia(context, Buffer.from(await file.arrayBuffer()), mimeType, filename);
  return { status: 200, json: { id }, errorCode: null };
}

/** `GET /{phone-number-id}`: what a "test the connection" button would ask for. */
function phoneNumberInfo(context: GraphContext): Answer {
  return {
    status: 200,
    json: {
      verified_name: "Bharat CRM Demo",
      display_phone_number: `+${context.displayPhoneNumber}`,
      quality_rating: "GREEN",
      platform_type: "CLOUD_API",
      throughput: { level: "STANDARD" },
      // A number also on the WhatsApp Business app (coexistence).
      ...(context.state.settings.coexistence ? { is_on_biz_app: true } : {}),
      id: context.phoneNumberId,
    },
    errorCode: null,
  };
}

function mediaInfo(context: GraphContext, mediaId: string): Answer {
  const media = context.state.media.get(mediaId);
  if (!media) return errorAnswer(unknownObjectError("GET", mediaId));
  const url = new URL(MEDIA_DOWNLOAD_PATH, context.baseUrl());
  url.searchParams.set("mid", mediaId);
  url.searchParams.set("ext", String(Math.floor(Date.now() / 1000)));
  url.searchParams.set("hash", media.sha256.slice(0, 16));
  const answer: MediaUrlResponse = {
    messaging_product: "whatsapp",
    url: url.toString(),
    mime_type: media.mimeType,
    sha256: media.sha256,
    file_size: media.bytes.length,
    id: mediaId,
  };
  return { status: 200, json: answer, errorCode: null };
}

/** Cursors are opaque to clients; here they are the base64 of a position in the list. */
function listTemplates(context: GraphContext, version: string, url: URL): Answer {
  const asked = Number(url.searchParams.get("limit") ?? DEFAULT_TEMPLATE_PAGE_SIZE);
  const limit = Math.max(1, Math.min(Number.isInteger(asked) ? asked : DEFAULT_TEMPLATE_PAGE_SIZE, context.templatesPageSize));
  const after = url.searchParams.get("after");
  const start = after === null ? 0 : Number(Buffer.from(after, "base64").toString("utf8")) + 1;
  if (!Number.isInteger(start) || start < 0) return errorAnswer(invalidParameterError("Param after is not a valid cursor"));
  const all = context.state.templates;
  const page = all.slice(start, start + limit);
  const cursor = (index: number) => Buffer.from(String(index)).toString("base64");
  const body: TemplateListResponse = {
    data: page,
    paging: {
      cursors: { before: cursor(start), after: cursor(start + Math.max(page.length - 1, 0)) },
      ...(start + limit < all.length
        ? { next: `${context.baseUrl()}/${version}/${context.businessAccountId}/message_templates?limit=${limit}&after=${cursor(start + limit - 1)}` }
        : {}),
    },
  };
  return { status: 200, json: body, errorCode: null };
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    return undefined;
  }
}
