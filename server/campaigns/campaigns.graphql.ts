import { filter, pipe } from "graphql-yoga";
import { WhatsAppNotConfiguredError } from "../whatsapp-numbers/number-directory.ts";
import { ForbiddenError, NotFoundError, ValidationError } from "../errors.ts";
import { ErrorInterface } from "../graphql/errors.graphql.ts";
import { builder } from "../graphql/builder.ts";
import type { GraphQLContext } from "../graphql/context.ts";
import type { Campaign } from "../generated/prisma/client.ts";
import { CONTACT_FIELDS, EXCLUSION_REASONS, resolveAudience, type Exclusions } from "./audience.ts";
import {
  audienceOf,
  bodyParametersOf,
  campaignProgress,
  CampaignStateError,
  cancelCampaign,
  createCampaign,
  exclusionsOf,
  pauseCampaign,
  resumeCampaign,
  startCampaign,
  type CampaignProgress,
} from "./campaigns.service.ts";
import { MessagingLimitError } from "./messaging-limit.ts";

const CampaignStatusType = builder.enumType("CampaignStatus", {
  values: ["DRAFT", "SCHEDULED", "RUNNING", "PAUSED", "COMPLETED", "CANCELLED"] as const,
});

const ExclusionReasonType = builder.enumType("CampaignExclusionReason", {
  description: "Why an audience member gets no message.",
  values: {
    OPTED_OUT: { description: "Opted out of marketing (MARKETING templates only)." },
    NOT_OPTED_IN: { description: "Not opted in, and the campaign is opted-in only." },
    NO_WHATSAPP: { description: "Neither a WhatsApp number nor a conversation (BSUID) to send to." },
    BLOCKED: { description: "The business blocked them on the sending number: they get nothing." },
    MISSING_VARIABLE: { description: "A contact field the template's variables take is empty for them." },
    DUPLICATE: { description: "Another audience member has the same WhatsApp number." },
  } satisfies Record<(typeof EXCLUSION_REASONS)[number], { description: string }>,
});

const CONTACT_FIELD_DESCRIPTION = `The contact's field this variable takes, per recipient: ${Object.keys(CONTACT_FIELDS).join(", ")}, or a custom field's key (contactCustomFields).`;

builder.objectType(CampaignStateError, {
  name: "CampaignStateError",
  description: "The campaign is not in a state that allows this (e.g. resuming one that is not paused).",
  interfaces: [ErrorInterface],
  fields: (t) => ({ status: t.field({ type: CampaignStatusType, resolve: (error) => error.status }) }),
});

interface Outcome {
  code: number | null;
  title: string;
  count: number;
}
const FailureType = builder.objectRef<Outcome>("CampaignFailure").implement({
  description: "Recipients that failed for one reason: Meta's error code and title.",
  fields: (t) => ({ code: t.exposeInt("code", { nullable: true }), title: t.exposeString("title"), count: t.exposeInt("count") }),
});

export const ExclusionType = builder.objectRef<{ reason: (typeof EXCLUSION_REASONS)[number]; count: number }>("CampaignExclusion").implement({
  fields: (t) => ({ reason: t.expose("reason", { type: ExclusionReasonType }), count: t.exposeInt("count") }),
});

const AudienceType = builder.objectRef<{ labelIds: string[]; contactIds: string[]; savedFilterIds?: string[] }>("CampaignAudience").implement({
  fields: (t) => ({
    labelIds: t.exposeIDList("labelIds"),
    contactIds: t.exposeIDList("contactIds"),
    savedFilterIds: t.idList({ resolve: (audience) => audience.savedFilterIds ?? [] }),
  }),
});

const BodyParameterType = builder.objectRef<{ text?: string; contactField?: string }>("CampaignBodyParameter").implement({
  fields: (t) => ({
    text: t.string({ nullable: true, resolve: (parameter) => parameter.text ?? null }),
    contactField: t.string({ nullable: true, description: CONTACT_FIELD_DESCRIPTION, resolve: (parameter) => parameter.contactField ?? null }),
  }),
});

/** One campaign's outcome counts, once per campaign object of a request (every count field reads them). */
const progressOf = new WeakMap<object, Promise<CampaignProgress>>();
function progress(campaign: Campaign, { db }: GraphQLContext) {
  let loaded = progressOf.get(campaign);
  if (!loaded) progressOf.set(campaign, (loaded = campaignProgress(db, campaign)));
  return loaded;
}

/** Before it starts, the audience as it would be now; once started, as it was queued. */
const previewOf = new WeakMap<object, Promise<{ total: number; exclusions: Exclusions }>>();
function audienceNow(campaign: Campaign, { db, numbers }: GraphQLContext) {
  if (campaign.startedAt || campaign.status === "CANCELLED") return Promise.resolve({ total: campaign.total, exclusions: exclusionsOf(campaign) });
  let loaded = previewOf.get(campaign);
  if (!loaded) {
    // On the number it will leave from: its conversations are the ones the audience is matched with.
    const sendingNumber = async () => campaign.fromPhoneNumberId ?? (await numbers.defaultNumberOf(campaign.workspaceId))?.phoneNumberId ?? "";
    loaded = sendingNumber().then((businessPhoneNumberId) => resolveAudience(db, campaign.workspaceId, businessPhoneNumberId, audienceOf(campaign), {
      marketing: campaign.templateCategory === "MARKETING",
      optedInOnly: campaign.optedInOnly,
      parameters: bodyParametersOf(campaign),
    })).then(({ recipients, exclusions }) => ({ total: recipients.length, exclusions }));
    previewOf.set(campaign, loaded);
  }
  return loaded;
}

const CampaignType = builder.prismaObject("Campaign", {
  description: "A template broadcast to chosen customers; each recipient is one outbox message, sent at the number's rate.",
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
    templateName: t.exposeString("templateName"),
    languageCode: t.exposeString("languageCode"),
    templateCategory: t.exposeString("templateCategory", { nullable: true, description: "MARKETING, UTILITY or AUTHENTICATION." }),
    audience: t.field({ type: AudienceType, resolve: (campaign) => audienceOf(campaign) }),
    bodyParameters: t.field({ type: [BodyParameterType], resolve: (campaign) => bodyParametersOf(campaign) }),
    optedInOnly: t.exposeBoolean("optedInOnly"),
    splitOverDays: t.exposeBoolean("splitOverDays", { description: "Beyond the messaging limit's room, recipients wait for the next days (else starting is refused)." }),
    fromPhoneNumberId: t.exposeString("fromPhoneNumberId", { nullable: true }),
    status: t.expose("status", { type: CampaignStatusType }),
    pausedReason: t.exposeString("pausedReason", { nullable: true, description: "Why it is paused: an admin, a quality flag, or a burst of spam-related errors." }),
    scheduledAt: t.expose("scheduledAt", { type: "DateTime", nullable: true }),
    startedAt: t.expose("startedAt", { type: "DateTime", nullable: true }),
    completedAt: t.expose("completedAt", { type: "DateTime", nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    total: t.int({ description: "Recipients: queued when it started; before, the audience as it is now.", resolve: async (campaign, _args, context) => (await audienceNow(campaign, context)).total }),
    skipped: t.int({
      description: "Audience members left out (see exclusions).",
      resolve: async (campaign, _args, context) => Object.values((await audienceNow(campaign, context)).exclusions).reduce((sum, count) => sum + (count ?? 0), 0),
    }),
    exclusions: t.field({
      type: [ExclusionType],
      resolve: async (campaign, _args, context) => {
        const { exclusions } = await audienceNow(campaign, context);
        return EXCLUSION_REASONS.filter((reason) => exclusions[reason]).map((reason) => ({ reason, count: exclusions[reason]! }));
      },
    }),
    queued: t.int({ description: "Waiting to be sent (or retried).", resolve: async (campaign, _args, context) => (await progress(campaign, context)).queued }),
    sent: t.int({ description: "Accepted by WhatsApp (delivered and read ones included).", resolve: async (campaign, _args, context) => (await progress(campaign, context)).sent }),
    delivered: t.int({ resolve: async (campaign, _args, context) => (await progress(campaign, context)).delivered }),
    read: t.int({ resolve: async (campaign, _args, context) => (await progress(campaign, context)).read }),
    replied: t.int({
      description: "Recipients who wrote back from the start until 72 hours after the campaign finished.",
      resolve: async (campaign, _args, context) => (await progress(campaign, context)).replied,
    }),
    failed: t.int({ resolve: async (campaign, _args, context) => (await progress(campaign, context)).failed }),
    cancelled: t.int({ description: "Recipients not sent because the campaign was cancelled.", resolve: async (campaign, _args, context) => (await progress(campaign, context)).cancelled }),
    failures: t.field({ type: [FailureType], description: "Failed recipients by Meta's reason, most first.", resolve: async (campaign, _args, context) => (await progress(campaign, context)).failures }),
    estimatedCost: t.float({
      nullable: true,
      description: "What Meta would charge if every recipient is delivered (WHATSAPP_PRICING_RATES, in `currency`); null when the template's category is unknown.",
      resolve: (campaign) => campaign.estimatedCost,
    }),
    currency: t.string({ resolve: (_campaign, _args, { config }) => config.WHATSAPP_PRICING_RATES.currency }),
  }),
});

const AudienceInput = builder.inputType("CampaignAudienceInput", {
  description: "Contacts wearing any of the labels (on the contact or its conversation), those any of the saved filters matches, and the contacts named.",
  fields: (t) => ({ labelIds: t.idList(), contactIds: t.idList(), savedFilterIds: t.idList() }),
});

const BodyParameterInput = builder.inputType("CampaignBodyParameterInput", {
  description: "One {{n}} of the template's body: the same text for everyone, or a contact field per recipient.",
  fields: (t) => ({ text: t.string(), contactField: t.string({ description: CONTACT_FIELD_DESCRIPTION }) }),
});

const CreateCampaignInput = builder.inputType("CreateCampaignInput", {
  fields: (t) => ({
    name: t.string({ required: true }),
    templateName: t.string({ required: true }),
    languageCode: t.string({ required: true }),
    audience: t.field({ type: AudienceInput, required: true }),
    bodyParameters: t.field({ type: [BodyParameterInput] }),
    fromPhoneNumberId: t.string({ description: "The workspace's business number to send from; the configured one when unset." }),
    scheduledAt: t.field({ type: "DateTime", description: "Started, it waits until then (SCHEDULED)." }),
    optedInOnly: t.boolean({ description: "Only contacts who opted in; otherwise everyone not opted out." }),
    splitOverDays: t.boolean({ description: "When it would pass the number's messaging limit: send today's room now and the rest on the next days, instead of refusing to start." }),
  }),
});

builder.queryFields((t) => ({
  campaigns: t.prismaField({
    type: ["Campaign"],
    description: "The workspace's campaigns, newest first.",
    resolve: (query, _root, _args, { db, viewer }) => db.campaign.findMany({ ...query, where: { workspaceId: viewer.workspaceId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: 200 }),
  }),
  campaign: t.prismaField({
    type: "Campaign",
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, { db, viewer }) => db.campaign.findFirst({ ...query, where: { id: String(args.id), workspaceId: viewer.workspaceId } }),
  }),
}));

const LIFECYCLE_ERRORS = [NotFoundError, ForbiddenError, CampaignStateError];

builder.mutationFields((t) => ({
  createCampaign: t.field({
    type: CampaignType,
    description: "A draft (admins): nothing is sent until startCampaign.",
    errors: { types: [ValidationError, ForbiddenError, WhatsAppNotConfiguredError], dataField: { name: "campaign" } },
    args: { input: t.arg({ type: CreateCampaignInput, required: true }) },
    resolve: (_root, { input }, context) =>
      createCampaign(context, context.viewer, {
        ...input,
        audience: { labelIds: input.audience.labelIds?.map(String), contactIds: input.audience.contactIds?.map(String), savedFilterIds: input.audience.savedFilterIds?.map(String) },
      }),
  }),
  startCampaign: t.field({
    type: CampaignType,
    description: "Queues every recipient now (RUNNING), or waits for scheduledAt (SCHEDULED). Refused (MessagingLimitError) when it would pass the number's messaging limit and is not split over days. Admins.",
    errors: { types: [...LIFECYCLE_ERRORS, WhatsAppNotConfiguredError, MessagingLimitError], dataField: { name: "campaign" } },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, context) => startCampaign(context, context.viewer, String(id)),
  }),
  pauseCampaign: t.field({
    type: CampaignType,
    description: "No recipient not yet claimed is sent until resumeCampaign. Admins.",
    errors: { types: LIFECYCLE_ERRORS, dataField: { name: "campaign" } },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, context) => pauseCampaign(context, context.viewer, String(id)),
  }),
  resumeCampaign: t.field({
    type: CampaignType,
    description: "Goes on sending a paused campaign (paused by an admin or automatically). Admins.",
    errors: { types: LIFECYCLE_ERRORS, dataField: { name: "campaign" } },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, context) => resumeCampaign(context, context.viewer, String(id)),
  }),
  cancelCampaign: t.field({
    type: CampaignType,
    description: "Stops it for good: recipients not yet sent get nothing. Admins.",
    errors: { types: LIFECYCLE_ERRORS, dataField: { name: "campaign" } },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, context) => cancelCampaign(context, context.viewer, String(id)),
  }),
}));

builder.subscriptionFields((t) => ({
  campaignUpdated: t.prismaField({
    type: "Campaign",
    description: "A campaign's status or progress changed: about once a second while it runs and for an hour after it completes (late statuses), and when a reply arrives within 72 hours; all of the workspace's, or the one given.",
    args: { id: t.arg.id() },
    subscribe: (_root, args, { pubsub, viewer }) =>
      pipe(
        pubsub.subscribe("campaign", viewer.workspaceId),
        filter((campaignId: string) => !args.id || campaignId === String(args.id)),
      ),
    resolve: (query, campaignId: string, _args, { db }) => db.campaign.findUniqueOrThrow({ ...query, where: { id: campaignId } }),
  }),
}));
