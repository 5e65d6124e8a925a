import { builder } from "../graphql/builder.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { customerServiceWindow } from "./window.ts";
import { WhatsAppNotConfiguredError, type WhatsAppStatus as WhatsAppStatusShape } from "../whatsapp-numbers/number-directory.ts";
import { InvalidPhoneNumberError, SendFailedError, WindowClosedError } from "./send-errors.ts";
import { sendWhatsAppTemplate, sendWhatsAppText, type SendOutcome } from "./send.service.ts";
import { ErrorInterface } from "../graphql/errors.graphql.ts";

builder.objectType(WhatsAppNotConfiguredError, {
  name: "WhatsAppNotConfiguredError",
  interfaces: [ErrorInterface],
  fields: (t) => ({ missing: t.exposeStringList("missing", { description: "Environment variables to set; empty: an admin connects a number under Settings → WhatsApp." }) }),
});
builder.objectType(InvalidPhoneNumberError, {
  name: "InvalidPhoneNumberError",
  interfaces: [ErrorInterface],
  fields: (t) => ({ reason: t.exposeString("reason") }),
});
builder.objectType(WindowClosedError, {
  name: "WindowClosedError",
  description: "Free-form messages need the customer to have written in the last 24 hours: send a template.",
  interfaces: [ErrorInterface],
  fields: (t) => ({ closedAt: t.expose("closedAt", { type: "DateTime", nullable: true }) }),
});
builder.objectType(SendFailedError, {
  name: "SendFailedError",
  description: "Meta refused the message; it is stored as FAILED with this reason.",
  interfaces: [ErrorInterface],
  fields: (t) => ({
    code: t.int({ nullable: true, description: "Meta's error code, e.g. 131026.", resolve: (error) => error.metaCode }),
    title: t.exposeString("title"),
    details: t.exposeString("details", { nullable: true }),
    messageId: t.exposeID("messageId"),
    whatsAppMessage: t.prismaField({
      type: "WhatsAppMessage",
      description: "The message as stored: FAILED, with this reason.",
      resolve: (query, error, _args, { db }) => db.whatsAppMessage.findUniqueOrThrow({ ...query, where: { id: error.messageId } }),
    }),
  }),
});

export const SendSuccess = builder.objectRef<SendOutcome>("SendWhatsAppSuccess").implement({
  fields: (t) => ({
    success: t.boolean({ resolve: () => true }),
    messageId: t.string({ nullable: true, description: "Meta's wamid; null while the message is queued for a retry.", resolve: (o) => o.message.wamid }),
    recipient: t.exposeString("recipient"),
    phone: t.exposeString("phone", { nullable: true, description: "E.164; null when the customer is known only by their business-scoped user ID." }),
    queued: t.exposeBoolean("queued"),
    message: t.string({
      resolve: (o) => (o.queued ? "Message queued: WhatsApp is busy, it will be retried" : "Message sent successfully"),
    }),
    whatsAppMessage: t.prismaField({ type: "WhatsAppMessage", resolve: (query, o, _args, { db }) => db.whatsAppMessage.findUniqueOrThrow({ ...query, where: { id: o.message.id } }) }),
  }),
});

/** The `fromPhoneNumberId` of every send input. */
export const FROM_PHONE_NUMBER_ID_DESCRIPTION =
  "The workspace's WhatsApp number to send from (Meta's phone number id): the customer's conversation on it is used, or started. Default: the number of the customer's latest conversation, else the workspace's first.";

export const SEND_ERRORS = [WhatsAppNotConfiguredError, InvalidPhoneNumberError, ValidationError, NotFoundError, WindowClosedError, SendFailedError];

const SendWhatsAppInput = builder.inputType("SendWhatsAppInput", {
  fields: (t) => ({
    contactId: t.id({ description: "A contact of the workspace; or give phoneNumber, or userId." }),
    phoneNumber: t.string({ description: "Any common format; national numbers are read in DEFAULT_COUNTRY." }),
    userId: t.string({ description: "A customer's business-scoped user ID (BSUID, e.g. IN.1502576394655843), for customers whose number is hidden." }),
    message: t.string({ required: true, description: "Up to 4096 characters." }),
    replyToWamid: t.string({ description: "Quote this message (a reply)." }),
    fromPhoneNumberId: t.string({ description: FROM_PHONE_NUMBER_ID_DESCRIPTION }),
    idempotencyKey: t.string({ description: "Repeating a request with the same key never sends twice." }),
  }),
});

const SendTemplateInput = builder.inputType("SendWhatsAppTemplateInput", {
  fields: (t) => ({
    contactId: t.id(),
    phoneNumber: t.string(),
    userId: t.string({ description: "A customer's business-scoped user ID; authentication templates need a number instead." }),
    templateName: t.string({ required: true }),
    languageCode: t.string({ required: true, description: "e.g. en, en_US, hi" }),
    bodyParameters: t.stringList({ description: "Values for {{1}}, {{2}}… of the template's body." }),
    fromPhoneNumberId: t.string({ description: FROM_PHONE_NUMBER_ID_DESCRIPTION }),
    idempotencyKey: t.string(),
  }),
});

const WhatsAppStatus = builder.objectRef<WhatsAppStatusShape>("WhatsAppStatus").implement({
  fields: (t) => ({
    configured: t.exposeBoolean("configured"),
    message: t.exposeString("message"),
    missing: t.exposeStringList("missing"),
  }),
});

const WindowType = builder.objectRef<ReturnType<typeof customerServiceWindow>>("WhatsAppWindow").implement({
  fields: (t) => ({
    isOpen: t.exposeBoolean("isOpen"),
    closesAt: t.expose("closesAt", { type: "DateTime", nullable: true }),
  }),
});

builder.queryFields((t) => ({
  whatsappStatus: t.field({
    type: WhatsAppStatus,
    description: "Whether the caller's workspace has a connected WhatsApp number to send from.",
    resolve: (_root, _args, { numbers, viewer }) => numbers.status(viewer.workspaceId),
  }),
  whatsappWindow: t.field({
    type: WindowType,
    description: "Whether free-form messages may be sent to this contact now.",
    errors: { types: [NotFoundError] },
    args: { contactId: t.arg.id({ required: true }) },
    resolve: async (_root, args, { db, viewer }) => {
      const contact = await db.contact.findFirst({ where: { id: String(args.contactId), workspaceId: viewer.workspaceId } });
      if (!contact) throw new NotFoundError("Contact");
      const waId = contact.whatsappNumber?.replace(/^\+/, "");
      // The customer's latest conversation: the one a send without fromPhoneNumberId continues.
      const conversation = waId
        ? await db.conversation.findFirst({ where: { workspaceId: viewer.workspaceId, waId }, orderBy: [{ lastMessageAt: { sort: "desc", nulls: "last" } }, { id: "desc" }] })
        : null;
      return customerServiceWindow(conversation?.lastInboundAt ?? null);
    },
  }),
}));

builder.mutationFields((t) => ({
  sendWhatsApp: t.field({
    type: SendSuccess,
    description: "Sends a text to a contact or number (inside the 24-hour window).",
    errors: { types: SEND_ERRORS, directResult: true },
    args: { input: t.arg({ type: SendWhatsAppInput, required: true }) },
    resolve: (_root, { input }, context) =>
      sendWhatsAppText(context, context.viewer, { ...input, contactId: input.contactId && String(input.contactId) }),
  }),
  sendWhatsAppTemplate: t.field({
    type: SendSuccess,
    description: "Sends an approved template: allowed at any time, and the way to start a conversation.",
    errors: { types: SEND_ERRORS, directResult: true },
    args: { input: t.arg({ type: SendTemplateInput, required: true }) },
    resolve: (_root, { input }, context) =>
      sendWhatsAppTemplate(context, context.viewer, { ...input, contactId: input.contactId && String(input.contactId) }),
  }),
}));
