import { builder } from "../graphql/builder.ts";
import { ForbiddenError, NotFoundError, ValidationError } from "../errors.ts";
import { ConversationType } from "../inbox/inbox.graphql.ts";
import type { InboxEvent } from "../realtime/events.ts";
import { cannedButtons, createCannedResponse, deleteCannedResponse, updateCannedResponse } from "./canned-responses.service.ts";
import { ButtonInput, ReplyButtonType } from "../inbox/send-interactive.graphql.ts";
import { addConversationLabel, assignConversation, removeConversationLabel, setConversationStatus } from "./conversation-workflow.service.ts";
import { createLabel, deleteLabel, updateLabel } from "./labels.service.ts";
import { addConversationNote, canDeleteNote, deleteConversationNote } from "./notes.service.ts";
import { ConversationStatusType } from "../inbox/conversation-enums.graphql.ts";
import { loadOncePerEvent } from "../realtime/load-once.ts";
import { inboxEvents } from "../realtime/pubsub.ts";

const LabelType = builder.prismaObject("Label", {
  description: "A workspace's tag for conversations.",
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
    color: t.exposeString("color", { description: "#rrggbb" }),
  }),
});

const NoteType = builder.prismaObject("ConversationNote", {
  description: "An internal note: seen by the workspace's agents, never sent to the customer.",
  fields: (t) => ({
    id: t.exposeID("id"),
    conversationId: t.exposeID("conversationId"),
    body: t.exposeString("body"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    author: t.relation("author", { nullable: true, description: "Null once the author's account is deleted." }),
    canDelete: t.boolean({
      description: "Whether the caller may delete it: its author, or an admin.",
      select: { authorId: true },
      resolve: (note, _args, { viewer }) => canDeleteNote(viewer, note),
    }),
  }),
});

const CannedResponseType = builder.prismaObject("CannedResponse", {
  description: "A saved reply, inserted by typing /shortcut in the composer.",
  fields: (t) => ({
    id: t.exposeID("id"),
    shortcut: t.exposeString("shortcut", { description: "Without the slash, lower-case: /thanks is `thanks`." }),
    body: t.exposeString("body"),
    buttons: t.field({
      type: [ReplyButtonType],
      description: "Reply buttons (up to 3): the composer sends the response as an interactive message with them. Empty for a plain text reply.",
      select: { buttons: true },
      resolve: (canned) => cannedButtons(canned.buttons),
    }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
  }),
});

builder.prismaObjectFields("Conversation", (t) => ({
  status: t.expose("status", { type: ConversationStatusType }),
  resolvedAt: t.expose("resolvedAt", { type: "DateTime", nullable: true }),
  assignee: t.relation("assignee", { nullable: true, description: "The agent answering this customer; null = unassigned." }),
  labels: t.field({
    type: [LabelType],
    description: "By name.",
    select: { labels: { select: { label: true } } },
    resolve: (conversation) => conversation.labels.map((link) => link.label).sort((a, b) => a.name.localeCompare(b.name)),
  }),
  notes: t.relation("notes", {
    description: "Internal notes, oldest first.",
    query: { orderBy: [{ createdAt: "asc" }, { id: "asc" }] },
  }),
}));

const LabelInput = builder.inputType("LabelInput", {
  fields: (t) => ({ name: t.string({ required: true }), color: t.string({ required: true, description: "#rrggbb" }) }),
});

const CannedResponseInput = builder.inputType("CannedResponseInput", {
  fields: (t) => ({
    shortcut: t.string({ required: true, description: "One word; a leading / is dropped; stored lower-case." }),
    body: t.string({ required: true }),
    buttons: t.field({
      type: [ButtonInput],
      required: false,
      description:
        "Reply buttons, 1 to 3, checked against Meta's limits as `sendWhatsAppInteractive` checks them (with a body of at most 1024 characters). `[]` makes it plain text again; left out on update, the buttons are kept.",
    }),
  }),
});

const Deleted = builder.objectRef<{ id: string }>("Deleted").implement({
  description: "The id of what was deleted.",
  fields: (t) => ({ id: t.exposeID("id") }),
});

builder.queryFields((t) => ({
  agents: t.prismaField({
    type: ["User"],
    description: "The workspace's users, by name: whom a conversation can be assigned to.",
    resolve: (query, _root, _args, { db, viewer }) =>
      db.user.findMany({ ...query, where: { workspaceId: viewer.workspaceId }, orderBy: [{ name: "asc" }, { id: "asc" }] }),
  }),
  labels: t.prismaField({
    type: ["Label"],
    description: "The workspace's labels, by name.",
    resolve: (query, _root, _args, { db, viewer }) =>
      db.label.findMany({ ...query, where: { workspaceId: viewer.workspaceId }, orderBy: [{ name: "asc" }, { id: "asc" }] }),
  }),
  cannedResponses: t.prismaField({
    type: ["CannedResponse"],
    description: "The workspace's canned responses, by shortcut.",
    resolve: (query, _root, _args, { db, viewer }) =>
      db.cannedResponse.findMany({ ...query, where: { workspaceId: viewer.workspaceId }, orderBy: [{ shortcut: "asc" }, { id: "asc" }] }),
  }),
}));

builder.mutationFields((t) => ({
  assignConversation: t.field({
    type: ConversationType,
    description: "Assigns the conversation to an agent of the workspace; `assigneeId: null` unassigns it.",
    errors: { types: [NotFoundError], dataField: { name: "conversation" } },
    args: { conversationId: t.arg.id({ required: true }), assigneeId: t.arg.id({ required: false }) },
    resolve: (_root, args, { db, pubsub, viewer }) =>
      assignConversation({ db, pubsub }, viewer.workspaceId, String(args.conversationId), args.assigneeId ? String(args.assigneeId) : null),
  }),
  setConversationStatus: t.field({
    type: ConversationType,
    description: "Resolves (RESOLVED) or reopens (OPEN) the conversation.",
    errors: { types: [NotFoundError], dataField: { name: "conversation" } },
    args: { conversationId: t.arg.id({ required: true }), status: t.arg({ type: ConversationStatusType, required: true }) },
    resolve: (_root, args, { db, pubsub, viewer }) => setConversationStatus({ db, pubsub }, viewer.workspaceId, String(args.conversationId), args.status),
  }),
  addConversationLabel: t.field({
    type: ConversationType,
    errors: { types: [NotFoundError], dataField: { name: "conversation" } },
    args: { conversationId: t.arg.id({ required: true }), labelId: t.arg.id({ required: true }) },
    resolve: (_root, args, { db, pubsub, viewer }) =>
      addConversationLabel({ db, pubsub }, viewer.workspaceId, String(args.conversationId), String(args.labelId)),
  }),
  removeConversationLabel: t.field({
    type: ConversationType,
    errors: { types: [NotFoundError], dataField: { name: "conversation" } },
    args: { conversationId: t.arg.id({ required: true }), labelId: t.arg.id({ required: true }) },
    resolve: (_root, args, { db, pubsub, viewer }) =>
      removeConversationLabel({ db, pubsub }, viewer.workspaceId, String(args.conversationId), String(args.labelId)),
  }),
  addConversationNote: t.field({
    type: NoteType,
    description: "An internal note for the workspace's agents; never sent to the customer.",
    errors: { types: [ValidationError, NotFoundError], dataField: { name: "note" } },
    args: { conversationId: t.arg.id({ required: true }), body: t.arg.string({ required: true }) },
    resolve: (_root, args, { db, pubsub, viewer }) => addConversationNote({ db, pubsub }, viewer, String(args.conversationId), args.body),
  }),
  deleteConversationNote: t.field({
    type: Deleted,
    description: "Only the note's author or an admin may delete it.",
    errors: { types: [NotFoundError, ForbiddenError], dataField: { name: "deleted" } },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, { db, pubsub, viewer }) => deleteConversationNote({ db, pubsub }, viewer, String(args.id)),
  }),
  createLabel: t.field({
    type: LabelType,
    errors: { types: [ValidationError], dataField: { name: "label" } },
    args: { input: t.arg({ type: LabelInput, required: true }) },
    resolve: (_root, { input }, { db, pubsub, viewer }) => createLabel({ db, pubsub }, viewer.workspaceId, input),
  }),
  updateLabel: t.field({
    type: LabelType,
    errors: { types: [ValidationError, NotFoundError], dataField: { name: "label" } },
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: LabelInput, required: true }) },
    resolve: (_root, { id, input }, { db, pubsub, viewer }) => updateLabel({ db, pubsub }, viewer.workspaceId, String(id), input),
  }),
  deleteLabel: t.field({
    type: Deleted,
    description: "Deletes the label and takes it off every conversation.",
    errors: { types: [NotFoundError], dataField: { name: "deleted" } },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { db, pubsub, viewer }) => deleteLabel({ db, pubsub }, viewer.workspaceId, String(id)),
  }),
  createCannedResponse: t.field({
    type: CannedResponseType,
    errors: { types: [ValidationError], dataField: { name: "cannedResponse" } },
    args: { input: t.arg({ type: CannedResponseInput, required: true }) },
    resolve: (_root, { input }, { db, viewer }) => createCannedResponse(db, viewer.workspaceId, input),
  }),
  updateCannedResponse: t.field({
    type: CannedResponseType,
    errors: { types: [ValidationError, NotFoundError], dataField: { name: "cannedResponse" } },
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: CannedResponseInput, required: true }) },
    resolve: (_root, { id, input }, { db, viewer }) => updateCannedResponse(db, viewer.workspaceId, String(id), input),
  }),
  deleteCannedResponse: t.field({
    type: Deleted,
    errors: { types: [NotFoundError], dataField: { name: "deleted" } },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { db, viewer }) => deleteCannedResponse(db, viewer.workspaceId, String(id)),
  }),
}));

builder.subscriptionFields((t) => ({
  conversationNotesChanged: t.prismaField({
    type: "Conversation",
    description: "A conversation's internal notes changed (added or deleted): select `notes` to show them.",
    args: { conversationId: t.arg.id() },
    subscribe: (_root, args, context) => inboxEvents(context, "conversationNotesChanged", args.conversationId && String(args.conversationId)),
    resolve: (query, event: Extract<InboxEvent, { type: "conversationNotesChanged" }>, _args, { db }) =>
      loadOncePerEvent(event, query, () => db.conversation.findUniqueOrThrow({ ...query, where: { id: event.conversationId } })),
  }),
}));
