import { ForbiddenError, NotFoundError } from "../errors.ts";
import { builder } from "../graphql/builder.ts";
import { ErrorInterface } from "../graphql/errors.graphql.ts";
import { WhatsAppNotConfiguredError } from "../whatsapp-numbers/number-directory.ts";
import { EXCLUSION_REASONS } from "./audience.ts";
import { ExclusionType } from "./campaigns.graphql.ts";
import { CampaignStateError } from "./campaigns.service.ts";
import { MessagingLimitError, type LimitPlan, type LimitVerdict, type SendBatch } from "./messaging-limit.ts";
import { MAX_PREVIEW_PAGE, previewCampaign, type CampaignPreview, type PreviewMessage } from "./preview.ts";

const LimitVerdictType = builder.enumType("MessagingLimitVerdict", {
  description: "The campaign against the number's messaging limit (new customers in a moving 24 hours, per business portfolio).",
  values: {
    WITHIN: { description: "Everyone fits in what the limit still allows today." },
    SPLIT: { description: "Over the limit: today's room goes now, the rest on the next days (splitOverDays)." },
    REFUSED: { description: "Over the limit and not to be split: startCampaign refuses it." },
    UNLIMITED: { description: "The number's tier has no limit." },
    UNKNOWN: { description: "The number's tier is not known (WhatsApp has not told it yet): not checked." },
  } satisfies Record<LimitVerdict, { description: string }>,
});

const BatchType = builder.objectRef<SendBatch>("CampaignSendBatch").implement({
  description: "Recipients that may be sent from a time on: now, or a later day when split over days.",
  fields: (t) => ({ count: t.exposeInt("count"), notBefore: t.expose("notBefore", { type: "DateTime" }) }),
});

const LimitCheckType = builder.objectRef<LimitPlan>("MessagingLimitCheck").implement({
  fields: (t) => ({
    tier: t.exposeString("tier", { nullable: true, description: "Meta's messaging_limit_tier of the number: TIER_250, TIER_2K, TIER_10K, TIER_100K, TIER_UNLIMITED." }),
    limit: t.exposeInt("limit", { nullable: true, description: "New customers allowed in 24 hours; null when unlimited or unknown." }),
    usedLast24h: t.exposeInt("usedLast24h", { description: "Customers the workspace's numbers reached business-initiated in the last 24 hours." }),
    newCustomers: t.exposeInt("newCustomers", { description: "Recipients who would count against the limit (not reached in 24 h, no open customer-service window)." }),
    room: t.exposeInt("room", { nullable: true, description: "New customers the limit still allows now." }),
    verdict: t.expose("verdict", { type: LimitVerdictType }),
    summary: t.exposeString("summary", { description: "The verdict in words, with its numbers." }),
    batches: t.field({ type: [BatchType], resolve: (plan) => plan.batches }),
  }),
});

builder.objectType(MessagingLimitError, {
  name: "MessagingLimitError",
  description: "Starting would pass the number's messaging limit; split it over days or narrow the audience.",
  interfaces: [ErrorInterface],
  fields: (t) => ({
    limit: t.int({ nullable: true, resolve: (error) => error.plan.limit }),
    usedLast24h: t.int({ resolve: (error) => error.plan.usedLast24h }),
    newCustomers: t.int({ resolve: (error) => error.plan.newCustomers }),
    room: t.int({ nullable: true, resolve: (error) => error.plan.room }),
  }),
});

const PreviewMessageType = builder.objectRef<PreviewMessage>("CampaignPreviewMessage").implement({
  description: "One recipient's message as it would be sent.",
  fields: (t) => ({
    contactId: t.exposeID("contactId"),
    contactName: t.exposeString("contactName"),
    to: t.exposeString("to"),
    text: t.exposeString("text", { nullable: true, description: "The template's body with their variables; null when the template cannot be read now." }),
    parameters: t.exposeStringList("parameters"),
    notBefore: t.expose("notBefore", { type: "DateTime", nullable: true, description: "Set when the messaging limit makes it wait for a later day." }),
  }),
});

const PreviewType = builder.objectRef<CampaignPreview>("CampaignPreview").implement({
  description: "What starting the campaign now would do: nothing is written.",
  fields: (t) => ({
    recipients: t.exposeInt("recipients", { description: "The audience after exclusions." }),
    skipped: t.exposeInt("skipped"),
    exclusions: t.field({
      type: [ExclusionType],
      resolve: ({ exclusions }) => EXCLUSION_REASONS.filter((reason) => exclusions[reason]).map((reason) => ({ reason, count: exclusions[reason]! })),
    }),
    estimatedCost: t.float({ nullable: true, resolve: (preview) => preview.estimatedCost }),
    currency: t.string({ resolve: (_preview, _args, { config }) => config.WHATSAPP_PRICING_RATES.currency }),
    matching: t.exposeInt("matching", { description: "Recipients the search matched (all without one)." }),
    messages: t.field({ type: [PreviewMessageType], resolve: (preview) => preview.messages }),
    limit: t.field({ type: LimitCheckType, resolve: (preview) => preview.limit }),
  }),
});

builder.queryFields((t) => ({
  campaignPreview: t.field({
    type: PreviewType,
    description: `Before starting a draft (or a scheduled one): recipients after exclusions, their messages (paged: first ≤ ${MAX_PREVIEW_PAGE}, offset; search by name or number), estimated cost and the messaging-limit check. Admins.`,
    errors: { types: [NotFoundError, ForbiddenError, CampaignStateError, WhatsAppNotConfiguredError], dataField: { name: "preview" } },
    args: { id: t.arg.id({ required: true }), first: t.arg.int(), offset: t.arg.int(), search: t.arg.string() },
    resolve: (_root, args, context) => previewCampaign(context, context.viewer, String(args.id), args),
  }),
}));
