/**
 * The control API under `/_simulator/…`, for tests and the demo: JSON in and out, no auth.
 * Its prefix can never be a Graph API path (those start with `/v<major>.<minor>/`). Each route
 * calls the same Simulator method a test in the same process would.
 */
import { z } from "zod";
import { appContactsInputSchema, historyInputSchema } from "./coexistence.ts";
import { inboundInputSchema } from "./inbound.ts";
import { AnswerError } from "./answers.ts";
import type { Simulator } from "./simulator.ts";

export const CONTROL_PREFIX = "/_simulator";

const count = z.number().int().positive().default(1);

export const failureInputSchema = z.discriminatedUnion("kind", [
  /** Meta refuses with this code — synchronously, or as a `failed` status after a 200 (`at: "status"`). */
  z.object({ kind: z.literal("meta"), code: z.number().int().positive(), at: z.enum(["request", "status"]).default("request"), count }),
  /** An HTTP error with an HTML body, as a proxy in front of Meta would answer. */
  z.object({ kind: z.literal("http"), status: z.number().int().min(400).max(599).default(500), count }),
  /** No answer for `hangMs` (then 131000): longer than the client's timeout. */
  z.object({ kind: z.literal("timeout"), hangMs: z.number().int().positive().default(30_000), count }),
  /** A normal answer, after `delayMs`: Meta under load. */
  z.object({ kind: z.literal("slow"), delayMs: z.number().int().positive().default(2_000), count }),
  /**
   * Accepted at once (recorded, its statuses on their way), its answer held back `delayMs`: the
   * window in which a sender that dies has had its message taken without learning its wamid.
   */
  z.object({ kind: z.literal("lateAnswer"), delayMs: z.number().int().positive().default(2_000), count }),
]);
export type FailureInput = z.input<typeof failureInputSchema>;

export const mediaFailureInputSchema = z.object({ status: z.number().int().min(400).max(599).default(500), count });

export const settingsInputSchema = z
  .object({
    webhookUrl: z.url(),
    messagesPerSecond: z.number().int().positive(),
    statusDelaysMs: z
      .object({ sent: z.number().int().min(0), delivered: z.number().int().min(0), read: z.number().int().min(0) })
      .partial(),
    statusMode: z.enum(["normal", "drop", "duplicate", "reorder"]),
    refusalsAt: z.enum(["request", "status"]),
    /** The number is also on the WhatsApp Business app: Meta's 20 messages/s and `is_on_biz_app`. */
    coexistence: z.boolean(),
  })
  .partial();
export type SettingsInput = z.input<typeof settingsInputSchema>;

export const customerInputSchema = z
  .object({
    /** ms since the epoch or an ISO date; null: the customer never wrote. */
    lastInboundAt: z.union([z.number().int(), z.iso.datetime({ offset: true }), z.null()]),
    /** Shorthand for lastInboundAt: that many hours before now. */
    lastInboundHoursAgo: z.number().min(0),
    /** false: sends to this number fail with 131026. */
    onWhatsApp: z.boolean(),
  })
  .partial();
export type CustomerInput = z.input<typeof customerInputSchema>;

export const rawInputSchema = z.object({
  /** A string is sent byte for byte (e.g. broken JSON); anything else as JSON. */
  body: z.unknown(),
  signature: z.union([z.enum(["valid", "wrong", "missing"]), z.object({ header: z.string() })]).default("valid"),
});
export type RawInput = z.input<typeof rawInputSchema>;

/** The business account's templates, as `GET /message_templates` will list them from now on. */
export const templatesInputSchema = z.object({
  templates: z.array(
    z.looseObject({
      id: z.string().regex(/^\d{1,30}$/),
      name: z.string().regex(/^[a-z0-9_]{1,512}$/),
      language: z.string().min(2),
      status: z.string().min(1),
      category: z.string().min(1),
      components: z.array(z.looseObject({ type: z.string() })),
    }),
  ),
  /** A business account (WABA) given templates of its own; none: the list every other account shares. */
  businessAccountId: z.string().regex(/^\d{1,30}$/).optional(),
});
export type TemplatesInput = z.input<typeof templatesInputSchema>;

/** Meta reviews a template: its status changes and a `message_template_status_update` webhook follows. */
export const templateStatusInputSchema = z.object({
  name: z.string().min(1),
  language: z.string().min(2),
  /** APPROVED, REJECTED, PAUSED, DISABLED, PENDING_DELETION… */
  event: z.string().min(1),
  reason: z.string().nullable().default(null),
});
export type TemplateStatusInput = z.input<typeof templateStatusInputSchema>;

/** Another business number the simulated Meta knows, with its own token and business account. */
export const numberInputSchema = z.object({
  phoneNumberId: z.string().regex(/^\d{1,20}$/, "must be digits only"),
  businessAccountId: z.string().regex(/^\d{1,20}$/, "must be digits only"),
  token: z.string().min(1),
  displayPhoneNumber: z.string().regex(/^\d{6,15}$/, "must be digits only").optional(),
  verifiedName: z.string().min(1).default("Simulated Business"),
  qualityRating: z.enum(["GREEN", "YELLOW", "RED", "NA", "UNKNOWN"]).default("GREEN"),
  throughputLevel: z.enum(["STANDARD", "HIGH", "NOT_APPLICABLE"]).default("STANDARD"),
  messagingLimitTier: z.string().regex(/^TIER_\w+$/).default("TIER_1K"),
  enforceMessagingLimit: z.boolean().default(false),
  isOnBizApp: z.boolean().default(false),
});
export type NumberInput = z.input<typeof numberInputSchema>;
/** A customer stops (or resumes) the business's marketing messages in WhatsApp: a `user_preferences` webhook. */
export const userPreferenceInputSchema = z.object({
  from: z.string().regex(/^\d{1,20}$/, "must be digits"),
  name: z.string().min(1).default("Priya Sharma"),
  value: z.enum(["stop", "resume"]),
});
export type UserPreferenceInput = z.input<typeof userPreferenceInputSchema>;

/** A number's messaging-limit tier, and whether sends are held to it. */
export const messagingLimitInputSchema = z.object({
  tier: z.enum(["TIER_50", "TIER_250", "TIER_1K", "TIER_2K", "TIER_10K", "TIER_100K", "TIER_UNLIMITED"]),
  enforce: z.boolean().default(true),
});
export type MessagingLimitInput = z.input<typeof messagingLimitInputSchema>;

/** The number's quality or messaging limit changes: a `phone_number_quality_update` webhook. */
export const qualityInputSchema = z.object({
  /** DOWNGRADE, FLAGGED, UNFLAGGED, UPGRADE, THROUGHPUT_UPGRADE… */
  event: z.string().min(1),
  /** TIER_250, TIER_2K, TIER_10K, TIER_100K, TIER_UNLIMITED */
  limit: z.string().min(1).default("TIER_2K"),
});
export type QualityInput = z.input<typeof qualityInputSchema>;

/** The portfolio's messaging limit changes: a `business_capability_update` webhook (-1: unlimited). */
export const capabilityInputSchema = z.object({ maxDailyConversationsPerBusiness: z.number().int().min(-1) });
export type CapabilityInput = z.input<typeof capabilityInputSchema>;

export interface ControlAnswer {
  status: number;
  json: unknown;
}

const ROUTES = {
  "POST /inbound": "a customer's message → signed webhook; answers {wamid, httpStatus, payload}",
  "POST /answer": "{to: wamid, buttonId | rowId | flowResponse | address | location}: the customer answers that message",
  "GET /blocked": "the wa_ids the business blocked (POST/DELETE /block_users)",
  "POST /raw": "any body with a valid, wrong or missing signature; answers {httpStatus, responseBody}",
  "POST /customers/{waId}": "{lastInboundAt | lastInboundHoursAgo, onWhatsApp}",
  "POST /failures": '{kind:"meta", code, at?, count?} | {kind:"http", status?, count?} | {kind:"timeout", hangMs?, count?} | {kind:"slow", delayMs?, count?} | {kind:"lateAnswer", delayMs?, count?}',
  "GET|POST /settings": "{webhookUrl, messagesPerSecond, statusDelaysMs, statusMode, refusalsAt}",
  "GET|POST /templates": "{templates: [{id, name, language, status, category, components}], businessAccountId?}: what GET message_templates lists (of that WABA only, when given)",
  "POST /template-status": '{name, language, event: "APPROVED"|"REJECTED"|"PAUSED"|"DISABLED"…, reason?} → signed message_template_status_update webhook',
  "POST /user-preferences": '{from, name?, value: "stop"|"resume"} → signed user_preferences webhook (a customer stops or resumes marketing messages)',
  "POST /quality": '{event: "FLAGGED"|"DOWNGRADE"|"UPGRADE"…, limit?: "TIER_2K"} → signed phone_number_quality_update webhook',
  "GET /media/{id}": "a media file the simulator holds: {id, mimeType, sha256, size, filename}",
  "POST /media/{id}/expire": "Meta forgets the media, as after 30 days: its id answers (#100) does not exist",
  "POST /media-failures": "{status?: 500, count?: 1}: the next media file downloads fail with that HTTP status",
  "POST /capability": "{maxDailyConversationsPerBusiness: 2000} (-1: unlimited) → signed business_capability_update webhook",
  "GET|POST /numbers": "{phoneNumberId, businessAccountId, token, displayPhoneNumber?, verifiedName?, qualityRating?, throughputLevel?, messagingLimitTier?, isOnBizApp?}: another business number, with its own token",
  "POST /numbers/{phoneNumberId}/messaging-limit": '{tier: "TIER_250"|"TIER_2K"|…|"TIER_UNLIMITED", enforce?: true}: business-initiated sends beyond the tier\'s unique customers in 24 h (per business account) fail with 131048',
  "GET /messages": "every accepted outgoing message",
  "GET /requests": "every Graph API request and its answer",
  "GET /webhooks": "every webhook delivery attempt",
  "POST /coexistence/phone-sends": "the business sends from the WhatsApp Business app (a message described like /inbound, from = the customer it goes to) → signed smb_message_echoes",
  "POST /coexistence/history": "{declined?, threads?, messagesPerThread?, mediaEvery?, chunkSize?, outOfOrder?, pauseMs?} → signed history webhooks in phases, then media follow-ups",
  "POST /coexistence/contacts": '{changes: [{action: "add"|"remove", phone_number, full_name?, first_name?}]} → signed smb_app_state_sync',
  "POST /reset": "forget everything, back to the start-up settings",
};

export async function handleControl(simulator: Simulator, method: string, path: string, body: unknown): Promise<ControlAnswer> {
  const route = path.slice(CONTROL_PREFIX.length) || "/";
  const customer = /^\/customers\/(\d{1,20})$/.exec(route);
  const limitOf = /^\/numbers\/(\d{1,20})\/messaging-limit$/.exec(route);
  const media = /^\/media\/([A-Za-z0-9_-]{1,128})(\/expire)?$/.exec(route);
  const parse = <T>(schema: z.ZodType<T>) => {
    const parsed = schema.safeParse(body ?? {});
    if (parsed.success) return parsed.data;
    throw new ControlInputError(parsed.error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`).join("; "));
  };
  try {
    if (method === "GET" && route === "/") return ok({ routes: ROUTES });
    if (method === "POST" && route === "/inbound") return ok(await simulator.sendInbound(parse(inboundInputSchema)));
    if (method === "POST" && route === "/answer") return ok(await simulator.answer(body as Parameters<Simulator["answer"]>[0]));
    if (method === "GET" && route === "/blocked") return ok({ blocked: simulator.blockedUsers() });
    if (method === "POST" && route === "/raw") return ok(await simulator.sendRaw(parse(rawInputSchema)));
    if (method === "POST" && customer) return ok(simulator.setCustomer(customer[1], parse(customerInputSchema)));
    if (method === "POST" && route === "/failures") return ok({ failures: simulator.forceFailures(parse(failureInputSchema)) });
    if (method === "POST" && route === "/settings") return ok(simulator.configure(parse(settingsInputSchema)));
    if (method === "GET" && route === "/settings") return ok(simulator.configure({}));
    if (method === "POST" && route === "/templates") {
      const input = parse(templatesInputSchema);
      return ok({ templates: simulator.setTemplates(input.templates, input.businessAccountId) });
    }
    if (method === "GET" && route === "/templates") return ok({ templates: simulator.setTemplates() });
    if (method === "POST" && route === "/template-status") {
      const input = parse(templateStatusInputSchema);
      const known = simulator.setTemplates().some((template) => template.name === input.name && template.language === input.language);
      if (!known) throw new ControlInputError(`No template ${input.name} in ${input.language}`);
      return ok(await simulator.updateTemplateStatus(input));
    }
    if (method === "POST" && route === "/user-preferences") return ok(await simulator.sendUserPreference(parse(userPreferenceInputSchema)));
    if (method === "POST" && route === "/quality") return ok(await simulator.updateQuality(parse(qualityInputSchema)));
    if (method === "POST" && route === "/capability") return ok(await simulator.updateCapability(parse(capabilityInputSchema)));
    if (method === "GET" && media && !media[2]) {
      const info = simulator.mediaInfo(media[1]!);
      return info ? ok(info) : { status: 404, json: { error: `No media ${media[1]}` } };
    }
    if (method === "POST" && media?.[2]) return ok({ expired: simulator.expireMedia(media[1]!) });
    if (method === "POST" && route === "/media-failures") {
      const { status, count } = parse(mediaFailureInputSchema);
      simulator.failMediaDownloads(status, count);
      return ok({ status, count });
    }
    if (method === "POST" && route === "/numbers") return ok(simulator.addNumber(parse(numberInputSchema)));
    if (method === "POST" && limitOf) {
      if (!simulator.numbers().some((number) => number.phoneNumberId === limitOf[1])) return { status: 404, json: { error: `No number ${limitOf[1]}` } };
      return ok(simulator.setMessagingLimit(limitOf[1]!, parse(messagingLimitInputSchema)));
    }
    if (method === "GET" && route === "/numbers") return ok({ numbers: simulator.numbers(), subscribedAccounts: simulator.subscribedAccounts() });
    if (method === "POST" && route === "/coexistence/phone-sends") return ok(await simulator.phoneSends(parse(inboundInputSchema)));
    if (method === "POST" && route === "/coexistence/history") return ok(await simulator.syncHistory(parse(historyInputSchema)));
    if (method === "POST" && route === "/coexistence/contacts") return ok(await simulator.changeAppContacts(parse(appContactsInputSchema)));
    if (method === "GET" && route === "/messages") return ok({ messages: simulator.sentMessages() });
    if (method === "GET" && route === "/requests") return ok({ requests: simulator.requests() });
    if (method === "GET" && route === "/webhooks") return ok({ attempts: simulator.webhookAttempts() });
    if (method === "POST" && route === "/reset") {
      simulator.reset();
      return ok({ reset: true });
    }
    return { status: 404, json: { error: `No control route ${method} ${path}`, routes: ROUTES } };
  } catch (error) {
    if (error instanceof ControlInputError || error instanceof AnswerError) return { status: 400, json: { error: error.message } };
    if (error instanceof z.ZodError) return { status: 400, json: { error: error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`).join("; ") } };
    throw error;
  }
}

class ControlInputError extends Error {}

function ok(json: unknown): ControlAnswer {
  return { status: 200, json };
}
