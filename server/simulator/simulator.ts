/**
 * A local stand-in for Meta's WhatsApp Cloud API: a real HTTP server that answers the Graph API
 * routes the product uses in Meta's formats, enforces Meta's rules (token, ids, shapes, the 24-hour
 * window, templates, throughput), sends signed webhooks to the product, and offers a control API
 * under `/_simulator/…`. It knows only the product's webhook URL and Meta's formats.
 */
import { answerInbound, answerInputSchema, type AnswerInput } from "./answers.ts";
import http from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { MessageTemplate } from "../whatsapp/cloud-api.ts";
import type { WebhookPayload } from "../whatsapp/webhook.ts";
import {
  CONTROL_PREFIX,
  customerInputSchema,
  failureInputSchema,
  handleControl,
  numberInputSchema,
  rawInputSchema,
  settingsInputSchema,
  type CustomerInput,
  type FailureInput,
  type NumberInput,
  type RawInput,
  type SettingsInput,
  templateStatusInputSchema,
  userPreferenceInputSchema,
  qualityInputSchema,
  capabilityInputSchema,
  type CapabilityInput,
  messagingLimitInputSchema,
  type MessagingLimitInput,
  type UserPreferenceInput,
  type QualityInput,
  type TemplateStatusInput,
} from "./control-api.ts";
import { handleGraph, handleMediaDownload, MEDIA_DOWNLOAD_PATH, storeMedia, type GraphContext } from "./graph-api.ts";
import type { Answer } from "./graph-messages.ts";
import { buildInbound, inboundInputSchema, type InboundInput, type MediaStore } from "./inbound.ts";
import {
  appContactsPayload,
  COEXISTENCE_MESSAGES_PER_SECOND,
  echoPayload,
  historyInputSchema,
  historyPayloads,
  type AppContactsInput,
  type HistoryInput,
  type PhoneSendsInput,
} from "./coexistence.ts";
import {
  Scheduler,
  type ForcedFailure,
  type GraphRequestRecord,
  type RefusalsAt,
  type SentMessage,
  type Settings,
  type SimulatedNumber,
  type SimulatorState,
  templatesOf,
  type StatusDelaysMs,
  type StatusMode,
  type WebhookAttempt,
} from "./state.ts";
import { DEFAULT_TEMPLATES } from "./templates.ts";
import { accountChangeEnvelope, createWebhookSender, messagesEnvelope, metaJson, templateStatusEnvelope, type RawDeliveryResult } from "./webhooks.ts";

/** Meta's default throughput per business number. @default 80 */
export const DEFAULT_MESSAGES_PER_SECOND = 80;
/** When sent, delivered and read are reported after acceptance: slow enough to watch in a demo. */
export const DEFAULT_STATUS_DELAYS_MS: StatusDelaysMs = { sent: 400, delivered: 1000, read: 2500 };
/** Waits before webhook retries 1, 2, 3 (Meta keeps trying for days; three are enough here). */
export const DEFAULT_WEBHOOK_RETRY_DELAYS_MS: readonly number[] = [1000, 5000, 15_000];
/** How long the product may take to answer a webhook. @default 10_000 */
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;
/** Largest request body accepted: Meta's largest media upload (a 100 MB document) and its multipart framing; larger ones get 413. @default 101 MiB */
export const MAX_REQUEST_BYTES = 101 * 1024 * 1024;

export interface SimulatorOptions {
  token: string;
  phoneNumberId: string;
  /** Further business numbers of the same account (same token): customers write to them, sends leave from them. @default none */
  otherPhoneNumberIds?: readonly string[];
  businessAccountId: string;
  appSecret: string;
  /** The product's webhook, e.g. http://localhost:3001/api/whatsapp/webhook. */
  webhookUrl: string;
  /** The business number as webhooks show it (digits). @default "918000000001" */
  displayPhoneNumber?: string;
  /** What `GET /{phone-number-id}` says of the first number. @default "Bharat CRM Demo" */
  verifiedName?: string;
  /** @default 80 */
  messagesPerSecond?: number;
  /** @default {sent: 400, delivered: 1000, read: 2500} */
  statusDelaysMs?: Partial<StatusDelaysMs>;
  /** @default "normal" */
  statusMode?: StatusMode;
  /** @default "request" */
  refusalsAt?: RefusalsAt;
  /** @default [1000, 5000, 15000] */
  webhookRetryDelaysMs?: readonly number[];
  /** @default 10_000 */
  webhookTimeoutMs?: number;
  /** wa_ids that are not on WhatsApp: sends to them fail with 131026. */
  notOnWhatsApp?: readonly string[];
  /** @default the templates of ./templates.ts */
  templates?: readonly MessageTemplate[];
  /** Largest template page served. @default 25 */
  templatesPageSize?: number;
  /** Called with unexpected errors of the simulator itself. @default console.error */
  onError?: (error: unknown) => void;
}

export interface InboundResult {
  wamid: string;
  /** The product's answer to the first delivery attempt; null when it could not be reached. */
  httpStatus: number | null;
  payload: WebhookPayload;
}

export interface CustomerState {
  waId: string;
  lastInboundAt: string | null;
  onWhatsApp: boolean;
}

export interface Simulator {
  /** Listens (port 0: any free port) and returns the base URL to give the client. */
  start(port?: number, host?: string): Promise<string>;
  /** Cancels pending webhooks and hanging answers, closes every connection. */
  stop(): Promise<void>;
  /** The base URL once started. */
  readonly baseUrl: string;
  /** A customer writes: the message is signed and POSTed to the webhook URL, and opens the window. */
  sendInbound(input: InboundInput): Promise<InboundResult>;
  /** The customer answers a message the business sent: a button, a list row, a Flow, an address, a location. */
  answer(input: AnswerInput): Promise<InboundResult>;
  /** The wa_ids the business blocked. */
  blockedUsers(): string[];
  /** Any body, with a valid, wrong or missing signature: for hostile-input tests. */
  sendRaw(input: RawInput): Promise<RawDeliveryResult>;
  setCustomer(waId: string, input: CustomerInput): CustomerState;
  /** Another business number (or the same id again, replaced): its own token and business account. */
  addNumber(input: NumberInput): SimulatedNumber;
  /** Every business number, the first one first. */
  numbers(): SimulatedNumber[];
  /** Business accounts the app subscribed to (`POST /{waba-id}/subscribed_apps`). */
  subscribedAccounts(): string[];
  /** Queues failures for the next sends; returns the queue. */
  forceFailures(input: FailureInput): ForcedFailure[];
  /** Changes settings (an empty object changes nothing); returns them all. */
  configure(input: SettingsInput): Settings;
  /**
   * Replaces the business account's templates (none given: leaves them); returns them. With a
   * `businessAccountId`, that account (WABA) gets a list of its own; the others keep the shared one.
   */
  setTemplates(templates?: readonly MessageTemplate[], businessAccountId?: string): readonly MessageTemplate[];
  /**
   * Meta reviewed a template: its status changes (PENDING_DELETION removes it) and a signed
   * `message_template_status_update` webhook is delivered. Unknown templates are refused.
   */
  updateTemplateStatus(input: TemplateStatusInput): Promise<{ httpStatus: number | null; payload: WebhookPayload }>;
  /** The customer stops or resumes the business's marketing messages in WhatsApp (`user_preferences`). */
  sendUserPreference(input: UserPreferenceInput): Promise<{ httpStatus: number | null; payload: WebhookPayload }>;
  /** Holds a number's sends to a messaging-limit tier (unique customers in 24 h per business account); answers the number. */
  setMessagingLimit(phoneNumberId: string, input: MessagingLimitInput): SimulatedNumber;
  /** Meta flags the number, or changes its messaging limit (`phone_number_quality_update`). */
  updateQuality(input: QualityInput): Promise<{ httpStatus: number | null; payload: WebhookPayload }>;
  /** Meta changes the portfolio's messaging limit (`business_capability_update`); the simulator's numbers take it too. */
  updateCapability(input: CapabilityInput): Promise<{ httpStatus: number | null; payload: WebhookPayload }>;
  sentMessages(): SentMessage[];
  /** A media file the simulator holds (uploaded by the product, or sent by a customer); null when unknown or expired. */
  mediaInfo(mediaId: string): { id: string; mimeType: string; sha256: string; size: number; filename: string | null } | null;
  /** Meta forgets the media: its id then answers "does not exist", as after 30 days. */
  expireMedia(mediaId: string): boolean;
  /** The next `count` media file downloads answer HTTP `status`. */
  failMediaDownloads(status: number, count: number): void;
  requests(): GraphRequestRecord[];
  webhookAttempts(): WebhookAttempt[];
  /** Forgets everything and cancels what is pending: back to the settings it started with. */
  reset(): void;
  /** Coexistence: the business sends from the WhatsApp Business app on its phone → smb_message_echoes. */
  phoneSends(input: PhoneSendsInput): Promise<{ wamid: string; httpStatus: number | null; payload: WebhookPayload }>;
  /** Coexistence: Meta shares the app's chat history (or the owner declined) → history webhooks, in turn. */
  syncHistory(input: HistoryInput): Promise<{ webhooks: number; httpStatuses: Array<number | null> }>;
  /** Coexistence: the app's address book changed → smb_app_state_sync. */
  changeAppContacts(input: AppContactsInput): Promise<{ httpStatus: number | null; payload: WebhookPayload }>;
}

/** A number as webhooks show it, made up from its id for numbers added without one. */
const defaultDisplayNumber = (phoneNumberId: string) => `9180${phoneNumberId.slice(-8).padStart(8, "0")}`;

export function createSimulator(options: SimulatorOptions): Simulator {
  const initialSettings = (): Settings => ({
    webhookUrl: options.webhookUrl,
    messagesPerSecond: options.messagesPerSecond ?? DEFAULT_MESSAGES_PER_SECOND,
    statusDelaysMs: { ...DEFAULT_STATUS_DELAYS_MS, ...options.statusDelaysMs },
    statusMode: options.statusMode ?? "normal",
    refusalsAt: options.refusalsAt ?? "request",
    coexistence: false,
  });
  const firstNumber = (): SimulatedNumber => ({
    phoneNumberId: options.phoneNumberId,
    businessAccountId: options.businessAccountId,
    token: options.token,
    displayPhoneNumber: options.displayPhoneNumber ?? "918000000001",
    verifiedName: options.verifiedName ?? "Bharat CRM Demo",
    qualityRating: "GREEN",
    throughputLevel: "STANDARD",
    messagingLimitTier: "TIER_1K",
    enforceMessagingLimit: false,
    isOnBizApp: false,
  });
  // Further numbers of the same business account, answering to the same token.
  const sameAccountNumber = (phoneNumberId: string): SimulatedNumber => ({
    ...firstNumber(),
    phoneNumberId,
    displayPhoneNumber: defaultDisplayNumber(phoneNumberId),
    verifiedName: `${options.verifiedName ?? "Bharat CRM Demo"} ${phoneNumberId.slice(-4)}`,
  });
  const freshState = (): SimulatorState => ({
    settings: initialSettings(),
    numbers: new Map([firstNumber(), ...(options.otherPhoneNumberIds ?? []).map(sameAccountNumber)].map((number) => [number.phoneNumberId, number])),
    subscribedAccounts: new Set(),
    templates: options.templates ?? DEFAULT_TEMPLATES,
    accountTemplates: new Map(),
    lastInboundAtMs: new Map(),
    notOnWhatsApp: new Set(options.notOnWhatsApp ?? []),
    blocked: new Set(),
    reachedByAccount: new Map(),
    failures: [],
    sent: [],
    requests: [],
    attempts: [],
    media: new Map(),
    mediaFailures: [],
    nextDeliveryId: 1,
  });
  // One object for the simulator's life: contexts keep a reference, reset() refills it.
  const state = freshState();
  const scheduler = new Scheduler();
  const sender = createWebhookSender(state, scheduler, {
    appSecret: options.appSecret,
    businessAccountId: options.businessAccountId,
    retryDelaysMs: options.webhookRetryDelaysMs ?? DEFAULT_WEBHOOK_RETRY_DELAYS_MS,
    timeoutMs: options.webhookTimeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS,
  });
  let baseUrl = "";
  const context: GraphContext = {
    state,
    scheduler,
    sender,
    token: options.token,
    businessAccountId: options.businessAccountId,
    phoneNumberId: options.phoneNumberId,
    displayPhoneNumber: options.displayPhoneNumber ?? "918000000001",
    templatesPageSize: options.templatesPageSize ?? 25,
    baseUrl: () => baseUrl,
  };
  const numberOf = () => ({ businessAccountId: options.businessAccountId, phoneNumberId: options.phoneNumberId, displayPhoneNumber: context.displayPhoneNumber });
  const mediaStore: MediaStore = (bytes, mimeType, filename) => storeMedia(context, bytes, mimeType, filename);
  const onError = options.onError ?? ((error: unknown) => console.error("[simulator]", error));

  const simulator: Simulator = {
    get baseUrl() {
      return baseUrl;
    },

    async start(port = 0, host = "127.0.0.1") {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolve();
        });
      });
      const address = server.address();
      const actualPort = typeof address === "object" && address ? address.port : port;
      baseUrl = `http://${host === "0.0.0.0" || host === "::" ? "localhost" : host}:${actualPort}`;
      return baseUrl;
    },

    async stop() {
      scheduler.cancelAll();
      if (!server.listening) return;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },

    async sendInbound(input) {
      const parsed = inboundInputSchema.parse(input);
      const number = state.numbers.get(parsed.phone_number_id ?? options.phoneNumberId);
      if (!number) throw new Error(`No business number ${parsed.phone_number_id}: add it first (POST /_simulator/numbers)`);
      const built = buildInbound(parsed, number.displayPhoneNumber, (bytes, mimeType, filename) => storeMedia(context, bytes, mimeType, filename));
      const wroteAtMs = built.wroteAtMs;
      if (wroteAtMs !== null) {
        for (const customer of built.customers) state.lastInboundAtMs.set(customer, Math.max(wroteAtMs, state.lastInboundAtMs.get(customer) ?? 0));
      }
      const payload = messagesEnvelope(number.businessAccountId, {
        messaging_product: "whatsapp",
        metadata: { display_phone_number: number.displayPhoneNumber, phone_number_id: number.phoneNumberId },
        ...(built.contact ? { contacts: [built.contact] } : {}),
        messages: [built.message],
      });
      const httpStatus = await sender.deliver("message", payload);
      return { wamid: built.message.id, httpStatus, payload };
    },

    answer(input) {
      const parsed = answerInputSchema.parse(input);
      return simulator.sendInbound(answerInbound(state.sent.find((message) => message.wamid === parsed.to), parsed));
    },

    blockedUsers: () => [...state.blocked],

    sendRaw(input) {
      const { body, signature } = rawInputSchema.parse(input);
      return sender.deliverRaw(typeof body === "string" ? body : metaJson(body), signature);
    },

    setCustomer(waId, input) {
      const { lastInboundAt, lastInboundHoursAgo, onWhatsApp } = customerInputSchema.parse(input);
      if (lastInboundHoursAgo !== undefined) state.lastInboundAtMs.set(waId, Date.now() - lastInboundHoursAgo * 3_600_000);
      if (lastInboundAt === null) state.lastInboundAtMs.delete(waId);
      else if (lastInboundAt !== undefined) state.lastInboundAtMs.set(waId, new Date(lastInboundAt).getTime());
      if (onWhatsApp === false) state.notOnWhatsApp.add(waId);
      if (onWhatsApp === true) state.notOnWhatsApp.delete(waId);
      const last = state.lastInboundAtMs.get(waId);
      return { waId, lastInboundAt: last === undefined ? null : new Date(last).toISOString(), onWhatsApp: !state.notOnWhatsApp.has(waId) };
    },

    addNumber(input) {
      const parsed = numberInputSchema.parse(input);
      const number: SimulatedNumber = { ...parsed, displayPhoneNumber: parsed.displayPhoneNumber ?? defaultDisplayNumber(parsed.phoneNumberId) };
      state.numbers.set(number.phoneNumberId, number);
      return { ...number };
    },
    numbers: () => [...state.numbers.values()].map((number) => ({ ...number })),
    setMessagingLimit(phoneNumberId, input) {
      const { tier, enforce } = messagingLimitInputSchema.parse(input);
      const number = state.numbers.get(phoneNumberId);
      if (!number) throw new Error(`No number ${phoneNumberId}`);
      number.messagingLimitTier = tier;
      number.enforceMessagingLimit = enforce;
      return { ...number };
    },
    subscribedAccounts: () => [...state.subscribedAccounts],

    forceFailures(input) {
      const { count, ...failure } = failureInputSchema.parse(input);
      state.failures.push({ ...failure, remaining: count });
      return state.failures.map((queued) => ({ ...queued }));
    },

    configure(input) {
      const { statusDelaysMs, ...rest } = settingsInputSchema.parse(input);
      // Meta limits a number shared with the WhatsApp Business app, unless a rate is asked for too.
      if (rest.coexistence && !state.settings.coexistence && rest.messagesPerSecond === undefined) rest.messagesPerSecond = COEXISTENCE_MESSAGES_PER_SECOND;
      Object.assign(state.settings, rest);
      state.settings.statusDelaysMs = { ...state.settings.statusDelaysMs, ...statusDelaysMs };
      return structuredClone(state.settings);
    },

    async phoneSends(input) {
      const { wamid, payload } = echoPayload(numberOf(), input, mediaStore);
      return { wamid, httpStatus: await sender.deliver("coexistence", payload), payload };
    },

    async syncHistory(input) {
      const { pauseMs } = historyInputSchema.parse(input);
      const httpStatuses: Array<number | null> = [];
      for (const payload of historyPayloads(numberOf(), input, mediaStore)) {
        if (pauseMs > 0 && httpStatuses.length > 0) await sleep(pauseMs);
        httpStatuses.push(await sender.deliver("coexistence", payload));
      }
      return { webhooks: httpStatuses.length, httpStatuses };
    },

    async changeAppContacts(input) {
      const payload = appContactsPayload(numberOf(), input);
      return { httpStatus: await sender.deliver("coexistence", payload), payload };
    },

    setTemplates(templates, businessAccountId) {
      if (businessAccountId !== undefined) {
        if (templates) state.accountTemplates.set(businessAccountId, [...templates]);
        return templatesOf(state, businessAccountId);
      }
      if (templates) state.templates = [...templates];
      return state.templates;
    },

    async updateTemplateStatus(input) {
      const { name, language, event, reason } = templateStatusInputSchema.parse(input);
      const template = state.templates.find((candidate) => candidate.name === name && candidate.language === language);
      if (!template) throw new Error(`No template ${name} in ${language}`);
      state.templates =
        event === "PENDING_DELETION"
          ? state.templates.filter((candidate) => candidate !== template)
          : state.templates.map((candidate) => (candidate === template ? { ...candidate, status: event } : candidate));
      const payload = templateStatusEnvelope(options.businessAccountId, {
        event,
        // Meta sends the id as a JSON number.
        message_template_id: Number(template.id),
        message_template_name: name,
        message_template_language: language,
        message_template_category: template.category,
        reason: reason ?? (event === "APPROVED" ? "NONE" : null),
      });
      return { httpStatus: await sender.deliver("status", payload), payload };
    },

    async sendUserPreference(input) {
      const { from, name, value } = userPreferenceInputSchema.parse(input);
      const payload = accountChangeEnvelope(options.businessAccountId, "user_preferences", {
        messaging_product: "whatsapp",
        metadata: { display_phone_number: context.displayPhoneNumber, phone_number_id: options.phoneNumberId },
        contacts: [{ profile: { name }, wa_id: from }],
        user_preferences: [
          { wa_id: from, detail: `User requested to ${value} marketing messages`, category: "marketing_messages", value, timestamp: Math.floor(Date.now() / 1000) },
        ],
      });
      return { httpStatus: await sender.deliver("status", payload), payload };
    },

    async updateQuality(input) {
      const { event, limit } = qualityInputSchema.parse(input);
      const payload = accountChangeEnvelope(options.businessAccountId, "phone_number_quality_update", {
        display_phone_number: context.displayPhoneNumber,
        event,
        current_limit: limit,
        max_daily_conversations_per_business: limit,
      });
      return { httpStatus: await sender.deliver("status", payload), payload };
    },

    async updateCapability(input) {
      const { maxDailyConversationsPerBusiness } = capabilityInputSchema.parse(input);
      const payload = accountChangeEnvelope(options.businessAccountId, "business_capability_update", {
        max_daily_conversations_per_business: maxDailyConversationsPerBusiness,
        max_phone_numbers_per_waba: 25,
      });
      return { httpStatus: await sender.deliver("status", payload), payload };
    },

    sentMessages: () => [...state.sent],
    mediaInfo(mediaId) {
      const media = state.media.get(mediaId);
      return media ? { id: mediaId, mimeType: media.mimeType, sha256: media.sha256, size: media.bytes.length, filename: media.filename } : null;
    },
    expireMedia: (mediaId) => state.media.delete(mediaId),
    failMediaDownloads(status, count) {
      state.mediaFailures.push({ status, remaining: count });
    },
    requests: () => [...state.requests],
    webhookAttempts: () => [...state.attempts],

    reset() {
      scheduler.cancelAll();
      Object.assign(state, freshState());
    },
  };

  const server = http.createServer((request, response) => {
    serve(request, response).catch((error: unknown) => {
      onError(error);
      if (!response.headersSent) writeJson(response, 500, { error: "The simulator failed; see its output" });
      else response.destroy();
    });
  });

  async function serve(request: http.IncomingMessage, response: http.ServerResponse) {
    const arrivedAtMs = Date.now();
    const method = request.method ?? "GET";
    const url = new URL(request.url ?? "/", "http://simulator.invalid");
    const body = await readBody(request);
    if (body === null) return writeJson(response, 413, { error: `Request bodies are limited to ${MAX_REQUEST_BYTES} bytes` });

    if (url.pathname === CONTROL_PREFIX || url.pathname.startsWith(`${CONTROL_PREFIX}/`)) {
      let json: unknown;
      try {
        json = body.length > 0 ? JSON.parse(body.toString("utf8")) : undefined;
      } catch {
        return writeJson(response, 400, { error: "The body is not JSON" });
      }
      const answer = await handleControl(simulator, method, url.pathname, json);
      return writeJson(response, answer.status, answer.json);
    }

    const graphRequest = {
      method,
      url,
      authorization: request.headers.authorization,
      contentType: request.headers["content-type"],
      body,
      arrivedAtMs,
    };
    const answer =
      method === "GET" && url.pathname === MEDIA_DOWNLOAD_PATH
        ? handleMediaDownload(context, graphRequest)
        : await handleGraph(context, graphRequest);
    state.requests.push({
      method,
      path: url.pathname,
      body: recordedBody(graphRequest.contentType, body),
      httpStatus: answer.status,
      errorCode: answer.errorCode,
      atMs: arrivedAtMs,
    });
    writeAnswer(response, answer);
  }

  return simulator;
}

/** The body, or null when it is larger than {@link MAX_REQUEST_BYTES}. */
async function readBody(request: http.IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function recordedBody(contentType: string | undefined, body: Buffer): unknown {
  if (body.length === 0 || !contentType?.includes("json")) return null;
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    return null;
  }
}

function writeAnswer(response: http.ServerResponse, answer: Answer) {
  // The client may have given up (timeout mode): nothing left to answer.
  if (response.destroyed) return;
  if ("json" in answer) return writeJson(response, answer.status, answer.json);
  response.writeHead(answer.status, { "content-type": answer.contentType });
  response.end(answer.raw);
}

function writeJson(response: http.ServerResponse, status: number, json: unknown) {
  if (response.destroyed) return;
  response.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  response.end(JSON.stringify(json));
}
