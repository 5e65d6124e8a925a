/**
 * A customer's message as the control API describes it, turned into the message Meta would put
 * in a webhook: the type's object as given, with what Meta adds itself (id, timestamp, media id,
 * sha256, mime type) filled in.
 */
import { BSUID_PATTERN } from "../whatsapp/customer-id.ts";
import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import type { InboundMessage } from "../whatsapp/webhook.ts";
import { webhookError } from "./meta-errors.ts";

export const INBOUND_TYPES = [
  "text",
  "image",
  "video",
  "audio",
  "document",
  "sticker",
  "location",
  "contacts",
  "reaction",
  "interactive",
  "button",
  "order",
  "system",
  "unsupported",
] as const;
export type InboundType = (typeof INBOUND_TYPES)[number];

const MEDIA_TYPES = ["image", "video", "audio", "document", "sticker"] as const;
type MediaType = (typeof MEDIA_TYPES)[number];

const digits = z.string().regex(/^\d{1,20}$/, "must be digits only");
/** Meta's own fields pass through untouched (loose), so any documented variant can be sent. */
const media = z.looseObject({
  caption: z.string().optional(),
  filename: z.string().optional(),
  mime_type: z.string().optional(),
  voice: z.boolean().optional(),
  animated: z.boolean().optional(),
  /** The file's bytes, base64; a small placeholder when left out. */
  data_base64: z.string().optional(),
});

export const inboundInputSchema = z
  .object({
    /** The customer's number; leave it out for a customer whose number is hidden behind a username. */
    from: digits.optional(),
    /** The customer's business-scoped user ID (e.g. IN.1502576394655843); give it or `from`, or both. */
    user_id: z.string().regex(BSUID_PATTERN, "must be a business-scoped user ID such as IN.1502576394655843").optional(),
    parent_user_id: z.string().regex(BSUID_PATTERN, "must be a parent business-scoped user ID such as US.ENT.1181579921").optional(),
    /** The customer's WhatsApp username, without the @. */
    username: z.string().min(1).max(64).optional(),
    /** The customer's profile name; not sent for system messages. */
    name: z.string().min(1).default("Simulated Customer"),
    type: z.enum(INBOUND_TYPES),
    /** The wamid to use (e.g. to replay a duplicate); a fresh one when left out. */
    id: z.string().min(1).max(256).optional(),
    /** The business number the customer writes to; the simulator's first when left out. */
    phone_number_id: z.string().regex(/^\d{1,32}$/).optional(),
    /** Unix seconds; now when left out. The customer-service window opens at this moment. */
    timestamp: z.number().int().positive().optional(),
    text: z.union([z.string(), z.looseObject({ body: z.string() })]).optional(),
    image: media.optional(),
    video: media.optional(),
    audio: media.optional(),
    document: media.optional(),
    sticker: media.optional(),
    location: z
      .looseObject({ latitude: z.number(), longitude: z.number(), name: z.string().optional(), address: z.string().optional() })
      .optional(),
    contacts: z.array(z.looseObject({})).min(1).optional(),
    /** Leave `emoji` out (or empty) for a removed reaction. */
    reaction: z.looseObject({ message_id: z.string().min(1), emoji: z.string().optional() }).optional(),
    interactive: z
      .union([
        z.looseObject({ type: z.literal("button_reply"), button_reply: z.looseObject({ id: z.string(), title: z.string() }) }),
        z.looseObject({
          type: z.literal("list_reply"),
          list_reply: z.looseObject({ id: z.string(), title: z.string(), description: z.string().optional() }),
        }),
        z.looseObject({ type: z.string() }),
      ])
      .optional(),
    button: z.looseObject({ text: z.string(), payload: z.string().optional() }).optional(),
    order: z.looseObject({ catalog_id: z.string(), product_items: z.array(z.looseObject({})) }).optional(),
    /**
     * `type` user_changed_number (the default): `wa_id` is the new number, `user_id` the new BSUID
     * that comes with it; user_changed_user_id: `user_id` is the new BSUID.
     */
    system: z
      .looseObject({
        wa_id: digits.optional(),
        user_id: z.string().regex(BSUID_PATTERN).optional(),
        type: z.enum(["user_changed_number", "user_changed_user_id"]).default("user_changed_number"),
        body: z.string().optional(),
      })
      .optional(),
    unsupported: z.looseObject({ type: z.string() }).optional(),
    /** A reply (`id` of the quoted message; `from` defaults to the business number) or a forward. */
    context: z
      .looseObject({ id: z.string().optional(), from: z.string().optional(), forwarded: z.boolean().optional(), frequently_forwarded: z.boolean().optional() })
      .optional(),
    /** Click-to-WhatsApp ad referral, as Meta sends it. */
    referral: z.looseObject({}).optional(),
  })
  .superRefine((input, issues) => {
    if (input.from === undefined && input.user_id === undefined) issues.addIssue({ code: "custom", path: ["from"], message: "give from or user_id" });
    const needsObject = ["text", "location", "contacts", "reaction", "interactive", "button", "order", "system"];
    if (needsObject.includes(input.type) && input[input.type as keyof typeof input] === undefined) {
      issues.addIssue({ code: "custom", path: [input.type], message: `a ${input.type} message needs its "${input.type}" object` });
    }
  });

export type InboundInput = z.input<typeof inboundInputSchema>;
type ParsedInbound = z.output<typeof inboundInputSchema>;

/** Keeps a customer's file so that its media id resolves like Meta's; returns that id and hash. */
export type MediaStore = (bytes: Buffer, mimeType: string, filename: string | null) => { id: string; sha256: string };

const DEFAULT_MIME: Record<MediaType, string> = {
  image: "image/png",
  video: "video/mp4",
  audio: "audio/ogg; codecs=opus",
  document: "application/pdf",
  sticker: "image/webp",
};
/** A 1×1 PNG, so a simulated photo renders in the inbox. */
const PLACEHOLDER_PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  "base64",
);

export interface BuiltInbound {
  message: InboundMessage;
  /** The `contacts` entry of the webhook; null for system messages, which have none. */
  contact: { profile: { name: string; username?: string }; wa_id?: string; user_id?: string; parent_user_id?: string } | null;
  /** Who wrote, by every identifier they have: replies may address either. */
  customers: string[];
  /** When the customer wrote, ms since the epoch; null when it does not count as writing. */
  wroteAtMs: number | null;
}

/**
 * A fresh wamid shaped like Meta's: `wamid.` and base64 of a small binary record holding the
 * customer's number and 20 random hex digits (so it starts `wamid.HBg…` as Meta's do).
 */
export function newWamid(waId: string): string {
  const record = Buffer.concat([
    Buffer.from([0x1c, 0x18, waId.length]),
    Buffer.from(waId),
    Buffer.from([0x15, 0x02, 0x00, 0x12, 0x18, 0x14]),
    Buffer.from(randomBytes(10).toString("hex").toUpperCase()),
    Buffer.from([0x00]),
  ]);
  return `wamid.${record.toString("base64")}`;
}

export function buildInbound(input: ParsedInbound, businessDisplayNumber: string, storeMedia: MediaStore): BuiltInbound {
  const timestamp = input.timestamp ?? Math.floor(Date.now() / 1000);
  const message: InboundMessage = {
    ...(input.from ? { from: input.from } : {}),
    ...(input.user_id ? { from_user_id: input.user_id } : {}),
    id: input.id ?? newWamid(input.from ?? input.user_id ?? ""),
    timestamp: String(timestamp),
    type: input.type,
    ...typeObject(input, storeMedia),
  };
  if (input.context) {
    const { id, from, ...flags } = input.context;
    message.context = id === undefined ? flags : { from: from ?? businessDisplayNumber, id, ...flags };
  }
  if (input.referral) message.referral = input.referral;
  const isSystem = input.type === "system";
  return {
    message,
    contact: isSystem
      ? null
      : {
          profile: { name: input.name, ...(input.username ? { username: input.username } : {}) },
          ...(input.from ? { wa_id: input.from } : {}),
          ...(input.user_id ? { user_id: input.user_id } : {}),
          ...(input.parent_user_id ? { parent_user_id: input.parent_user_id } : {}),
        },
    customers: [input.from, input.user_id].filter((id) => id !== undefined),
    // A number change is Meta's notice, not the customer writing: it opens no window.
    wroteAtMs: isSystem ? null : timestamp * 1000,
  };
}

function typeObject(input: ParsedInbound, storeMedia: MediaStore): Partial<InboundMessage> {
  switch (input.type) {
    case "text":
      return { text: typeof input.text === "string" ? { body: input.text } : input.text };
    case "image":
    case "video":
    case "audio":
    case "document":
    case "sticker":
      return { [input.type]: mediaObject(input.type, input[input.type] ?? {}, storeMedia) };
    case "system": {
      const system = input.system;
      if (!system) return {};
      const body =
        system.body ??
        (system.type === "user_changed_user_id"
          ? `User ${input.name} changed their business-scoped user ID from ${input.user_id} to ${system.user_id}`
          : `User ${input.name} changed from ${input.from} to ${system.wa_id}`);
      return { system: { ...system, body } };
    }
    case "unsupported":
      return { unsupported: input.unsupported ?? { type: "poll_update" }, errors: [webhookError(131051)] };
    default:
      return { [input.type]: input[input.type] };
  }
}

function mediaObject(type: MediaType, given: z.output<typeof media>, storeMedia: MediaStore) {
  const { data_base64, ...fields } = given;
  const mimeType = fields.mime_type ?? DEFAULT_MIME[type];
  const bytes =
    data_base64 !== undefined ? Buffer.from(data_base64, "base64")
    : type === "image" ? PLACEHOLDER_PNG
    : Buffer.from(`simulated ${type} ${createHash("sha256").update(randomBytes(8)).digest("hex")}`);
  const { id, sha256 } = storeMedia(bytes, mimeType, fields.filename ?? null);
  const defaults = type === "audio" ? { voice: false } : type === "sticker" ? { animated: false } : {};
  return { ...defaults, ...fields, mime_type: mimeType, sha256, id };
}
