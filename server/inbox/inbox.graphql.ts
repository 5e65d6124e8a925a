import { MessageDirection, MessageStatus } from "../generated/prisma/enums.ts";
import { customerLabel } from "./customer.ts";
import { builder } from "../graphql/builder.ts";
import { NotFoundError } from "../errors.ts";
import type { InboxEvent } from "../realtime/events.ts";
import { inboxEvents, publishInboxEvents } from "../realtime/pubsub.ts";
import { conversationSearchFilter, markConversationRead } from "./conversations.service.ts";
import { conversationWorkflowFilter } from "./conversations.service.ts";
import { ConversationAssigneeFilterType, ConversationStatusType } from "./conversation-enums.graphql.ts";
import { customerServiceWindow } from "./window.ts";
import { formatPhoneInternational } from "../contacts/phone.ts";
import { WhatsAppNumberType } from "../whatsapp-numbers/whatsapp-numbers.graphql.ts";
import { loadOncePerEvent } from "../realtime/load-once.ts";

export const MessageDirectionType = builder.enumType(MessageDirection, { name: "MessageDirection" });
const MessageStatusType = builder.enumType(MessageStatus, { name: "MessageStatus" });

builder.prismaObject("WhatsAppMessage", {
  fields: (t) => ({
    id: t.exposeID("id"),
    wamid: t.exposeString("wamid", { nullable: true, description: "Meta's message id; null until Meta accepted an outbound message." }),
    conversationId: t.exposeID("conversationId"),
    direction: t.expose("direction", { type: MessageDirectionType }),
    type: t.exposeString("type", { description: "Meta's message type: text, image, location, reaction…" }),
    text: t.exposeString("text", { nullable: true }),
    preview: t.exposeString("preview", { description: "A readable one-line summary, e.g. “[Image] caption”." }),
    status: t.expose("status", { type: MessageStatusType }),
    timestamp: t.expose("timestamp", { type: "DateTime" }),
    statusAt: t.expose("statusAt", { type: "DateTime", nullable: true }),
    errorCode: t.exposeInt("errorCode", { nullable: true }),
    errorTitle: t.exposeString("errorTitle", { nullable: true }),
    errorDetails: t.exposeString("errorDetails", { nullable: true }),
    mediaId: t.exposeString("mediaId", { nullable: true }),
    mediaMimeType: t.exposeString("mediaMimeType", { nullable: true }),
    mediaFilename: t.exposeString("mediaFilename", { nullable: true }),
    latitude: t.exposeFloat("latitude", { nullable: true }),
    longitude: t.exposeFloat("longitude", { nullable: true }),
    locationName: t.exposeString("locationName", { nullable: true }),
    locationAddress: t.exposeString("locationAddress", { nullable: true }),
    reactionEmoji: t.exposeString("reactionEmoji", { nullable: true }),
    reactionToWamid: t.exposeString("reactionToWamid", { nullable: true }),
    contextWamid: t.exposeString("contextWamid", { nullable: true, description: "The wamid of the message this one replies to." }),
    templateName: t.exposeString("templateName", { nullable: true }),
    fromBusinessApp: t.boolean({
      description: "Sent by the business from the WhatsApp Business app on its phone (coexistence), not from this inbox.",
      select: { fromBusinessApp: true },
      resolve: (message) => message.fromBusinessApp === true,
    }),
    imported: t.boolean({
      description: "Imported from the WhatsApp Business app's chat history when the number was connected.",
      select: { importedFrom: true },
      resolve: (message) => message.importedFrom !== null,
    }),
    idempotencyKey: t.exposeString("idempotencyKey", {
      nullable: true,
      description: "The key the sending client gave: lets it match its pending bubble to this message.",
    }),
    quoted: t.prismaField({
      type: "WhatsAppMessage",
      nullable: true,
      description: "The message this one replies to, when it is stored.",
      select: { contextWamid: true, workspaceId: true },
      resolve: (query, message, _args, { db }) =>
        message.contextWamid
          ? db.whatsAppMessage.findFirst({ ...query, where: { wamid: message.contextWamid, workspaceId: message.workspaceId } })
          : null,
    }),
  }),
});

export const ConversationType = builder.prismaObject("Conversation", {
  fields: (t) => ({
    id: t.exposeID("id"),
    waId: t.exposeString("waId", { nullable: true, description: "The customer's WhatsApp id: digits only; null while their number is hidden behind a username." }),
    phone: t.string({
      nullable: true,
      description: "The customer's number, E.164; null while it is hidden behind a username.",
      select: { waId: true },
      resolve: (c) => (c.waId ? `+${c.waId}` : null),
    }),
    formattedPhone: t.string({
      nullable: true,
      description: "The customer's number as people read it: international format, e.g. +91 98765 43210; null while it is hidden.",
      select: { waId: true },
      resolve: (c) => (c.waId ? formatPhoneInternational(`+${c.waId}`) : null),
    }),
    userId: t.exposeString("userId", { nullable: true, description: "The customer's business-scoped user ID (BSUID), e.g. IN.1502576394655843." }),
    parentUserId: t.exposeString("parentUserId", { nullable: true, description: "The BSUID shared across a managed business's portfolios (US.ENT.…)." }),
    username: t.exposeString("username", { nullable: true, description: "The customer's WhatsApp username, without the @." }),
    profileName: t.exposeString("profileName", { nullable: true, description: "The customer's WhatsApp profile name." }),
    displayName: t.string({
      description: "The contact's name, else the WhatsApp profile name, else the number (international format), else @username, else the BSUID.",
      select: { waId: true, userId: true, username: true, profileName: true, contact: { select: { name: true } } },
      resolve: (c) => c.contact?.name ?? c.profileName ?? (c.waId ? formatPhoneInternational(`+${c.waId}`) : customerLabel(c)),
    }),
    contact: t.relation("contact", { nullable: true }),
    businessPhoneNumber: t.field({
      type: WhatsAppNumberType,
      nullable: true,
      description: "The business number this conversation is on: replies leave from it. Null only for a workspace that has no number yet.",
      select: { businessPhoneNumberId: true, workspaceId: true },
      resolve: async (c, _args, { db }) => {
        if (!c.businessPhoneNumberId) return null;
        // Prisma batches these lookups: a page of conversations costs one query.
        const number = await db.whatsAppPhoneNumber.findUnique({ where: { phoneNumberId: c.businessPhoneNumberId } });
        return number?.workspaceId === c.workspaceId ? number : null;
      },
    }),
    lastMessageAt: t.expose("lastMessageAt", { type: "DateTime", nullable: true }),
    lastMessagePreview: t.exposeString("lastMessagePreview", { nullable: true }),
    unreadCount: t.exposeInt("unreadCount"),
    lastInboundAt: t.expose("lastInboundAt", { type: "DateTime", nullable: true }),
    windowOpen: t.boolean({
      description: "Whether free-form messages may be sent (the customer wrote in the last 24 hours).",
      select: { lastInboundAt: true },
      resolve: (c) => customerServiceWindow(c.lastInboundAt).isOpen,
    }),
    windowClosesAt: t.field({
      type: "DateTime",
      nullable: true,
      select: { lastInboundAt: true },
      resolve: (c) => customerServiceWindow(c.lastInboundAt).closesAt,
    }),
  }),
});

builder.queryFields((t) => ({
  conversations: t.prismaConnection({
    type: "Conversation",
    cursor: "id",
    description: "The workspace's WhatsApp conversations, most recent first; every filter given narrows the list.",
    args: {
      search: t.arg.string(),
      status: t.arg({ type: ConversationStatusType }),
      assignee: t.arg({ type: ConversationAssigneeFilterType }),
      assigneeId: t.arg.id(),
      labelId: t.arg.id(),
      phoneNumberId: t.arg.string({ description: "Only the conversations on this business number (Meta's phone number id)." }),
    },
    resolve: (query, _root, args, { db, viewer }) =>
      db.conversation.findMany({
        ...query,
        where: {
          AND: [
            conversationSearchFilter(db, viewer.workspaceId, args.search),
            conversationWorkflowFilter(viewer.userId, { ...args, assigneeId: args.assigneeId && String(args.assigneeId), labelId: args.labelId && String(args.labelId) }),
            args.phoneNumberId ? { businessPhoneNumberId: args.phoneNumberId } : {},
          ],
        },
        orderBy: [{ lastMessageAt: "desc" }, { id: "desc" }],
      }),
  }),
  conversation: t.prismaField({
    type: "Conversation",
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, { db, viewer }) =>
      db.conversation.findFirst({ ...query, where: { id: String(args.id), workspaceId: viewer.workspaceId } }),
  }),
  messages: t.prismaConnection({
    type: "WhatsAppMessage",
    cursor: "id",
    description: "A conversation's messages, oldest first: `last: 50` is the newest page, `before` pages back.",
    args: { conversationId: t.arg.id({ required: true }) },
    resolve: (query, _root, args, { db, viewer }) =>
      db.whatsAppMessage.findMany({
        ...query,
        where: { conversationId: String(args.conversationId), workspaceId: viewer.workspaceId },
        orderBy: [{ timestamp: "asc" }, { id: "asc" }],
      }),
  }),
}));

builder.mutationFields((t) => ({
  markConversationRead: t.field({
    type: ConversationType,
    description: "Clears the unread count and sends the customer read receipts (blue ticks).",
    errors: { types: [NotFoundError], dataField: { name: "conversation" } },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, { db, viewer, numbers, logger, pubsub }) => {
      const { conversation, newestUnreadWamid } = await markConversationRead(db, viewer.workspaceId, String(args.id));
      // Other agents' lists drop the unread badge too.
      if (newestUnreadWamid) publishInboxEvents(pubsub, [{ workspaceId: viewer.workspaceId, event: { type: "conversationUpdated", conversationId: conversation.id } }]);
      // Best effort: the agent has read the messages whether or not Meta hears of it now.
      // Only through the number the customer wrote to: another workspace's would speak for it.
      if (newestUnreadWamid && (await numbers.isConnectedTo(viewer.workspaceId, conversation.businessPhoneNumberId))) {
        await numbers
          .cloudApiFor(conversation.businessPhoneNumberId!)
          .then((cloudApi) => cloudApi.markRead(newestUnreadWamid))
          .catch((error: Error) => logger.warn({ err: error }, "Could not send a read receipt"));
      }
      return conversation;
    },
  }),
}));

builder.subscriptionFields((t) => ({
  messageAdded: t.prismaField({
    type: "WhatsAppMessage",
    description: "A message stored in the workspace (from a customer, or sent by an agent or integration).",
    args: { conversationId: t.arg.id() },
    subscribe: (_root, args, context) => inboxEvents(context, "messageAdded", args.conversationId && String(args.conversationId)),
    resolve: (query, event: Extract<InboxEvent, { type: "messageAdded" }>, _args, { db }) =>
      loadOncePerEvent(event, query, () => db.whatsAppMessage.findUniqueOrThrow({ ...query, where: { id: event.messageId } })),
  }),
  messageStatusChanged: t.prismaField({
    type: "WhatsAppMessage",
    description: "An outbound message moved on: sent, delivered, read, played or failed.",
    args: { conversationId: t.arg.id() },
    subscribe: (_root, args, context) => inboxEvents(context, "messageStatusChanged", args.conversationId && String(args.conversationId)),
    resolve: (query, event: Extract<InboxEvent, { type: "messageStatusChanged" }>, _args, { db }) =>
      loadOncePerEvent(event, query, () => db.whatsAppMessage.findUniqueOrThrow({ ...query, where: { id: event.messageId } })),
  }),
  conversationUpdated: t.prismaField({
    type: "Conversation",
    description: "A conversation's list entry changed: new message, unread count, window.",
    subscribe: (_root, _args, context) => inboxEvents(context, "conversationUpdated"),
    resolve: (query, event: Extract<InboxEvent, { type: "conversationUpdated" }>, _args, { db }) =>
      loadOncePerEvent(event, query, () => db.conversation.findUniqueOrThrow({ ...query, where: { id: event.conversationId } })),
  }),
}));
