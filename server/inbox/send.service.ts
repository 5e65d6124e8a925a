import type { CountryCode } from "libphonenumber-js";
import type { Viewer } from "../auth/auth.service.ts";
import type { Config } from "../config.ts";
import { toE164, waIdOf } from "../contacts/phone.ts";
import type { Database } from "../db/client.ts";
import { isUniqueViolation } from "../db/unique-violation.ts";
import { workspaceNumberIds } from "../db/workspace-numbers.ts";
import { serializedWrite } from "../db/write-queue.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { countOf } from "../plural.ts";
import type { Prisma, WhatsAppMessage } from "../generated/prisma/client.ts";
import { publishInboxEvents, type InboxPubSub } from "../realtime/pubsub.ts";
import type { ConversationMirror } from "../storage/conversation-files.ts";
import { TEXT_BODY_MAX_LENGTH } from "../whatsapp/cloud-api.ts";
import { oneLine } from "../whatsapp/message-content.ts";
import { isBsuid } from "../whatsapp/customer-id.ts";
import { claimedOnCreation, type OutboundRequest, type Outbox } from "./outbox.ts";
import { InvalidPhoneNumberError, SendFailedError, WindowClosedError } from "./send-errors.ts";
import { CONNECT_A_NUMBER, WhatsAppNotConfiguredError, type NumberDirectory } from "../whatsapp-numbers/number-directory.ts";
import { renderTemplate } from "../templates/template-content.ts";
import type { CachedTemplate, TemplateCatalog } from "../templates/templates.service.ts";
import { customerServiceWindow } from "./window.ts";
import { customerLabel } from "./customer.ts";
import type { AutoReplyKind } from "./auto-replies.ts";

export interface SendDependencies {
  db: Database;
  config: Config;
  outbox: Outbox;
  numbers: Pick<NumberDirectory, "sendableNumbersOf">;
  templates: TemplateCatalog;
  pubsub: InboxPubSub;
  mirror: ConversationMirror;
}

/**
 * Who to send to: a CRM contact, any number in any common format, or a customer's
 * business-scoped user ID (for customers whose number is hidden). Exactly one of them.
 */
export interface SendTarget {
  contactId?: string | null;
  phoneNumber?: string | null;
  userId?: string | null;
  /**
   * The workspace's business number (Meta's phone number id) to send from: the customer's
   * conversation on that number is used, or started. Default: the number of the customer's
   * latest conversation, else the workspace's first number.
   */
  fromPhoneNumberId?: string | null;
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
  /** E.164; null when the customer is known only by their business-scoped user ID. */
  phone: string | null;
  /** Meta was busy: the outbox retries with backoff and the ticks will follow. */
  queued: boolean;
}

/** A customer to send to: by number, or by BSUID when the number is hidden (at least one is set). */
export interface Recipient {
  phone: string | null;
  waId: string | null;
  userId: string | null;
  name: string;
  contactId: string | null;
  /** The business number the send leaves from: the conversation is the customer's on this number. */
  from: string;
}

/** Where Meta delivers: the number when known (Meta's advice, and `to` wins at Meta anyway), else the BSUID. */
export function addressOf(recipient: Pick<Recipient, "waId" | "userId">): string {
  return recipient.waId ?? recipient.userId!;
}

/** The customer's conversation on the recipient's business number, by the identifier the recipient is addressed by. */
export function conversationOf(workspaceId: string, recipient: Pick<Recipient, "waId" | "userId" | "from">): Prisma.ConversationWhereUniqueInput {
  const businessPhoneNumberId = recipient.from;
  return recipient.waId
    ? { onNumberByWaId: { workspaceId, businessPhoneNumberId, waId: recipient.waId } }
    : { onNumberByUserId: { workspaceId, businessPhoneNumberId, userId: recipient.userId! } };
}

/**
 * The business numbers a send may leave from: the one asked for, checked to be the workspace's
 * (another workspace's number is answered exactly like an unknown one), and the workspace's
 * first that can send (the bootstrap's number is the first). Asked before anything else of a
 * send: a workspace none of whose numbers can send is told so before anything is looked up.
 * Read from the number directory's cached list — no database read on the way of a send; the
 * database is asked only to word a refusal. The number finally chosen is checked once, by
 * {@link ensureConfigured}.
 */
export async function sendingNumbers(deps: { db: Database; numbers: Pick<NumberDirectory, "sendableNumbersOf"> }, workspaceId: string, requested?: string | null) {
  const sendable = (await deps.numbers.sendableNumbersOf(workspaceId)).filter((number) => !requested || number === requested);
  const [first] = sendable;
  if (first === undefined) {
    // Refused: a number of the workspace that cannot send is named, an unknown one is a wrong field.
    const numbers = await workspaceNumberIds(deps.db, workspaceId);
    if (requested && !numbers.includes(requested)) {
      throw ValidationError.of("fromPhoneNumberId", `${requested} is not one of this workspace's WhatsApp numbers`);
    }
    throw notConfigured(requested || (numbers[0] ?? null));
  }
  return { requested: requested || null, first, sendable };
}

function notConfigured(phoneNumberId: string | null) {
  return phoneNumberId ? new WhatsAppNotConfiguredError([], `WhatsApp is not configured for the number ${phoneNumberId}: ${CONNECT_A_NUMBER}`) : new WhatsAppNotConfiguredError();
}

export type SendingNumbers = Awaited<ReturnType<typeof sendingNumbers>>;

/** A customer's identifiers, before the number the send leaves from is chosen. */
type Customer = Omit<Recipient, "from">;

async function identifyCustomer(db: Database, workspaceId: string, target: SendTarget, country: CountryCode): Promise<Customer> {
  const given = [target.contactId, target.phoneNumber, target.userId].filter((value) => !!value).length;
  if (given !== 1) {
    throw ValidationError.of(target.contactId ? "phoneNumber" : "contactId", "Give exactly one of contactId, phoneNumber and userId");
  }
  if (target.userId) {
    if (!isBsuid(target.userId)) throw ValidationError.of("userId", "Give a business-scoped user ID such as IN.1502576394655843");
    return { phone: null, waId: null, userId: target.userId, name: target.userId, contactId: null };
  }
  if (target.contactId) {
    const contact = await db.contact.findFirst({ where: { id: target.contactId, workspaceId } });
    if (!contact) throw new NotFoundError("Contact");
    if (!contact.whatsappNumber) throw new InvalidPhoneNumberError("The contact has no WhatsApp number");
    return { phone: contact.whatsappNumber, waId: waIdOf(contact.whatsappNumber), userId: null, name: contact.name, contactId: contact.id };
  }
  const phone = toE164(target.phoneNumber!, country);
  if (!phone) throw new InvalidPhoneNumberError();
  const contact = await db.contact.findUnique({ where: { workspaceId_whatsappNumber: { workspaceId, whatsappNumber: phone } } });
  return { phone, waId: waIdOf(phone), userId: null, name: contact?.name ?? phone, contactId: contact?.id ?? null };
}

/**
 * Who a send goes to, and from which of the workspace's numbers: the one asked for, else that of
 * the customer's latest conversation, else the workspace's first. The customer's conversation on
 * that number completes what the target leaves out (their BSUID or number, their profile name).
 */
export async function resolveRecipient(
  deps: Pick<SendDependencies, "db" | "config">,
  workspaceId: string,
  target: SendTarget,
  numbers: SendingNumbers,
): Promise<Recipient> {
  const { db } = deps;
  const customer = await identifyCustomer(db, workspaceId, target, deps.config.DEFAULT_COUNTRY);
  const byCustomer = customer.waId ? { waId: customer.waId } : { userId: customer.userId };
  const latest = numbers.requested
    ? null
    : await db.conversation.findFirst({
        // Of the numbers that can send: a conversation on a number gone since is not continued.
        where: { workspaceId, ...byCustomer, businessPhoneNumberId: { in: numbers.sendable } },
        orderBy: [{ lastMessageAt: { sort: "desc", nulls: "last" } }, { id: "desc" }],
        select: { businessPhoneNumberId: true },
      });
  const from = numbers.requested ?? latest?.businessPhoneNumberId ?? numbers.first;
  const conversation = await db.conversation.findUnique({ where: conversationOf(workspaceId, { ...customer, from }), include: { contact: true } });
  if (target.userId) {
    // Known by their number too: sent to the number, as Meta advises.
    const name = conversation?.contact?.name ?? conversation?.profileName ?? customerLabel({ waId: null, userId: target.userId, username: conversation?.username ?? null });
    return { phone: conversation?.waId ? `+${conversation.waId}` : null, waId: conversation?.waId ?? null, userId: target.userId, name, contactId: conversation?.contactId ?? null, from };
  }
  const name = customer.contactId ? customer.name : (conversation?.profileName ?? customer.name);
  return { ...customer, userId: conversation?.userId ?? null, name, from };
}

/** Refused before anything is stored when the chosen number cannot send (see Outbox.sendsFrom). */
export async function ensureConfigured(deps: { outbox: Pick<Outbox, "sendsFrom"> }, recipient: Pick<Recipient, "from">) {
  if (!(await deps.outbox.sendsFrom(recipient.from))) throw notConfigured(recipient.from);
}

/** Free-form messages (text, media) need the customer to have written to this number in the last 24 hours. */
export async function ensureWindowOpen(db: Database, workspaceId: string, recipient: Pick<Recipient, "waId" | "userId" | "from">) {
  const conversation = await db.conversation.findUnique({ where: conversationOf(workspaceId, recipient) });
  // Meta refuses messages to a customer the business blocked: say so before asking it.
  if (conversation?.blockedAt) throw ValidationError.of("contactId", "You blocked this customer: unblock them to write to them");
  const window = customerServiceWindow(conversation?.lastInboundAt ?? null);
  if (!window.isOpen) throw new WindowClosedError(window.closesAt);
}

function outcomeOf(message: WhatsAppMessage, recipient: Recipient): SendOutcome {
  if (message.status === "FAILED") {
    throw new SendFailedError(message.errorCode, message.errorTitle ?? "Unknown error", message.errorDetails, message.id);
  }
  return { message, recipient: recipient.name, phone: recipient.phone, queued: message.status === "QUEUED" };
}

export interface OutboundDraft {
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
  /** What an interactive, location or contact-card message offers, in its own columns (inbox/send-interactive.ts). */
  details?: Pick<Prisma.WhatsAppMessageUncheckedCreateInput, "interactive" | "flowToken" | "latitude" | "longitude" | "locationName" | "locationAddress">;
  request: OutboundRequest;
}

/**
 * Stores the outgoing message (PENDING, claimed by this request) with its conversation, then
 * makes the first attempt at once: the caller learns whether Meta accepted it, queued it for a
 * retry, or refused it. A repeated idempotency key answers the first request's message.
 */
export async function sendOutbound(deps: SendDependencies, viewer: Sender, recipient: Recipient, draft: OutboundDraft, key?: string | null) {
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
          where: conversationOf(workspaceId, recipient),
          create: { workspaceId, businessPhoneNumberId: recipient.from, waId: recipient.waId, userId: recipient.userId, contactId: recipient.contactId, lastMessageAt: now, lastMessagePreview: draft.preview, agentActiveAt: draft.autoReply ? null : now },
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
            businessPhoneNumberId: recipient.from,
            direction: "OUTBOUND",
            type: draft.type,
            text: draft.text,
            preview: draft.preview,
            templateName: draft.templateName,
            templateLanguage: draft.templateLanguage,
            reactionEmoji: draft.reaction?.emoji,
            reactionToWamid: draft.reaction?.toWamid,
            ...draft.media,
            ...draft.details,
            contextWamid: draft.request.type === "text" || draft.request.type === "rich" ? (draft.request.replyToWamid ?? null) : null,
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
    if (key && isUniqueViolation(error)) {
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
  const numbers = await sendingNumbers(deps, viewer.workspaceId, input.fromPhoneNumberId);
  const body = input.message ?? "";
  if (!body.trim()) throw ValidationError.of("message", "Message is required");
  if (body.length > TEXT_BODY_MAX_LENGTH) {
    throw ValidationError.of("message", `Message must be at most ${TEXT_BODY_MAX_LENGTH} characters (it has ${body.length})`);
  }
  const recipient = await resolveRecipient(deps, viewer.workspaceId, input, numbers);
  await ensureConfigured(deps, recipient);
  await ensureWindowOpen(deps.db, viewer.workspaceId, recipient);
  return sendOutbound(
    deps,
    viewer,
    recipient,
    {
      type: "text",
      text: body,
      preview: oneLine(body),
      autoReply: input.autoReply,
      request: { type: "text", to: addressOf(recipient), body, ...(input.replyToWamid ? { replyToWamid: input.replyToWamid } : {}) },
    },
    input.idempotencyKey,
  );
}

/** An approved template: allowed at any time, and the only way to open a conversation. */
export async function sendWhatsAppTemplate(deps: SendDependencies, viewer: Viewer, input: SendTemplateInput): Promise<SendOutcome> {
  const numbers = await sendingNumbers(deps, viewer.workspaceId, input.fromPhoneNumberId);
  const name = input.templateName.trim();
  const languageCode = input.languageCode.trim();
  if (!/^[a-z0-9_]{1,512}$/.test(name)) throw ValidationError.of("templateName", "Give the template's name, e.g. order_update");
  if (!/^[a-z]{2,3}(_[A-Z]{2})?$/.test(languageCode)) throw ValidationError.of("languageCode", "Give a language code such as en or en_US");
  const bodyParameters = (input.bodyParameters ?? []).map((parameter) => parameter.trim());
  // The number first: the catalogue is read as that number's business.
  const recipient = await resolveRecipient(deps, viewer.workspaceId, input, numbers);
  await ensureConfigured(deps, recipient);
  const template = await approvedTemplate(deps.templates, viewer.workspaceId, recipient.from, name, languageCode);
  if (template === null) throw ValidationError.of("templateName", `No approved template ${name} in ${languageCode}`);
  if (template && template.parameterCount !== bodyParameters.length) {
    throw ValidationError.of("bodyParameters", `${name} needs ${countOf(template.parameterCount, "parameter")}, got ${bodyParameters.length}`);
  }
  if (bodyParameters.some((parameter) => !parameter)) throw ValidationError.of("bodyParameters", "Fill in every parameter");
  if (!recipient.waId && template?.category.toUpperCase() === "AUTHENTICATION") {
    // Meta refuses authentication templates to a BSUID (error 131062): say so before asking it.
    throw ValidationError.of("templateName", "Authentication templates need the customer's phone number, and this customer's number is hidden: send another template");
  }
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
      request: { type: "template", to: addressOf(recipient), name, languageCode, bodyParameters },
    },
    input.idempotencyKey,
  );
}

/**
 * The approved template, null when the account has no such approved template, or undefined
 * when the list cannot be fetched right now — then Meta itself validates the send.
 */
async function approvedTemplate(catalog: TemplateCatalog, workspaceId: string, from: string, name: string, language: string): Promise<CachedTemplate | null | undefined> {
  try {
    // The sending number's business account's catalogue: a template of another WABA cannot leave from it.
    return await catalog.find(workspaceId, from, name, language);
  } catch {
    return undefined;
  }
}
