import { ForbiddenError, NotFoundError, ValidationError } from "../errors.ts";
import { builder } from "../graphql/builder.ts";
import { criteriaOf, createSavedFilter, deleteSavedFilter, listSavedFilters } from "./saved-filters.ts";

const SavedFilterType = builder.prismaObject("SavedFilter", {
  description: "A named campaign audience: the contacts matching every criterion set, evaluated when the campaign starts.",
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
    hasConversation: t.exposeBoolean("hasConversation", { description: "Has a conversation on one of the workspace's numbers." }),
    lastMessageWithinDays: t.exposeInt("lastMessageWithinDays", { nullable: true, description: "Their last message (either way) is at most this many days old." }),
    optedIn: t.exposeBoolean("optedIn", { description: "Opted in to marketing messages." }),
    labelIds: t.idList({ description: "Wears any of these labels (on the contact or its conversation).", resolve: (filter) => criteriaOf(filter).labelIds }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

const SavedFilterInput = builder.inputType("CreateSavedFilterInput", {
  description: "At least one criterion; a contact must match all those set.",
  fields: (t) => ({
    name: t.string({ required: true }),
    hasConversation: t.boolean(),
    lastMessageWithinDays: t.int(),
    optedIn: t.boolean(),
    labelIds: t.idList(),
  }),
});

builder.queryFields((t) => ({
  savedFilters: t.field({
    type: [SavedFilterType],
    description: "The workspace's saved audience filters, by name.",
    resolve: (_root, _args, { db, viewer }) => listSavedFilters(db, viewer.workspaceId),
  }),
}));

builder.mutationFields((t) => ({
  createSavedFilter: t.field({
    type: SavedFilterType,
    description: "Saves a named audience filter for campaigns (admins).",
    errors: { types: [ValidationError, ForbiddenError], dataField: { name: "savedFilter" } },
    args: { input: t.arg({ type: SavedFilterInput, required: true }) },
    resolve: (_root, { input }, { db, viewer }) => createSavedFilter(db, viewer, { ...input, labelIds: input.labelIds?.map(String) }),
  }),
  deleteSavedFilter: t.field({
    type: SavedFilterType,
    description: "Removes a saved filter (admins); a draft that used it no longer includes its contacts.",
    errors: { types: [NotFoundError, ForbiddenError], dataField: { name: "savedFilter" } },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { db, viewer }) => deleteSavedFilter(db, viewer, String(id)),
  }),
}));
