/**
 * A workspace's auto-reply rules and settings (time zone, business hours, AI switch): read,
 * validated and changed here, for GraphQL and for tests alike. Every query is scoped to the
 * caller's workspace; another workspace's rule answers as if it did not exist.
 */
import type { Config } from "../config.ts";
import type { Database } from "../db/client.ts";
import { NotFoundError, ValidationError, type FieldError } from "../errors.ts";
import { TEXT_BODY_MAX_LENGTH } from "../whatsapp/cloud-api.ts";
import { AI_VARIABLES, aiSettingsOf } from "./ai-client.ts";
import { businessHoursProblems, isOpen, isTimeZone, parseBusinessHours, type BusinessHours } from "./business-hours.ts";
import { splitKeywords, type RuleKind } from "./decide.ts";

/** @default 50 rules per workspace — enough for any real set, small enough to load per message. */
export const MAX_RULES = 50;
/** @default 20 keywords per rule, each at most 100 characters */
export const MAX_KEYWORDS = 20;
export const MAX_KEYWORD_LENGTH = 100;

export interface RuleInput {
  kind?: RuleKind | "AI" | null;
  keywords?: readonly string[] | null;
  reply?: string | null;
  enabled?: boolean | null;
  position?: number | null;
}

/** The rule's fields once checked: every problem at once, each on its field. */
function checkRule(input: RuleInput, kind: RuleKind | "AI" | null | undefined) {
  const errors: FieldError[] = [];
  if (kind === "AI") errors.push({ field: "kind", message: "AI replies are not a rule: switch them on in the auto-reply settings" });
  const keywords = input.keywords?.map((keyword) => keyword.trim()).filter(Boolean);
  if (keywords?.some((keyword) => keyword.includes(","))) errors.push({ field: "keywords", message: "A keyword cannot contain a comma: give each one separately" });
  if (keywords && keywords.length > MAX_KEYWORDS) errors.push({ field: "keywords", message: `At most ${MAX_KEYWORDS} keywords per rule` });
  if (keywords?.some((keyword) => keyword.length > MAX_KEYWORD_LENGTH)) errors.push({ field: "keywords", message: `A keyword has at most ${MAX_KEYWORD_LENGTH} characters` });
  const reply = input.reply?.trim();
  if (input.reply !== undefined && !reply) errors.push({ field: "reply", message: "Write the reply the customer gets" });
  if (reply && reply.length > TEXT_BODY_MAX_LENGTH) errors.push({ field: "reply", message: `The reply must be at most ${TEXT_BODY_MAX_LENGTH} characters (it has ${reply.length})` });
  if (input.position != null && (input.position < 0 || input.position > 10_000)) errors.push({ field: "position", message: "Position must be between 0 and 10000" });
  return { errors, keywords, reply };
}

export async function createRule(db: Database, workspaceId: string, input: RuleInput & { kind: RuleKind | "AI"; reply: string }) {
  const { errors, keywords, reply } = checkRule(input, input.kind);
  if (input.kind === "KEYWORD" && !keywords?.length) errors.push({ field: "keywords", message: "Give at least one keyword" });
  if (errors.length > 0) throw new ValidationError(errors);
  const count = await db.autoReplyRule.count({ where: { workspaceId } });
  if (count >= MAX_RULES) throw ValidationError.of("kind", `A workspace has at most ${MAX_RULES} auto-reply rules: delete one first`);
  const last = await db.autoReplyRule.findFirst({ where: { workspaceId }, orderBy: { position: "desc" }, select: { position: true } });
  return db.autoReplyRule.create({
    data: {
      workspaceId,
      kind: input.kind as RuleKind,
      keywords: input.kind === "KEYWORD" ? keywords!.join(", ") : null,
      reply: reply!,
      enabled: input.enabled ?? true,
      // New rules go last: they never take precedence over the ones already there by surprise.
      position: input.position ?? (last ? last.position + 1 : 0),
    },
  });
}

export async function updateRule(db: Database, workspaceId: string, id: string, input: RuleInput) {
  const rule = await db.autoReplyRule.findFirst({ where: { id, workspaceId } });
  if (!rule) throw new NotFoundError("Auto-reply rule");
  const kind = input.kind ?? rule.kind;
  const { errors, keywords, reply } = checkRule(input, kind);
  const finalKeywords = keywords ?? splitKeywords(rule.keywords);
  if (kind === "KEYWORD" && finalKeywords.length === 0) errors.push({ field: "keywords", message: "Give at least one keyword" });
  if (errors.length > 0) throw new ValidationError(errors);
  return db.autoReplyRule.update({
    where: { id: rule.id },
    data: {
      kind: kind as RuleKind,
      keywords: kind === "KEYWORD" ? finalKeywords.join(", ") : null,
      ...(reply ? { reply } : {}),
      ...(input.enabled != null ? { enabled: input.enabled } : {}),
      ...(input.position != null ? { position: input.position } : {}),
    },
  });
}

export async function deleteRule(db: Database, workspaceId: string, id: string) {
  const { count } = await db.autoReplyRule.deleteMany({ where: { id, workspaceId } });
  if (count === 0) throw new NotFoundError("Auto-reply rule");
  return { id };
}

export interface AutoReplySettings {
  timeZone: string;
  businessHours: BusinessHours | null;
  aiRepliesEnabled: boolean;
  /** The server has an AI endpoint configured: the switch can be turned on. */
  aiAvailable: boolean;
  /** Whether the business is open right now, by its hours and time zone. */
  openNow: boolean;
  /** Auto-replies stay out of a conversation this long after an agent's message. */
  agentActiveMinutes: number;
}

export async function getSettings(db: Database, config: Config, workspaceId: string, now = new Date()): Promise<AutoReplySettings> {
  const workspace = await db.workspace.findUniqueOrThrow({
    where: { id: workspaceId },
    select: { timeZone: true, businessHours: true, aiRepliesEnabled: true },
  });
  const businessHours = parseBusinessHours(workspace.businessHours);
  return {
    timeZone: workspace.timeZone,
    businessHours,
    aiRepliesEnabled: workspace.aiRepliesEnabled,
    aiAvailable: aiSettingsOf(config) !== null,
    openNow: isOpen(businessHours, workspace.timeZone, now),
    agentActiveMinutes: config.AUTO_REPLY_AGENT_ACTIVE_MINUTES,
  };
}

export interface SettingsInput {
  timeZone?: string | null;
  /** undefined: unchanged; null: always open. */
  businessHours?: BusinessHours | null;
  aiRepliesEnabled?: boolean | null;
}

export async function updateSettings(db: Database, config: Config, workspaceId: string, input: SettingsInput) {
  const errors: FieldError[] = [];
  const timeZone = input.timeZone?.trim();
  if (input.timeZone != null && !isTimeZone(timeZone!)) {
    errors.push({ field: "timeZone", message: `“${input.timeZone}” is not a time zone: give an IANA name such as Asia/Kolkata or Europe/London` });
  }
  if (input.businessHours) errors.push(...businessHoursProblems(input.businessHours).map((message) => ({ field: "businessHours", message })));
  if (input.aiRepliesEnabled && !aiSettingsOf(config)) {
    errors.push({ field: "aiRepliesEnabled", message: `AI replies need ${AI_VARIABLES.join(", ")} set on the server` });
  }
  if (errors.length > 0) throw new ValidationError(errors);
  await db.workspace.update({
    where: { id: workspaceId },
    data: {
      ...(timeZone ? { timeZone } : {}),
      ...(input.businessHours !== undefined ? { businessHours: input.businessHours === null ? null : JSON.stringify(input.businessHours) } : {}),
      ...(input.aiRepliesEnabled != null ? { aiRepliesEnabled: input.aiRepliesEnabled } : {}),
    },
  });
  return getSettings(db, config, workspaceId);
}
