/**
 * The simulated Graph API routes: authentication, object ids, messages, media and templates,
 * answered in Meta's formats. Media files are served the way Meta's CDN serves them: at a URL
 * that needs the bearer token.
 */
import { createHash } from "node:crypto";
import type { MediaUrlResponse, TemplateListResponse } from "../whatsapp/cloud-api.ts";
import { errorAnswer, handleMessages, type Answer } from "./graph-messages.ts";
import { handleBlockUsers } from "./block-users.ts";
import { graphError, invalidParameterError, invalidTokenError, unknownObjectError } from "./meta-errors.ts";
import { templatesOf, type SimulatedNumber, type StoredMedia } from "./state.ts";
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
  const token = bearerOf(request);
  // Meta checks the token first: one it never issued is refused whatever the object.
  if (!knownToken(context, token)) return errorAnswer(invalidTokenError());

  const [objectId = "", edge, ...rest] = path;
  const route = `${request.method} ${edge ?? ""}${rest.length > 0 ? "/…" : ""}`;
  // A number answers only to its own token; a business account to its numbers' tokens. Anything
  // else "does not exist, cannot be loaded due to missing permissions", as Meta words it.
  const number = context.state.numbers.get(objectId);
  const ownNumber = number?.token === token ? number : undefined;
  const account = [...context.state.numbers.values()].find((candidate) => candidate.businessAccountId === objectId && candidate.token === token);
  switch (route) {
    case "POST messages":
      if (!ownNumber) return errorAnswer(unknownObjectError(request.method, objectId));
      return handleMessages(forNumber(context, ownNumber), version, parseJson(request.body), request.arrivedAtMs);
    case "POST block_users":
    case "DELETE block_users":
    case "GET block_users":
      if (!ownNumber) return errorAnswer(unknownObjectError(request.method, objectId));
      return handleBlockUsers(context.state, request.method, parseJson(request.body), request.arrivedAtMs);
    case "POST media":
      if (!ownNumber) return errorAnswer(unknownObjectError(request.method, objectId));
      return uploadMedia(forNumber(context, ownNumber), request);
    case "GET message_templates":
      if (!account) return errorAnswer(unknownObjectError(request.method, objectId));
      return listTemplates(forNumber(context, account), version, request.url);
    case "GET phone_numbers":
      if (!account) return errorAnswer(unknownObjectError(request.method, objectId));
      return accountNumbers(context, objectId, request.url);
    case "POST subscribed_apps":
      if (!account) return errorAnswer(unknownObjectError(request.method, objectId));
      context.state.subscribedAccounts.add(objectId);
      return { status: 200, json: { success: true }, errorCode: null };
    case "GET ":
      if (ownNumber) return phoneNumberInfo(context, ownNumber, request.url);
      if (number) return errorAnswer(unknownObjectError(request.method, objectId));
      return mediaInfo(context, objectId);
    default:
      return errorAnswer(unknownObjectError(request.method, objectId));
  }
}

/** The context as one number sees it: its sends, statuses and templates are its own. */
function forNumber(context: GraphContext, number: SimulatedNumber): GraphContext {
  return {
    ...context,
    token: number.token,
    phoneNumberId: number.phoneNumberId,
    businessAccountId: number.businessAccountId,
    displayPhoneNumber: number.displayPhoneNumber,
  };
}

/** `GET /whatsapp_business/attachments/?mid=<media id>` with the bearer token: the file itself. */
export function handleMediaDownload(context: GraphContext, request: GraphRequest): Answer {
  if (!knownToken(context, bearerOf(request))) return { status: 401, raw: "Unauthorized", contentType: "text/plain", errorCode: null };
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
export function storeMedia(context: Pick<GraphContext, "state">, bytes: Buffer, mimeType: string, filename: string | null, uploadedBy?: string) {
  let id: string;
  do id = String(1_000_000_000_000_000 + Math.floor(Math.random() * 8_999_999_999_999_999));
  while (context.state.media.has(id));
  const stored: StoredMedia = { bytes, mimeType, sha256: createHash("sha256").update(bytes).digest("hex"), filename, ...(uploadedBy ? { uploadedBy } : {}) };
  context.state.media.set(id, stored);
  return { id, sha256: stored.sha256 };
}

function bearerOf(request: GraphRequest): string | null {
  const bearer = /^Bearer (\S+)$/i.exec(request.authorization ?? "")?.[1];
  // Meta also takes the token as a query parameter; the client never sends it that way.
  return bearer ?? request.url.searchParams.get("access_token");
}

function knownToken(context: GraphContext, token: string | null): boolean {
  return token !== null && [...context.state.numbers.values()].some((number) => number.token === token);
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
  const { id } = storeMedia(context, Buffer.from(await file.arrayBuffer()), mimeType, filename, context.phoneNumberId);
  return { status: 200, json: { id }, errorCode: null };
}

/** What `GET /{phone-number-id}` can tell, field by field (Meta's names). */
function phoneNumberFields(number: SimulatedNumber, coexistence: boolean): Record<string, unknown> {
  return {
    id: number.phoneNumberId,
    verified_name: number.verifiedName,
    display_phone_number: `+${number.displayPhoneNumber}`,
    quality_rating: number.qualityRating,
    code_verification_status: "VERIFIED",
    name_status: "APPROVED",
    platform_type: "CLOUD_API",
    throughput: { level: number.throughputLevel },
    // The portfolio's limit, shared by its numbers; `messaging_limit_tier` is deprecated but still answered.
    whatsapp_business_manager_messaging_limit: number.messagingLimitTier,
    messaging_limit_tier: number.messagingLimitTier,
    // A number also on the WhatsApp Business app (coexistence).
    is_on_biz_app: number.isOnBizApp || coexistence,
    account_mode: "LIVE",
    status: "CONNECTED",
  };
}

/** Without `fields`, Meta answers a default set; with it, those fields and the id. */
const DEFAULT_PHONE_FIELDS = ["verified_name", "code_verification_status", "display_phone_number", "quality_rating", "platform_type", "throughput", "id"];

function pickFields(all: Record<string, unknown>, url: URL, fallback: readonly string[]): Answer {
  const asked = url.searchParams.get("fields")?.split(",").map((field) => field.trim()).filter(Boolean) ?? [...fallback];
  const unknown = asked.find((field) => !(field in all));
  if (unknown) {
    return errorAnswer(invalidParameterError(`Tried accessing nonexisting field (${unknown}) on node type (WhatsAppBusinessPhoneNumber)`));
  }
  return { status: 200, json: Object.fromEntries([...new Set([...asked, "id"])].map((field) => [field, all[field]])), errorCode: null };
}

/** `GET /{phone-number-id}`: the number's name, quality, throughput… */
function phoneNumberInfo(context: GraphContext, number: SimulatedNumber, url: URL): Answer {
  return pickFields(phoneNumberFields(number, context.state.settings.coexistence), url, DEFAULT_PHONE_FIELDS);
}

/** `GET /{waba-id}/phone_numbers`: the account's numbers (one page: the simulator holds few). */
function accountNumbers(context: GraphContext, businessAccountId: string, url: URL): Answer {
  const data = [];
  for (const number of context.state.numbers.values()) {
    if (number.businessAccountId !== businessAccountId) continue;
    const answer = pickFields(phoneNumberFields(number, context.state.settings.coexistence), url, DEFAULT_PHONE_FIELDS);
    if (!("json" in answer) || answer.status !== 200) return answer;
    data.push(answer.json);
  }
  return { status: 200, json: { data, paging: { cursors: { before: "QVFI", after: "QVFI" } } }, errorCode: null };
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
  const all = templatesOf(context.state, context.businessAccountId);
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
