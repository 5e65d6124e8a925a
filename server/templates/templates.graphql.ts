import { GraphQLError } from "graphql";
import { requireAdmin } from "../auth/roles.ts";
import { ForbiddenError } from "../errors.ts";
import { builder } from "../graphql/builder.ts";
import { ErrorInterface } from "../graphql/errors.graphql.ts";
import { WhatsAppNotConfiguredError } from "../whatsapp-numbers/number-directory.ts";
import { ExpectedError } from "../errors.ts";
import { CloudApiError } from "../whatsapp/errors.ts";
import { parseComponents, templateContent, type TemplateButton } from "./template-content.ts";
import { APPROVED, type TemplateSyncResult } from "./templates.service.ts";

/** Meta could not be asked for the templates (down, token expired…): the cache is left as it was. */
export class TemplateSyncFailedError extends ExpectedError {
  override name = "TemplateSyncFailedError";
  readonly code = "TEMPLATE_SYNC_FAILED";
  readonly httpStatus = 502;
  constructor(
    /** Meta's error code. */
    readonly metaCode: number | null,
    readonly title: string,
  ) {
    super(`WhatsApp's templates cannot be listed right now: ${title}`);
  }
}

builder.objectType(TemplateSyncFailedError, {
  name: "TemplateSyncFailedError",
  interfaces: [ErrorInterface],
  fields: (t) => ({ code: t.int({ nullable: true, resolve: (error) => error.metaCode }), title: t.exposeString("title") }),
});

const ButtonType = builder.objectRef<TemplateButton>("WhatsAppTemplateButton").implement({
  fields: (t) => ({
    type: t.exposeString("type", { description: "QUICK_REPLY, URL, PHONE_NUMBER, COPY_CODE…" }),
    text: t.exposeString("text"),
    url: t.exposeString("url", { nullable: true }),
    phoneNumber: t.exposeString("phoneNumber", { nullable: true }),
  }),
});

const content = (template: { components: string }) => templateContent(parseComponents(template.components));

builder.prismaObject("WhatsAppTemplate", {
  description: "A message template of the business account, from the workspace's copy (kept current by sync and status webhooks).",
  fields: (t) => ({
    id: t.exposeID("id"),
    metaId: t.exposeString("metaId", { nullable: true, description: "Meta's template id." }),
    name: t.exposeString("name"),
    language: t.exposeString("language", { description: "e.g. en, en_US, hi" }),
    category: t.exposeString("category", { description: "MARKETING, UTILITY or AUTHENTICATION" }),
    status: t.exposeString("status", { description: "APPROVED, PENDING, REJECTED, PAUSED, DISABLED…" }),
    rejectedReason: t.exposeString("rejectedReason", { nullable: true }),
    syncedAt: t.expose("syncedAt", { type: "DateTime" }),
    headerFormat: t.string({ nullable: true, description: "TEXT, IMAGE, VIDEO, DOCUMENT or LOCATION.", select: { components: true }, resolve: (template) => content(template).headerFormat }),
    headerText: t.string({ nullable: true, select: { components: true }, resolve: (template) => content(template).headerText }),
    body: t.string({ description: "The body text with {{1}}, {{2}}… placeholders.", select: { components: true }, resolve: (template) => content(template).body }),
    footer: t.string({ nullable: true, select: { components: true }, resolve: (template) => content(template).footer }),
    buttons: t.field({ type: [ButtonType], select: { components: true }, resolve: (template) => content(template).buttons }),
    parameterCount: t.int({ description: "The body's parameters a send gives.", select: { components: true }, resolve: (template) => content(template).parameterCount }),
  }),
});

const SyncResultType = builder.objectRef<TemplateSyncResult>("WhatsAppTemplateSyncResult").implement({
  fields: (t) => ({
    count: t.exposeInt("count", { description: "Templates in the workspace's copy now." }),
    removed: t.exposeInt("removed", { description: "Templates deleted at Meta since the last sync." }),
    syncedAt: t.expose("syncedAt", { type: "DateTime" }),
  }),
});

builder.queryFields((t) => ({
  whatsappTemplates: t.prismaField({
    type: ["WhatsAppTemplate"],
    description:
      "The templates of a number's business account (WABA) from the workspace's copy (filled from Meta on first use): APPROVED ones unless `statuses` says otherwise (an empty list: all).",
    args: {
      phoneNumberId: t.arg.string({ description: "The number whose business account's templates to list (e.g. the conversation's); default: the workspace's default number." }),
      statuses: t.arg.stringList({ description: "e.g. [APPROVED, PAUSED]; default [APPROVED]" }),
      search: t.arg.string({ description: "Part of the name or body." }),
    },
    resolve: async (_query, _root, args, { numbers, viewer, templates }) => {
      if (!(await numbers.defaultNumberOf(viewer.workspaceId))) return [];
      let list;
      try {
        list = await templates.list(viewer.workspaceId, args.phoneNumberId || null, args.statuses ?? [APPROVED]);
      } catch (error) {
        if (error instanceof WhatsAppNotConfiguredError) throw new GraphQLError(error.message, { extensions: { code: error.code } });
        if (!(error instanceof CloudApiError)) throw error;
        // Meta being down is expected: say so, rather than "Unexpected error."
        throw new GraphQLError(`WhatsApp's templates cannot be listed right now: ${error.title}`, { extensions: { code: "WHATSAPP_UNAVAILABLE" } });
      }
      const search = args.search?.trim().toLowerCase();
      return search ? list.filter((template) => `${template.name} ${template.body}`.toLowerCase().includes(search)) : list;
    },
  }),
}));

builder.mutationFields((t) => ({
  syncWhatsAppTemplates: t.field({
    type: SyncResultType,
    description: "Fetches every template of a number's business account (default: the workspace's default number's) from Meta now (Sync now): new ones added, deleted ones removed.",
    args: { phoneNumberId: t.arg.string({ required: false }) },
    errors: { types: [WhatsAppNotConfiguredError, TemplateSyncFailedError, ForbiddenError], dataField: { name: "sync" } },
    resolve: async (_root, args, { numbers, viewer, templates }) => {
      requireAdmin(viewer, "sync templates");
      await numbers.requireConfigured(viewer.workspaceId);
      try {
        return await templates.sync(viewer.workspaceId, args.phoneNumberId || null);
      } catch (error) {
        if (error instanceof CloudApiError) throw new TemplateSyncFailedError(error.code, error.title);
        throw error;
      }
    },
  }),
}));
