import { requireAdmin } from "../auth/roles.ts";
import { ForbiddenError, NotFoundError, ValidationError } from "../errors.ts";
import { builder } from "../graphql/builder.ts";
import { createRule, deleteRule, getSettings, updateRule, updateSettings, type AutoReplySettings } from "./autoreply.service.ts";
import { WEEKDAYS, type BusinessHours, type TimeRange, type Weekday } from "./business-hours.ts";
import { AUTO_REPLY_KINDS, isAutoReplyKind } from "../inbox/auto-replies.ts";
import { splitKeywords } from "./decide.ts";

const AutoReplyKindType = builder.enumType("AutoReplyKind", {
  description: "What an automatic reply answered: a rule's kind, or the AI.",
  values: Object.fromEntries(
    AUTO_REPLY_KINDS.map((kind) => [
      kind,
      {
        description: {
          KEYWORD: "The customer's message contained one of the rule's keywords.",
          AWAY: "The customer wrote outside business hours.",
          GREETING: "The customer's very first message.",
          AI: "No rule matched; the AI endpoint answered (not a rule kind).",
        }[kind],
      },
    ]),
  ) as Record<(typeof AUTO_REPLY_KINDS)[number], { description: string }>,
});

const OpeningDayType = builder.enumType("OpeningDay", {
  values: Object.fromEntries(WEEKDAYS.map((day) => [day.toUpperCase(), { value: day }])) as Record<Uppercase<Weekday>, { value: Weekday }>,
});

interface OpeningHours {
  day: Weekday;
  opens: string;
  closes: string;
}

const OpeningHoursType = builder.objectRef<OpeningHours>("OpeningHours").implement({
  description: "One opening of a day, in the workspace's time zone. `closes` before `opens` runs past midnight.",
  fields: (t) => ({
    day: t.expose("day", { type: OpeningDayType }),
    opens: t.exposeString("opens", { description: "HH:MM, 24-hour clock" }),
    closes: t.exposeString("closes", { description: "HH:MM, 24-hour clock; 24:00 is the end of the day" }),
  }),
});

const toList = (hours: BusinessHours): OpeningHours[] =>
  WEEKDAYS.flatMap((day) => (hours[day] ?? []).map(([opens, closes]) => ({ day, opens, closes })));

function toHours(list: readonly OpeningHours[]): BusinessHours {
  const hours: Partial<Record<Weekday, TimeRange[]>> = {};
  for (const { day, opens, closes } of list) (hours[day] ??= []).push([opens.trim(), closes.trim()]);
  return hours;
}

const AutoReplySettingsType = builder.objectRef<AutoReplySettings>("AutoReplySettings").implement({
  fields: (t) => ({
    timeZone: t.exposeString("timeZone", { description: "IANA time zone of the business hours, e.g. Asia/Kolkata." }),
    businessHours: t.field({
      type: [OpeningHoursType],
      nullable: true,
      description: "When the business is open; null = always open (no away message), empty = never open.",
      resolve: (settings) => (settings.businessHours ? toList(settings.businessHours) : null),
    }),
    aiRepliesEnabled: t.exposeBoolean("aiRepliesEnabled"),
    aiAvailable: t.exposeBoolean("aiAvailable", { description: "The server has an AI endpoint (AI_BASE_URL, AI_API_KEY, AI_MODEL)." }),
    openNow: t.exposeBoolean("openNow", { description: "Whether the business is open at this moment." }),
    agentActiveMinutes: t.exposeInt("agentActiveMinutes", {
      description: "No auto-reply in a conversation where an agent sent a message this recently (AUTO_REPLY_AGENT_ACTIVE_MINUTES).",
    }),
  }),
});

const AutoReplyRuleType = builder.prismaObject("AutoReplyRule", {
  fields: (t) => ({
    id: t.exposeID("id"),
    kind: t.expose("kind", { type: AutoReplyKindType }),
    keywords: t.stringList({
      description: "KEYWORD rules: matched as whole words or phrases, ignoring case.",
      select: { keywords: true },
      resolve: (rule) => splitKeywords(rule.keywords),
    }),
    reply: t.exposeString("reply"),
    enabled: t.exposeBoolean("enabled"),
    position: t.exposeInt("position", { description: "Lower first when several keyword rules match." }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
  }),
});

builder.prismaObjectField("WhatsAppMessage", "autoReply", (t) =>
  t.field({
    type: AutoReplyKindType,
    nullable: true,
    description: "Set on messages the workspace sent automatically: which rule, or the AI.",
    select: { autoReply: true },
    resolve: (message) => (isAutoReplyKind(message.autoReply) ? message.autoReply : null),
  }),
);

const AutoReplyRuleInput = builder.inputType("AutoReplyRuleInput", {
  fields: (t) => ({
    kind: t.field({ type: AutoReplyKindType, required: true, description: "KEYWORD, AWAY or GREETING." }),
    keywords: t.stringList({ description: "Required for KEYWORD rules." }),
    reply: t.string({ required: true }),
    enabled: t.boolean({ description: "Default true." }),
    position: t.int({ description: "Default: after the existing rules." }),
  }),
});

const AutoReplyRuleUpdateInput = builder.inputType("AutoReplyRuleUpdateInput", {
  description: "Only the fields given change.",
  fields: (t) => ({
    kind: t.field({ type: AutoReplyKindType }),
    keywords: t.stringList(),
    reply: t.string(),
    enabled: t.boolean(),
    position: t.int(),
  }),
});

const OpeningHoursInput = builder.inputType("OpeningHoursInput", {
  fields: (t) => ({
    day: t.field({ type: OpeningDayType, required: true }),
    opens: t.string({ required: true }),
    closes: t.string({ required: true }),
  }),
});

const AutoReplySettingsInput = builder.inputType("AutoReplySettingsInput", {
  description: "Only the fields given change; `businessHours: null` means always open.",
  fields: (t) => ({
    timeZone: t.string(),
    businessHours: t.field({ type: [OpeningHoursInput] }),
    aiRepliesEnabled: t.boolean(),
  }),
});

const DeletedAutoReplyRule = builder.objectRef<{ id: string }>("DeletedAutoReplyRule").implement({
  fields: (t) => ({ id: t.exposeID("id") }),
});

builder.queryFields((t) => ({
  autoReplyRules: t.prismaField({
    type: ["AutoReplyRule"],
    description: "The workspace's auto-reply rules, in order of precedence.",
    resolve: (query, _root, _args, { db, viewer }) =>
      db.autoReplyRule.findMany({ ...query, where: { workspaceId: viewer.workspaceId }, orderBy: [{ position: "asc" }, { createdAt: "asc" }] }),
  }),
  autoReplySettings: t.field({
    type: AutoReplySettingsType,
    resolve: (_root, _args, { db, config, viewer }) => getSettings(db, config, viewer.workspaceId),
  }),
}));

builder.mutationFields((t) => ({
  createAutoReplyRule: t.field({
    type: AutoReplyRuleType,
    errors: { types: [ValidationError, ForbiddenError], dataField: { name: "rule" } },
    args: { input: t.arg({ type: AutoReplyRuleInput, required: true }) },
    resolve: (_root, { input }, { db, viewer }) => {
      requireAdmin(viewer, "manage auto-replies");
      return createRule(db, viewer.workspaceId, input);
    },
  }),
  updateAutoReplyRule: t.field({
    type: AutoReplyRuleType,
    errors: { types: [ValidationError, NotFoundError, ForbiddenError], dataField: { name: "rule" } },
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: AutoReplyRuleUpdateInput, required: true }) },
    resolve: (_root, { id, input }, { db, viewer }) => {
      requireAdmin(viewer, "manage auto-replies");
      return updateRule(db, viewer.workspaceId, String(id), input);
    },
  }),
  deleteAutoReplyRule: t.field({
    type: DeletedAutoReplyRule,
    errors: { types: [NotFoundError, ForbiddenError], dataField: { name: "deleted" } },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { db, viewer }) => {
      requireAdmin(viewer, "manage auto-replies");
      return deleteRule(db, viewer.workspaceId, String(id));
    },
  }),
  updateAutoReplySettings: t.field({
    type: AutoReplySettingsType,
    description: "Refused (ValidationError) for an unknown time zone, malformed hours, or AI replies when AI_* is not configured.",
    errors: { types: [ValidationError, ForbiddenError], dataField: { name: "settings" } },
    args: { input: t.arg({ type: AutoReplySettingsInput, required: true }) },
    resolve: (_root, { input }, { db, config, viewer }) => {
      requireAdmin(viewer, "change auto-reply settings");
      return updateSettings(db, config, viewer.workspaceId, {
        timeZone: input.timeZone,
        businessHours: input.businessHours === undefined ? undefined : input.businessHours && toHours(input.businessHours),
        aiRepliesEnabled: input.aiRepliesEnabled,
      });
    },
  }),
}));
