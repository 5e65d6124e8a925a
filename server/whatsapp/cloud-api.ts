/**
 * The WhatsApp Cloud API client: sends messages, marks them read, lists templates and moves media,
 * against Meta's Graph API or anything at a configurable base URL that speaks it (our simulator).
 * Speaks only Meta's language: imports nothing of ours. Every failure is a typed error from
 * ./errors.ts; the access token travels only in the Authorization header, never in a message.
 */
import { randomUUID } from "node:crypto";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { z } from "zod";
import { isBsuid } from "./customer-id.ts";
import type { ContactObject, InteractiveObject, LocationObject, RichMessage } from "./interactive.ts";
import {
  CloudApiError,
  CloudApiValidationError,
  cloudApiErrorFromResponse,
  networkError,
  timeoutError,
} from "./errors.ts";

/**
 * Longest text message body Meta accepts, counted here in UTF-16 code units (JavaScript's
 * `length`), which is never fewer than Meta's characters: a body that passes is never refused.
 * @default 4096
 */
export const TEXT_BODY_MAX_LENGTH = 4096;
/**
 * Longest media caption Meta accepts.
 * @default 1024
 */
export const MEDIA_CAPTION_MAX_LENGTH = 1024;
/**
 * How long one request may take, answer body included, before it fails as `timeout`.
 * @default 15_000
 */
export const DEFAULT_TIMEOUT_MS = 15_000;
/** Template pages followed at most, so that a misbehaving cursor cannot loop forever. */
export const TEMPLATE_PAGES_MAX = 100;
/** Users per block or unblock request (Meta's "Block users" limits). @default 1000 */
export const BLOCK_USERS_PER_REQUEST_MAX = 1000;
/** Templates asked for per page. */
const TEMPLATE_PAGE_SIZE = 100;

/** A wa_id: the customer's number as digits only, at most 15 (E.164). */
const WA_ID = /^\d{1,15}$/;
/** Media ids are Graph object ids; no dots or slashes, so they can never change the URL's path. */
const MEDIA_ID = /^[A-Za-z0-9_-]{1,128}$/;
const TEMPLATE_NAME = /^[a-z0-9_]{1,512}$/;
const LANGUAGE_CODE = /^[a-z]{2,3}(_[A-Z]{2})?$/;
/** Meta refuses template parameters with new lines, tabs or more than 4 consecutive spaces. */
const TEMPLATE_PARAMETER_FORBIDDEN = /[\n\t]| {5}/;
/**
 * Hosts the bearer token may be sent to for a media download besides the API's own origin:
 * Meta's media URLs point at its CDN (lookaside.fbsbx.com). Anything else is refused, so that a
 * URL taken from a webhook payload can never carry our token elsewhere.
 */
const MEDIA_HOST_SUFFIXES = ["fbsbx.com", "facebook.com", "whatsapp.net", "fbcdn.net"] as const;

export type MediaKind = "image" | "video" | "audio" | "document" | "sticker";
export type MessageType = "text" | "template" | MediaKind | "reaction" | "location" | "contacts" | "interactive";

// ── Meta's request and response bodies (shared, as types only, with the simulator) ─────────────

/** Body of `POST /{version}/{phone-number-id}/messages` for a message. */
export interface SendMessageRequest {
  readonly messaging_product: "whatsapp";
  readonly recipient_type: "individual";
  /** The customer's number (wa_id). Meta prefers it when both are given. */
  readonly to?: string;
  /** The customer's business-scoped user ID, for a customer whose number is hidden. */
  readonly recipient?: string;
  readonly type: MessageType;
  readonly context?: { readonly message_id: string };
  readonly text?: { readonly body: string; readonly preview_url?: boolean };
  readonly template?: TemplateObject;
  readonly image?: MediaObject;
  readonly video?: MediaObject;
  readonly audio?: MediaObject;
  readonly document?: MediaObject;
  readonly sticker?: MediaObject;
  readonly reaction?: { readonly message_id: string; readonly emoji: string };
  readonly interactive?: InteractiveObject;
  readonly location?: LocationObject;
  readonly contacts?: readonly ContactObject[];
  /** Meta does not read it; it returns it in this message's status webhooks (at most 512 characters). */
  readonly biz_opaque_callback_data?: string;
}

/** Body of `POST` and `DELETE /{version}/{phone-number-id}/block_users`. */
export interface BlockUsersRequest {
  readonly messaging_product: "whatsapp";
  readonly block_users: ReadonlyArray<{ readonly user: string }>;
}

/** One user in Meta's answer to a block or unblock; `errors` only in `failed_users`. */
export interface BlockedUserResult {
  readonly input: string;
  readonly wa_id?: string;
  readonly errors?: ReadonlyArray<{ readonly message?: string; readonly code?: number | string; readonly error_data?: { readonly details?: string } }>;
}

/** Meta's answer to a block or unblock (200; a 400 with `error` code 139100 when some failed). */
export interface BlockUsersResponse {
  readonly messaging_product: "whatsapp";
  readonly block_users: { readonly added_users?: readonly BlockedUserResult[]; readonly removed_users?: readonly BlockedUserResult[]; readonly failed_users?: readonly BlockedUserResult[] };
}

/** Meta's answer to `GET /{phone-number-id}/block_users`. */
export interface BlockedUsersListResponse {
  readonly data: ReadonlyArray<{ readonly block_users: ReadonlyArray<{ readonly input?: string; readonly wa_id: string }> }>;
  readonly paging?: { readonly cursors?: { readonly before?: string; readonly after?: string }; readonly next?: string };
}

export interface TemplateObject {
  readonly name: string;
  readonly language: { readonly code: string };
  readonly components?: ReadonlyArray<{
    readonly type: "body";
    readonly parameters: ReadonlyArray<{ readonly type: "text"; readonly text: string }>;
  }>;
}

export interface MediaObject {
  readonly id?: string;
  readonly link?: string;
  readonly caption?: string;
  readonly filename?: string;
}

/** Body of `POST /{version}/{phone-number-id}/messages` marking a customer's message read. */
export interface MarkReadRequest {
  readonly messaging_product: "whatsapp";
  readonly status: "read";
  readonly message_id: string;
  readonly typing_indicator?: { readonly type: "text" };
}

/** Meta's 200 answer to a send. */
export interface SendMessageResponse {
  readonly messaging_product: "whatsapp";
  /** `wa_id` when the send named a number, `user_id` when it named a BSUID. */
  readonly contacts: ReadonlyArray<{ readonly input: string; readonly wa_id?: string; readonly user_id?: string }>;
  readonly messages: ReadonlyArray<{ readonly id: string; readonly message_status?: string }>;
}

/** Meta's answer to `GET /{version}/{media-id}`. */
export interface MediaUrlResponse {
  readonly messaging_product: "whatsapp";
  readonly url: string;
  readonly mime_type: string;
  readonly sha256: string;
  readonly file_size: number | string;
  readonly id: string;
}

/** One entry of `GET /{version}/{waba-id}/message_templates`. */
export interface TemplateComponent {
  readonly type: string;
  readonly format?: string;
  readonly text?: string;
  readonly [key: string]: unknown;
}

export interface MessageTemplate {
  readonly id: string;
  readonly name: string;
  readonly language: string;
  /** APPROVED, PENDING, REJECTED, PAUSED, DISABLED… */
  readonly status: string;
  /** MARKETING, UTILITY or AUTHENTICATION. */
  readonly category: string;
  readonly components: readonly TemplateComponent[];
}

export interface TemplateListResponse {
  readonly data: readonly MessageTemplate[];
  readonly paging?: { readonly cursors?: { readonly before?: string; readonly after?: string }; readonly next?: string };
}

// ── Answers as the client reads them (loosely: Meta adds fields over time) ─────────────────────

const sendResponseSchema = z.looseObject({
  contacts: z.array(z.looseObject({ input: z.string().optional(), wa_id: z.string().optional(), user_id: z.string().optional() })).min(1),
  messages: z.array(z.looseObject({ id: z.string().min(1), message_status: z.string().optional() })).min(1),
});
const successSchema = z.looseObject({ success: z.literal(true) });
const blockResultSchema = z.looseObject({ input: z.string(), wa_id: z.string().optional() });
const blockResponseSchema = z.looseObject({
  block_users: z.looseObject({
    added_users: z.array(blockResultSchema).optional(),
    removed_users: z.array(blockResultSchema).optional(),
    failed_users: z.array(blockResultSchema).optional(),
  }),
});
const blockedListSchema = z.looseObject({
  data: z.array(z.looseObject({ block_users: z.array(z.looseObject({ wa_id: z.string() })) })),
  paging: z.looseObject({ cursors: z.looseObject({ after: z.string().optional() }).optional(), next: z.string().optional() }).optional(),
});
const uploadResponseSchema = z.looseObject({ id: z.string().min(1) });
const mediaUrlSchema = z.looseObject({
  url: z.url(),
  mime_type: z.string(),
  sha256: z.string(),
  file_size: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]),
});
/** `GET /{phone-number-id}`: what the number page shows (any field may be missing). */
const phoneNumberSchema = z.looseObject({
  id: z.string().min(1),
  display_phone_number: z.string().optional(),
  verified_name: z.string().optional(),
  quality_rating: z.string().optional(),
  /** The portfolio's messaging limit (Meta deprecated the number's `messaging_limit_tier` for it). */
  whatsapp_business_manager_messaging_limit: z.string().optional(),
  platform_type: z.string().optional(),
  is_on_biz_app: z.boolean().optional(),
  throughput: z.looseObject({ level: z.string().optional() }).optional(),
});
const accountNumbersSchema = z.looseObject({ data: z.array(z.looseObject({ id: z.string() })) });
/** The fields asked of a number: Meta answers only what is asked (and the id). */
const PHONE_NUMBER_FIELDS = "id,display_phone_number,verified_name,quality_rating,throughput,whatsapp_business_manager_messaging_limit,platform_type,is_on_biz_app";
/** Numbers of a business account listed at most, per page. */
const ACCOUNT_NUMBERS_PAGE_SIZE = 100;

const templateListSchema = z.looseObject({
  data: z.array(
    z.looseObject({
      id: z.string().optional(),
      name: z.string(),
      language: z.string(),
      status: z.string(),
      category: z.string(),
      components: z.array(z.looseObject({ type: z.string() })).default([]),
    }),
  ),
  paging: z
    .looseObject({
      cursors: z.looseObject({ after: z.string().optional() }).optional(),
      next: z.string().optional(),
    })
    .optional(),
});

// ── The client ─────────────────────────────────────────────────────────────────────────────────

export interface CloudApiOptions {
  /** Meta's `https://graph.facebook.com`, or the simulator's base URL. */
  baseUrl: string;
  /** Graph API version, e.g. `v23.0`. */
  version: string;
  token: string;
  phoneNumberId: string;
  /** Needed only for listTemplates. */
  businessAccountId?: string;
  /** @default 15_000 ({@link DEFAULT_TIMEOUT_MS}) */
  timeoutMs?: number;
}

/** What Meta's 200 answer to a send says. `messageStatus` is e.g. `accepted`, when Meta sent one. */
export interface SendResult {
  wamid: string;
  /** null when the send named a BSUID. */
  waId: string | null;
  messageStatus: string | null;
}

/** Longest `biz_opaque_callback_data` Meta accepts, in characters. @default 512 */
export const CALLBACK_DATA_MAX_LENGTH = 512;

/** What any send may carry besides its message. */
export interface SendOptions {
  /**
   * Echoed by Meta in every status webhook of this message (`biz_opaque_callback_data`): it
   * names the message before, or without, the answer that gives its wamid.
   */
  callbackData?: string;
}

export interface SendTextOptions extends SendOptions {
  /** Let WhatsApp render a preview of the first URL in the body. */
  previewUrl?: boolean;
  /** Sends the text as a reply quoting this message. */
  replyToWamid?: string;
}

export interface TemplateMessage {
  name: string;
  languageCode: string;
  /** Values for the body's `{{1}}`, `{{2}}`… in order. */
  bodyParameters: readonly string[];
}

export interface MediaMessage {
  kind: MediaKind;
  /** An uploaded media id; exactly one of `id` and `link`. */
  id?: string;
  /** A public http(s) URL Meta fetches; exactly one of `id` and `link`. */
  link?: string;
  /** Not for audio or stickers. */
  caption?: string;
  /** Documents only. */
  filename?: string;
}

export interface MediaInfo {
  /** Short-lived URL; download it with {@link CloudApi.downloadMedia} (it needs the token). */
  url: string;
  mimeType: string;
  sha256: string;
  fileSize: number;
}

/** What Meta says of a business number (`GET /{phone-number-id}`). */
export interface PhoneNumberInfo {
  phoneNumberId: string;
  /** As Meta formats it, e.g. `+91 80000 00001`. */
  displayPhoneNumber: string | null;
  verifiedName: string | null;
  /** GREEN, YELLOW, RED, NA or UNKNOWN. */
  qualityRating: string | null;
  /** STANDARD, HIGH or NOT_APPLICABLE. */
  throughputLevel: string | null;
  /** TIER_250 … TIER_UNLIMITED. */
  messagingLimitTier: string | null;
  /** A WhatsApp Business app number also on the Cloud API (`is_on_biz_app` with `platform_type` CLOUD_API). */
  coexistence: boolean;
}

/** `to` in the send methods: the customer's wa_id, or their BSUID when their number is hidden. */
export interface CloudApi {
  /** The number as Meta describes it: a token Meta refuses fails here (190), an unknown id too (100). */
  getPhoneNumber(): Promise<PhoneNumberInfo>;
  /** Whether the number belongs to the business account (`GET /{waba-id}/phone_numbers`). */
  accountHasNumber(): Promise<boolean>;
  /** Subscribes the app to the business account's webhooks (`POST /{waba-id}/subscribed_apps`). */
  subscribeApp(): Promise<void>;
  sendText(to: string, body: string, options?: SendTextOptions): Promise<SendResult>;
  sendTemplate(to: string, template: TemplateMessage, options?: SendOptions): Promise<SendResult>;
  sendMedia(to: string, media: MediaMessage, options?: SendOptions): Promise<SendResult>;
  /** An empty `emoji` removes an earlier reaction. */
  sendReaction(to: string, wamid: string, emoji: string, options?: SendOptions): Promise<SendResult>;
  /** An interactive, location or contacts message (built by ./interactive.ts). */
  sendRich(to: string, message: RichMessage, options?: { replyToWamid?: string } & SendOptions): Promise<SendResult>;
  /**
   * Blocks customers (wa_ids) from writing to the number, and the number from writing to them.
   * Meta allows it only for customers who wrote in the last 24 hours; answers the wa_ids blocked.
   * A refusal for any user throws CloudApiError (Meta's 139100, its first user's reason in details).
   */
  blockUsers(waIds: readonly string[]): Promise<string[]>;
  unblockUsers(waIds: readonly string[]): Promise<string[]>;
  /** Every blocked wa_id, all pages followed. */
  listBlockedUsers(): Promise<string[]>;
  /** Blue ticks for the customer's message (and those before it); optionally "typing…". */
  markRead(wamid: string, options?: { typingIndicator?: boolean }): Promise<void>;
  /** Every template of the business account, all pages followed. */
  listTemplates(): Promise<MessageTemplate[]>;
  /**
   * Uploads `file` (its `type` is the media type) and returns the media id to send with. Its
   * bytes are read as the request is sent: a file-backed Blob (`fs.openAsBlob`) goes from disk
   * to Meta without being held in memory.
   */
  uploadMedia(file: Blob, filename: string): Promise<string>;
  getMediaUrl(mediaId: string): Promise<MediaInfo>;
  downloadMedia(url: string): Promise<Buffer>;
}

/**
 * Throws CloudApiValidationError before any request when an argument would be refused by Meta
 * (not a wa_id, empty or too long text…), and CloudApiError when a request fails.
 */
export function createCloudApi(options: CloudApiOptions): CloudApi {
  const apiBase = checkOptions(options);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const messagesUrl = `${apiBase}/${options.phoneNumberId}/messages`;

  async function request(url: string, init: { method: "GET" | "POST" | "DELETE"; json?: unknown; multipart?: StreamedBody }) {
    const headers: Record<string, string> = { authorization: `Bearer ${options.token}` };
    if (init.json !== undefined) headers["content-type"] = "application/json";
    // One deadline for the whole exchange: it also aborts a body that trickles in too slowly.
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const response = init.multipart
        ? await postStreamed(url, headers, init.multipart, signal)
        : await fetch(url, { method: init.method, headers, body: init.json !== undefined ? JSON.stringify(init.json) : undefined, signal });
      if (!response.ok) {
        const body = parseJson(await response.text());
        throw withFailedUserReason(cloudApiErrorFromResponse(response.status, body), body);
      }
      return response;
    } catch (error) {
      throw asCloudApiError(error, timeoutMs);
    }
  }

  async function requestJson<T>(url: string, init: Parameters<typeof request>[1], schema: z.ZodType<T>): Promise<T> {
    const response = await request(url, init);
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw asCloudApiError(error, timeoutMs);
    }
    const parsed = schema.safeParse(parseJson(text));
    if (parsed.success) return parsed.data;
    // A 200 we cannot read: the message may be sent, so retrying could send it twice.
    throw new CloudApiError({
      code: null,
      title: "Unexpected answer from the Cloud API",
      details: parsed.error.issues[0]?.message ?? null,
      fbtraceId: null,
      httpStatus: response.status,
      kind: "meta",
      retryable: false,
    });
  }

  async function sendMessage(to: string, type: MessageType, content: Partial<SendMessageRequest>, { callbackData }: SendOptions = {}): Promise<SendResult> {
    if (callbackData !== undefined && (callbackData.length === 0 || callbackData.length > CALLBACK_DATA_MAX_LENGTH)) {
      throw new CloudApiValidationError("callbackData", `The callback data must be 1 to ${CALLBACK_DATA_MAX_LENGTH} characters`);
    }
    const message: SendMessageRequest = {
      messaging_product: "whatsapp",
      recipient_type: "individual",
      ...addressOf(to),
      type,
      ...content,
      ...(callbackData === undefined ? {} : { biz_opaque_callback_data: callbackData }),
    };
    const answer = await requestJson(messagesUrl, { method: "POST", json: message }, sendResponseSchema);
    return {
      wamid: answer.messages[0].id,
      waId: answer.contacts[0].wa_id ?? null,
      messageStatus: answer.messages[0].message_status ?? null,
    };
  }

  function accountUrl(edge: string, query?: URLSearchParams) {
    if (!options.businessAccountId) throw new CloudApiValidationError("businessAccountId", "This needs the WhatsApp Business Account id");
    return `${apiBase}/${options.businessAccountId}/${edge}${query ? `?${query}` : ""}`;
  }

  async function changeBlocks(method: "POST" | "DELETE", waIds: readonly string[]): Promise<string[]> {
    if (waIds.length === 0 || waIds.length > BLOCK_USERS_PER_REQUEST_MAX) {
      throw new CloudApiValidationError("users", `Block or unblock 1 to ${BLOCK_USERS_PER_REQUEST_MAX} users at a time`);
    }
    for (const waId of waIds) if (!WA_ID.test(waId)) throw new CloudApiValidationError("users", "Blocking needs the customer's wa_id (digits only)");
    const body: BlockUsersRequest = { messaging_product: "whatsapp", block_users: waIds.map((user) => ({ user })) };
    const answer = await requestJson(`${apiBase}/${options.phoneNumberId}/block_users`, { method, json: body }, blockResponseSchema);
    const done = method === "POST" ? answer.block_users.added_users : (answer.block_users.removed_users ?? answer.block_users.added_users);
    return (done ?? []).map((user) => user.wa_id ?? user.input);
  }

  return {
    async getPhoneNumber() {
      const answer = await requestJson(`${apiBase}/${options.phoneNumberId}?fields=${PHONE_NUMBER_FIELDS}`, { method: "GET" }, phoneNumberSchema);
      return {
        phoneNumberId: answer.id,
        displayPhoneNumber: answer.display_phone_number ?? null,
        verifiedName: answer.verified_name ?? null,
        qualityRating: answer.quality_rating ?? null,
        throughputLevel: answer.throughput?.level ?? null,
        messagingLimitTier: answer.whatsapp_business_manager_messaging_limit ?? null,
        coexistence: answer.is_on_biz_app === true && (answer.platform_type ?? "CLOUD_API") === "CLOUD_API",
      };
    },

    async accountHasNumber() {
      // One page: a business account holds far fewer numbers than a page (Meta's limit is 20 by default).
      const query = new URLSearchParams({ fields: "id", limit: String(ACCOUNT_NUMBERS_PAGE_SIZE) });
      const answer = await requestJson(accountUrl("phone_numbers", query), { method: "GET" }, accountNumbersSchema);
      return answer.data.some((number) => number.id === options.phoneNumberId);
    },

    async subscribeApp() {
      await requestJson(accountUrl("subscribed_apps"), { method: "POST" }, successSchema);
    },

    async sendText(to, body, { previewUrl, replyToWamid, callbackData } = {}) {
      if (body.length === 0) throw new CloudApiValidationError("body", "The text is empty");
      if (body.length > TEXT_BODY_MAX_LENGTH) {
        throw new CloudApiValidationError("body", `The text is longer than ${TEXT_BODY_MAX_LENGTH} characters`);
      }
      if (replyToWamid !== undefined) checkWamid(replyToWamid, "replyToWamid");
      return sendMessage(to, "text", {
        text: previewUrl === undefined ? { body } : { body, preview_url: previewUrl },
        ...(replyToWamid === undefined ? {} : { context: { message_id: replyToWamid } }),
      }, { callbackData });
    },

    async sendTemplate(to, { name, languageCode, bodyParameters }, options) {
      checkTemplate(name, languageCode, bodyParameters);
      const parameters = bodyParameters.map((text) => ({ type: "text" as const, text }));
      return sendMessage(to, "template", {
        template: {
          name,
          language: { code: languageCode },
          ...(parameters.length > 0 ? { components: [{ type: "body" as const, parameters }] } : {}),
        },
      }, options);
    },

    async sendMedia(to, media, options) {
      return sendMessage(to, media.kind, { [media.kind]: mediaObject(media) }, options);
    },

    async sendRich(to, message, { replyToWamid, callbackData } = {}) {
      if (replyToWamid !== undefined) checkWamid(replyToWamid, "replyToWamid");
      const { type, ...content } = message;
      return sendMessage(to, type, { ...content, ...(replyToWamid === undefined ? {} : { context: { message_id: replyToWamid } }) } as Partial<SendMessageRequest>, { callbackData });
    },

    async blockUsers(waIds) {
      return changeBlocks("POST", waIds);
    },

    async unblockUsers(waIds) {
      return changeBlocks("DELETE", waIds);
    },

    async listBlockedUsers() {
      const blocked: string[] = [];
      const seenCursors = new Set<string>();
      let after: string | undefined;
      for (let page = 0; page < TEMPLATE_PAGES_MAX; page++) {
        const query = new URLSearchParams({ limit: "1000" });
        if (after) query.set("after", after);
        const answer = await requestJson(`${apiBase}/${options.phoneNumberId}/block_users?${query}`, { method: "GET" }, blockedListSchema);
        for (const entry of answer.data) blocked.push(...entry.block_users.map((user) => user.wa_id));
        after = answer.paging?.next ? answer.paging.cursors?.after : undefined;
        if (!after || seenCursors.has(after)) break;
        seenCursors.add(after);
      }
      return blocked;
    },

    async sendReaction(to, wamid, emoji, options) {
      checkWamid(wamid, "wamid");
      return sendMessage(to, "reaction", { reaction: { message_id: wamid, emoji } }, options);
    },

    async markRead(wamid, { typingIndicator = false } = {}) {
      checkWamid(wamid, "wamid");
      const body: MarkReadRequest = {
        messaging_product: "whatsapp",
        status: "read",
        message_id: wamid,
        ...(typingIndicator ? { typing_indicator: { type: "text" as const } } : {}),
      };
      await requestJson(messagesUrl, { method: "POST", json: body }, successSchema);
    },

    async listTemplates() {
      if (!options.businessAccountId) {
        throw new CloudApiValidationError("businessAccountId", "Listing templates needs the WhatsApp Business Account id");
      }
      const templates: MessageTemplate[] = [];
      const seenCursors = new Set<string>();
      let after: string | undefined;
      for (let page = 0; page < TEMPLATE_PAGES_MAX; page++) {
        // The next page is asked of our own base URL by cursor, never of `paging.next` itself:
        // that URL comes from the answer, and the token must not follow it anywhere else.
        const query = new URLSearchParams({ fields: "id,name,language,status,category,components", limit: String(TEMPLATE_PAGE_SIZE) });
        if (after) query.set("after", after);
        const answer = await requestJson(
          `${apiBase}/${options.businessAccountId}/message_templates?${query}`,
          { method: "GET" },
          templateListSchema,
        );
        for (const template of answer.data) {
          const { id, name, language, status, category, components } = template;
          templates.push({ id: id ?? "", name, language, status, category, components });
        }
        after = answer.paging?.next ? answer.paging.cursors?.after : undefined;
        if (!after || seenCursors.has(after)) break;
        seenCursors.add(after);
      }
      return templates;
    },

    async uploadMedia(file, filename) {
      if (!file.type) throw new CloudApiValidationError("mimeType", "The media type is missing");
      const body = multipartBody({ messaging_product: "whatsapp", type: file.type }, file, filename);
      const answer = await requestJson(`${apiBase}/${options.phoneNumberId}/media`, { method: "POST", multipart: body }, uploadResponseSchema);
      return answer.id;
    },

    async getMediaUrl(mediaId) {
      if (!MEDIA_ID.test(mediaId)) throw new CloudApiValidationError("mediaId", "Not a media id");
      const answer = await requestJson(`${apiBase}/${mediaId}`, { method: "GET" }, mediaUrlSchema);
      return { url: answer.url, mimeType: answer.mime_type, sha256: answer.sha256, fileSize: answer.file_size };
    },

    async downloadMedia(url) {
      checkMediaUrl(url, options.baseUrl);
      const response = await request(url, { method: "GET" });
      try {
        return Buffer.from(await response.arrayBuffer());
      } catch (error) {
        throw asCloudApiError(error, timeoutMs);
      }
    },
  };
}

/** A request body read as it is sent, and its length (sent as Content-Length). */
interface StreamedBody {
  contentType: string;
  length: number;
  chunks(): AsyncIterable<Uint8Array>;
}

/** A multipart/form-data body (RFC 7578): the fields, then `file`, whose bytes are read only as they are sent. */
function multipartBody(fields: Record<string, string>, file: Blob, filename: string): StreamedBody {
  const boundary = `----bharat-${randomUUID()}`;
  // The HTML standard's escaping of names in multipart headers.
  const quoted = (value: string) => value.replace(/["\r\n]/g, (character) => encodeURIComponent(character));
  const fieldParts = Object.entries(fields).map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${quoted(name)}"\r\n\r\n${value}\r\n`);
  const head = Buffer.from(
    `${fieldParts.join("")}--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${quoted(filename)}"\r\nContent-Type: ${file.type}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    length: head.length + file.size + tail.length,
    async *chunks() {
      yield head;
      yield* Readable.fromWeb(file.stream() as NodeReadableStream<Uint8Array>);
      yield tail;
    },
  };
}

/**
 * POSTs a streamed body with backpressure and answers as fetch would. Not fetch itself: Node 20's
 * fetch kept a streamed request body in memory until the exchange ended (a 300 MB body raised the
 * process's peak memory by 317 MB; through node:http, by 33 MB whatever the size).
 */
function postStreamed(url: string, headers: Record<string, string>, body: StreamedBody, signal: AbortSignal): Promise<Response> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === "https:" ? httpsRequest : httpRequest;
    const outgoing = send(
      target,
      { method: "POST", signal, headers: { ...headers, "content-type": body.contentType, "content-length": String(body.length) } },
      (incoming) => resolve(new Response(Readable.toWeb(incoming) as ReadableStream<Uint8Array>, { status: incoming.statusCode })),
    );
    // An abort (the deadline) or a lost connection after the body was sent fails only the request.
    outgoing.once("error", reject);
    // Meta may answer (an error) before taking the whole body: that answer, resolved first, is the one reported.
    pipeline(Readable.from(body.chunks()), outgoing).catch(reject);
  });
}

function checkOptions(options: CloudApiOptions): string {
  let base: URL;
  try {
    base = new URL(options.baseUrl);
  } catch {
    throw new CloudApiValidationError("baseUrl", "The Cloud API base URL is not a URL");
  }
  if (base.protocol !== "https:" && base.protocol !== "http:") {
    throw new CloudApiValidationError("baseUrl", "The Cloud API base URL must be http(s)");
  }
  if (!/^v\d+\.\d+$/.test(options.version)) throw new CloudApiValidationError("version", "The Graph API version must look like v23.0");
  if (!/^\d+$/.test(options.phoneNumberId)) throw new CloudApiValidationError("phoneNumberId", "The phone number id must be digits");
  if (options.businessAccountId !== undefined && !/^\d+$/.test(options.businessAccountId)) {
    throw new CloudApiValidationError("businessAccountId", "The business account id must be digits");
  }
  if (!options.token) throw new CloudApiValidationError("token", "The access token is missing");
  return `${options.baseUrl.replace(/\/+$/, "")}/${options.version}`;
}

/** A number goes in `to`; a BSUID (a customer whose number is hidden) in Meta's `recipient`. */
function addressOf(to: string): { to: string } | { recipient: string } {
  if (WA_ID.test(to)) return { to };
  if (isBsuid(to)) return { recipient: to };
  throw new CloudApiValidationError("to", "The recipient must be a wa_id (digits only, at most 15) or a business-scoped user ID such as IN.1502576394655843");
}

function checkWamid(wamid: string, field: string) {
  if (wamid.length === 0 || wamid.length > 256) throw new CloudApiValidationError(field, "Not a WhatsApp message id");
}

function checkTemplate(name: string, languageCode: string, bodyParameters: readonly string[]) {
  if (!TEMPLATE_NAME.test(name)) throw new CloudApiValidationError("name", "Template names are lower-case letters, digits and _");
  if (!LANGUAGE_CODE.test(languageCode)) throw new CloudApiValidationError("languageCode", "Language codes look like en or en_US");
  for (const parameter of bodyParameters) {
    if (parameter.length === 0) throw new CloudApiValidationError("bodyParameters", "A template parameter is empty");
    if (TEMPLATE_PARAMETER_FORBIDDEN.test(parameter)) {
      throw new CloudApiValidationError(
        "bodyParameters",
        "Template parameters cannot contain new lines, tabs or more than 4 consecutive spaces",
      );
    }
  }
}

function mediaObject({ kind, id, link, caption, filename }: MediaMessage): MediaObject {
  if ((id === undefined) === (link === undefined)) {
    throw new CloudApiValidationError("media", "Give exactly one of a media id and a link");
  }
  if (id !== undefined && !MEDIA_ID.test(id)) throw new CloudApiValidationError("media", "Not a media id");
  if (link !== undefined && !/^https?:\/\//i.test(link)) throw new CloudApiValidationError("media", "The link must be http(s)");
  if (caption !== undefined && (kind === "audio" || kind === "sticker")) {
    throw new CloudApiValidationError("caption", `A ${kind} cannot have a caption`);
  }
  if (caption !== undefined && caption.length > MEDIA_CAPTION_MAX_LENGTH) {
    throw new CloudApiValidationError("caption", `The caption is longer than ${MEDIA_CAPTION_MAX_LENGTH} characters`);
  }
  if (filename !== undefined && kind !== "document") throw new CloudApiValidationError("filename", "Only documents have a file name");
  return {
    ...(id === undefined ? {} : { id }),
    ...(link === undefined ? {} : { link }),
    ...(caption === undefined ? {} : { caption }),
    ...(filename === undefined ? {} : { filename }),
  };
}

function checkMediaUrl(url: string, baseUrl: string) {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new CloudApiValidationError("url", "The media URL is not a URL");
  }
  const sameOrigin = target.origin === new URL(baseUrl).origin;
  const metaHost =
    target.protocol === "https:" &&
    MEDIA_HOST_SUFFIXES.some((suffix) => target.hostname === suffix || target.hostname.endsWith(`.${suffix}`));
  if (!sameOrigin && !metaHost) {
    throw new CloudApiValidationError("url", "The media URL is neither the Cloud API's nor Meta's media host");
  }
}

/**
 * A block or unblock Meta refused for some users (139100) says why per user, in `failed_users`:
 * that reason ("User has not messaged in the last 24 hours") replaces the general one.
 */
function withFailedUserReason(error: CloudApiError, body: unknown): CloudApiError {
  const failed = (body as Partial<BlockUsersResponse> | undefined)?.block_users?.failed_users?.[0]?.errors?.[0];
  if (!failed) return error;
  const code = Number(failed.code);
  return new CloudApiError({
    code: Number.isInteger(code) ? code : error.code,
    title: failed.message ?? error.title,
    details: failed.error_data?.details ?? error.details,
    fbtraceId: error.fbtraceId,
    httpStatus: error.httpStatus,
    kind: error.kind,
    retryable: false,
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function asCloudApiError(error: unknown, timeoutMs: number): CloudApiError {
  if (error instanceof CloudApiError) return error;
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) return timeoutError(timeoutMs);
  return networkError(error);
}
