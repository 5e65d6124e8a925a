import type { CountryCode } from "libphonenumber-js";
import type { Viewer } from "../auth/auth.service.ts";
import type { Config } from "../config.ts";
import { toE164, waIdOf } from "../contacts/phone.ts";
import type { Database } from "../db/client.ts";
import { serializedWrite } from "../db/write-queue.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { Prisma, type WhatsAppMessage } from "../generated/prisma/client.ts";
import { publishInboxEvents, type InboxPubSub } from "../realtime/pubsub.ts";
import type { ConversationMirror } from "../storage/conversation-files.ts";
import { MEDIA_CAPTION_MAX_LENGTH, TEXT_BODY_MAX_LENGTH } from "../whatsapp/cloud-api.ts";
import { findUploadRecord } from "../media/media-store.ts";
import { mediaContent, oneLine, type MessageContent } from "./message-content.ts";
import { claimedOnCreation, type OutboundRequest, type Outbox } from "./outbox.ts";
import { InvalidPhoneNumberError, SendFailedError, WhatsAppNotConfiguredError, WindowClosedError } from "./send-errors.ts";
import { renderTemplate } from "../templates/template-content.ts";
import type { CachedTemplate, TemplateCatalog } from "../templates/templates.service.ts";
import { customerServiceWindow } from "./window.ts";
import type { AutoReplyKind } from "../autoreply/decide.ts";

export interface SendDependencies {
  db: Database;
  config: Config;
  outbox: Outbox;
  templates: TemplateCatalog;
  pubsub: InboxPubSub;
  mirror: ConversationMirror;
}

/** Who to send to: a CRM contact, or any number in any common format. Exactly one of them. */
export interface SendTarget {
  contactId?: string | null;
  phoneNumber?: string | null;
  /** A client's key for this send: repeating the request never sends twice. */
  idempotencyKey?: string | null;
}

export interface SendTextInput extends SendTarget {
  message: string;
  replyToWamid?: string | null;
  /** Set by the auto-reply runner: the message shows as automatic and is no agent's activity. */
  autoReply?: AutoReplyKind | null;
}

/** Who sends: an agent or integrator (a viewer), or the workspace itself (auto-replies: no user). */
export type Sender = Pick<Viewer, "workspaceId"> & { userId: string | null };

export interface SendTemplateInput extends SendTarget {
  templateName: string;
  languageCode: string;
  bodyParameters?: string[] | null;
}

export interface SendOutcome {
  message: WhatsAppMessage;
  /** The contact's name, else the customer's WhatsApp profile name, else the number. */
  recipient: string;
  /** E.164 */
  phone: string;
  /** Meta was busy: the outbox retries with backoff and the ticks will follow. */
  queued: boolean;
}

interface Recipient {
  phone: string;
  waId: string;
  name: string;
  contactId: string | null;
}

/** Said to a workspace that does not own the configured business number. */
export const NOT_THIS_WORKSPACES_NUMBER = "WhatsApp is not configured for this workspace: its business number belongs to another";

/** The configured number's workspace, per database: set at start-up (bootstrap.ts), then fixed. */
const configuredNumberOwners = new WeakMap<Database, Promise<string | null>>();

/**
 * Whether this workspace may use the configured business number: one workspace owns it (see
 * bootstrap.ts). Any other would be sending, and reading templates, as that business. Looked up
 * once: an extra query on every send would slow the send path for nothing.
 */
export async function ownsConfiguredNumber(db: Database, config: Config, workspaceId: string): Promise<boolean> {
  const phoneNumberId = config.WHATSAPP_PHONE_ID;
  if (!phoneNumberId) return false;
  let owner = configuredNumberOwners.get(db);
  if (!owner) {
    owner = db.whatsAppPhoneNumber.findUnique({ where: { phoneNumberId } }).then((number) => number?.workspaceId ?? null);
    configuredNumberOwners.set(db, owner);
    owner.then((found) => found ?? configuredNumberOwners.delete(db), () => configuredNumberOwners.delete(db));
  }
  return (await owner) === workspaceId;
}

export async function whatsappStatus(db: Database, config: Config, workspaceId: string) {
  if (config.whatsappMissing.length > 0) {
    return { configured: false, missing: config.whatsappMissing, message: `WhatsApp is not configured: set ${config.whatsappMissing.join(", ")}` };
  }
  if (!(await ownsConfiguredNumber(db, config, workspaceId))) return { configured: false, missing: [], message: NOT_THIS_WORKSPACES_NUMBER };
  return { configured: true, missing: [], message: "WhatsApp is configured and ready to use" };
}

async function resolveRecipient(db: Database, workspaceId: string, target: SendTarget, country: CountryCode): Promise<Recipient> {
  if (!!target.contactId === !!target.phoneNumber) {
    throw ValidationError.of(target.contactId ? "phoneNumber" : "contactId", "Give either contactId or phoneNumber");
  }
  if (target.contactId) {
    const contact = await db.contact.findFirst({ where: { id: target.contactId, workspaceId } });
    if (!contact) throw new NotFoundError("Contact");
    if (!contact.whatsappNumber) throw new InvalidPhoneNumberError("The contact has no WhatsApp number");
    return { phone: contact.whatsappNumber, waId: waIdOf(contact.whatsappNumber), name: contact.name, contactId: contact.id };
  }
  const phone = toE164(target.phoneNumber!, country);
  if (!phone) throw new InvalidPhoneNumberError();
  const waId = waIdOf(phone);
  const contact = await db.contact.findUnique({ where: { workspaceId_whatsappNumber: { workspaceId, whatsappNumber: phone } } });
  const conversation = await db.conversation.findUnique({ where: { workspaceId_waId: { workspaceId, waId } } });
  return { phone, waId, name: contact?.name ?? conversation?.profileName ?? phone, contactId: contact?.id ?? null };
}

async function ensureConfigured(deps: SendDependencies, workspaceId: string) {
  if (deps.config.whatsappMissing.length > 0) throw new WhatsAppNotConfiguredError(deps.config.whatsappMissing);
  if (!(await ownsConfiguredNumber(deps.db, deps.config, workspaceId))) throw new WhatsAppNotConfiguredError([], NOT_THIS_WORKSPACES_NUMBER);
}

/** Free-form messages (text, media) need the customer to have written in the last 24 hours. */
async function ensureWindowOpen(db: Database, workspaceId: string, waId: string) {
  const conversation = await db.conversation.findUnique({ where: { workspaceId_waId: { workspaceId, waId } } });
  const window = customerServiceWindow(conversation?.lastInboundAt ?? null);
  if (!window.isOpen) throw new WindowClosedError(window.closesAt);
}

function outcomeOf(message: WhatsAppMessage, recipient: Recipient): SendOutcome {
  if (message.status === "FAILED") {
    throw new SendFailedError(message.errorCode, message.errorTitle ?? "Unknown error", message.errorDetails, message.id);
  }
  return { message, recipient: recipient.name, phone: recipient.phone, queued: message.status === "QUEUED" };
}

interface OutboundDraft {
  type: string;
  text: string | null;
  preview: string;
  templateName?: string;
  templateLanguage?: string;
  reaction?: { emoji: string | null; toWamid: string };
  /** false: the conversation's list entry (last message, its time) stays as it is — a reaction. */
  listed?: boolean;
  /** An agent's attachment: its media columns, the file already kept (see sendWhatsAppMedia). */
  media?: Pick<Prisma.WhatsAppMessageUncheckedCreateInput, "mediaId" | "mediaMimeType" | "mediaSha256" | "mediaFilename" | "mediaState" | "mediaPath" | "mediaSize">;
  autoReply?: AutoReplyKind | null;
  request: OutboundRequest;
}

/**
 * Stores the outgoing message (PENDING, claimed by this request) with its conversation, then
 * makes the first attempt at once: the caller learns whether Meta accepted it, queued it for a
 * retry, or refused it. A repeated idempotency key answers the first request's message.
 */
async function sendOutbound(deps: SendDependencies, viewer: Sender, recipient: Recipient, draft: OutboundDraft, key?: string | null) {
  const { db } = deps;
  const { workspaceId } = viewer;
  if (key) {
    const earlier = await db.whatsAppMessage.findUnique({ where: { workspaceId_idempotencyKey: { workspaceId, idempotencyKey: key } } });
    if (earlier) return outcomeOf(earlier, recipient);
  }
  const now = new Date();
  let message: WhatsAppMessage;
  try {
    message = await serializedWrite(db, () =>
      db.$transaction(async (tx) => {
        const conversation = await tx.conversation.upsert({
          where: { workspaceId_waId: { workspaceId, waId: recipient.waId } },
          create: { workspaceId, waId: recipient.waId, contactId: recipient.contactId, lastMessageAt: now, lastMessagePreview: draft.preview, agentActiveAt: draft.autoReply ? null : now },
          update: {
            // An agent's message keeps auto-replies out of the conversation for a while (autoreply/).
            ...(draft.autoReply ? {} : { agentActiveAt: now }),
            ...(draft.listed === false ? {} : { lastMessageAt: now, lastMessagePreview: draft.preview }),
            ...(recipient.contactId ? { contactId: recipient.contactId } : {}),
          },
        });
        return tx.whatsAppMessage.create({
          data: {
            ...claimedOnCreation(),
            workspaceId,
            conversationId: conversation.id,
            direction: "OUTBOUND",
            type: draft.type,
            text: draft.text,
            preview: draft.preview,
            templateName: draft.templateName,
            templateLanguage: draft.templateLanguage,
            reactionEmoji: draft.reaction?.emoji,
            reactionToWamid: draft.reaction?.toWamid,
            ...draft.media,
            contextWamid: draft.request.type === "text" ? (draft.request.replyToWamid ?? null) : null,
            raw: JSON.stringify(draft.request),
            timestamp: now,
            idempotencyKey: key || null,
            sentByUserId: viewer.userId,
            autoReply: draft.autoReply ?? null,
          },
        });
      }),
    );
  } catch (error) {
    // The same key sent twice at the same moment: the other request stored it first.
    if (key && error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      const earlier = await db.whatsAppMessage.findUniqueOrThrow({ where: { workspaceId_idempotencyKey: { workspaceId, idempotencyKey: key } } });
      return outcomeOf(earlier, recipient);
    }
    throw error;
  }
  publishInboxEvents(deps.pubsub, [
    { workspaceId, event: { type: "messageAdded", conversationId: message.conversationId, messageId: message.id } },
    { workspaceId, event: { type: "conversationUpdated", conversationId: message.conversationId } },
  ]);
  deps.mirror.schedule(message.conversationId);
  const attempted = await deps.outbox.attemptNow(message);
  return outcomeOf(attempted ?? message, recipient);
}

/** A free-form text: only inside the 24-hour window, refused before any call to Meta otherwise. */
export async function sendWhatsAppText(deps: SendDependencies, viewer: Sender, input: SendTextInput): Promise<SendOutcome> {
  await ensureConfigured(deps, viewer.workspaceId);
  const body = input.message ?? "";
  if (!body.trim()) throw ValidationError.of("message", "Message is required");
  if (body.length > TEXT_BODY_MAX_LENGTH) {
    throw ValidationError.of("message", `Message must be at most ${TEXT_BODY_MAX_LENGTH} characters (it has ${body.length})`);
  }
  const recipient = await resolveRecipient(deps.db, viewer.workspaceId, input, deps.config.DEFAULT_COUNTRY);
  await ensureWindowOpen(deps.db, viewer.workspaceId, recipient.waId);
  return sendOutbound(
    deps,
    viewer,
    recipient,
    {
      type: "text",
      text: body,
      preview: oneLine(body),
      autoReply: input.autoReply,
      request: { type: "text", to: recipient.waId, body, ...(input.replyToWamid ? { replyToWamid: input.replyToWamid } : {}) },
    },
    input.idempotencyKey,
  );
}

/** An approved template: allowed at any time, and the only way to open a conversation. */
export async function sendWhatsAppTemplate(deps: SendDependencies, viewer: Viewer, input: SendTemplateInput): Promise<SendOutcome> {
  await ensureConfigured(deps, viewer.workspaceId);
  const name = input.templateName.trim();
  const languageCode = input.languageCode.trim();
  if (!/^[a-z0-9_]{1,512}$/.test(name)) throw ValidationError.of("templateName", "Give the template's name, e.g. order_update");
  if (!/^[a-z]{2,3}(_[A-Z]{2})?$/.test(languageCode)) throw ValidationError.of("languageCode", "Give a language code such as en or en_US");
  const bodyParameters = (input.bodyParameters ?? []).map((parameter) => parameter.trim());
  const template = await approvedTemplate(deps.templates, viewer.workspaceId, name, languageCode);
  if (template === null) throw ValidationError.of("templateName", `No approved template ${name} in ${languageCode}`);
  if (template && template.parameterCount !== bodyParameters.length) {
    throw ValidationError.of("bodyParameters", `${name} needs ${template.parameterCount} parameter(s), got ${bodyParameters.length}`);
  }
  if (bodyParameters.some((parameter) => !parameter)) throw ValidationError.of("bodyParameters", "Fill in every parameter");
  const recipient = await resolveRecipient(deps.db, viewer.workspaceId, input, deps.config.DEFAULT_COUNTRY);
  const text = template ? renderTemplate(template.body, bodyParameters) : bodyParameters.join(" · ") || null;
  return sendOutbound(
    deps,
    viewer,
    recipient,
    {
      type: "template",
      text,
      preview: text ? oneLine(text) : `[Template] ${name}`,
      templateName: name,
      templateLanguage: languageCode,
      request: { type: "template", to: recipient.waId, name, languageCode, bodyParameters },
    },
    input.idempotencyKey,
  );
}

/**
 * The approved template, null when the account has no such approved template, or undefined
 * when the list cannot be fetched right now — then Meta itself validates the send.
 */
async function approvedTemplate(catalog: TemplateCatalog, workspaceId: string, name: string, language: string): Promise<CachedTemplate | null | undefined> {
  try {
    return await catalog.find(workspaceId, name, language);
  } catch {
    return undefined;
  }
}

export interface ReactInput {
  /** Our id of the message reacted to. */
  messageId: string;
  /** One emoji; empty removes our earlier reaction. */
  emoji: string;
}

/** One emoji (a single grapheme, flags and keycaps included), as WhatsApp accepts for a reaction. */
export function isSingleEmoji(text: string): boolean {
  const graphemes = [...new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(text)];
  return graphemes.length === 1 && /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20e3/u.test(text);
}

/**
 * Our reaction to a message of the conversation (an empty emoji takes it back): sent like any
 * message — stored, then through the outbox — inside the 24-hour window. It shows on the message
 * it reacts to, and leaves the conversation's list entry as it was.
 */
export async function reactToMessage(deps: SendDependencies, viewer: Viewer, input: ReactInput): Promise<SendOutcome & { target: WhatsAppMessage }> {
  await ensureConfigured(deps, viewer.workspaceId);
  const emoji = input.emoji.trim();
  if (emoji !== "" && !isSingleEmoji(emoji)) throw ValidationError.of("emoji", "Give one emoji, or nothing to remove the reaction");
  const target = await deps.db.whatsAppMessage.findFirst({
    where: { id: input.messageId, workspaceId: viewer.workspaceId },
    include: { conversation: { include: { contact: { select: { name: true } } } } },
  });
  if (!target) throw new NotFoundError("Message");
  if (target.type === "reaction") throw ValidationError.of("messageId", "A reaction cannot be reacted to");
  if (!target.wamid) throw ValidationError.of("messageId", "The message has not reached WhatsApp yet");
  const { conversation } = target;
  const window = customerServiceWindow(conversation.lastInboundAt);
  if (!window.isOpen) throw new WindowClosedError(window.closesAt);
  const recipient: Recipient = {
    phone: `+${conversation.waId}`,
    waId: conversation.waId,
    name: conversation.contact?.name ?? conversation.profileName ?? `+${conversation.waId}`,
    contactId: conversation.contactId,
  };
  const outcome = await sendOutbound(deps, viewer, recipient, {
    type: "reaction",
    text: null,
    preview: emoji ? `${emoji} reacted to “${oneLine(target.preview, 60)}”` : "Removed a reaction",
    reaction: { emoji: emoji || null, toWamid: target.wamid },
    listed: false,
    request: { type: "reaction", to: conversation.waId, wamid: target.wamid, emoji },
  });
  const { conversation: _conversation, ...message } = target;
  return { ...outcome, target: message };
}

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
  await ensureConfigured(deps, viewer.workspaceId);
  const upload = await findUploadRecord(deps.config.MEDIA_DIR, viewer.workspaceId, input.mediaId);
  if (!upload) throw ValidationError.of("mediaId", "No such upload: upload the file with POST /api/media/uploads first");
  const caption = input.caption?.trim() || undefined;
  if (caption && (upload.kind === "audio" || upload.kind === "sticker")) {
    throw ValidationError.of("caption", `${upload.kind === "audio" ? "An audio file" : "A sticker"} cannot have a caption`);
  }
  if (caption && caption.length > MEDIA_CAPTION_MAX_LENGTH) {
    throw ValidationError.of("caption", `The caption must be at most ${MEDIA_CAPTION_MAX_LENGTH} characters (it has ${caption.length})`);
  }
  const recipient = await resolveRecipient(deps.db, viewer.workspaceId, input, deps.config.DEFAULT_COUNTRY);
  await ensureWindowOpen(deps.db, viewer.workspaceId, recipient.waId);
  const filename = upload.kind === "document" ? upload.filename : undefined;
  const content = mediaContent(upload.kind, { id: upload.mediaId, mime_type: upload.mimeType, sha256: upload.sha256, caption, filename });
  return sendOutbound(
    deps,
    viewer,
    recipient,
    {
      type: upload.kind,
      text: content.text,
      preview: content.preview,
      media: { ...pickMediaColumns(content), mediaState: "STORED", mediaPath: upload.path, mediaSize: upload.size },
      request: { type: "media", to: recipient.waId, kind: upload.kind, id: upload.mediaId, caption, filename },
    },
    input.idempotencyKey,
  );
}

function pickMediaColumns({ mediaId, mediaMimeType, mediaSha256, mediaFilename }: MessageContent) {
  return { mediaId, mediaMimeType, mediaSha256, mediaFilename };
}
