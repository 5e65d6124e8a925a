/**
 * Whether a customer's message gets an automatic reply, and which: a pure function of the
 * message, the workspace's rules and settings, the conversation and the clock — so every
 * precedence rule is tested without a database or a network.
 */
import type { AutoReplyKind } from "../inbox/auto-replies.ts";
import { isOpen, type BusinessHours } from "./business-hours.ts";

export type RuleKind = Exclude<AutoReplyKind, "AI">;

/**
 * Message types that are not something said to the business: a reaction, a notice that the
 * customer changed number, a message WhatsApp could not show us. Answering them would be noise.
 */
export const NOT_ANSWERED_TYPES: ReadonlySet<string> = new Set(["reaction", "system", "unsupported", "ephemeral"]);

/** The away message is not repeated to a customer who keeps writing while the business is closed. @default 12 h */
export const AWAY_REPEAT_AFTER_MS = 12 * 60 * 60 * 1000;

export interface AutoReplyRuleLike {
  id: string;
  kind: RuleKind;
  /** Comma-separated, for KEYWORD rules */
  keywords: string | null;
  reply: string;
  enabled: boolean;
  position: number;
}

export interface DecisionInput {
  message: { type: string; text: string | null };
  rules: readonly AutoReplyRuleLike[];
  settings: { timeZone: string; businessHours: BusinessHours | null; aiRepliesEnabled: boolean };
  conversation: {
    /** This is the customer's very first message to the business. */
    firstMessage: boolean;
    /** An automatic reply to this very message exists already (a re-delivered webhook, another runner). */
    alreadyAnswered: boolean;
    /** When an agent last sent (or typed) here. */
    agentActiveAt: Date | null;
    /** An agent owns the conversation: the AI stays out of it (rules still answer). */
    assigned: boolean;
    /** The last away message sent here. */
    lastAwayReplyAt: Date | null;
  };
  /** The AI endpoint is configured on the server (AI_BASE_URL, AI_API_KEY, AI_MODEL). */
  aiAvailable: boolean;
  /** An agent who sent or typed within this many minutes is still in the conversation. */
  agentActiveMinutes: number;
  now: Date;
}

export type Decision = { kind: RuleKind; reply: string; ruleId: string } | { kind: "AI" };

/**
 * At most one reply: the greeting for a customer's very first message, else the first keyword
 * rule (by position) whose keyword the message contains, else the away message outside business
 * hours, else the AI when switched on. Nothing for an agent's active conversation, for reactions
 * and system notices, or for a message answered already.
 */
export function decideAutoReply(input: DecisionInput): Decision | null {
  const { message, conversation, settings, now } = input;
  if (NOT_ANSWERED_TYPES.has(message.type) || conversation.alreadyAnswered) return null;
  if (conversation.agentActiveAt && now.getTime() - conversation.agentActiveAt.getTime() < input.agentActiveMinutes * 60_000) return null;

  const rules = input.rules.filter((rule) => rule.enabled).sort((a, b) => a.position - b.position);
  const ruleOf = (kind: RuleKind) => rules.find((rule) => rule.kind === kind);
  const answer = (rule: AutoReplyRuleLike | undefined): Decision | null => (rule ? { kind: rule.kind, reply: rule.reply, ruleId: rule.id } : null);

  const greeting = conversation.firstMessage ? answer(ruleOf("GREETING")) : null;
  if (greeting) return greeting;

  const text = message.text ?? "";
  const keyword = answer(rules.find((rule) => rule.kind === "KEYWORD" && matchesKeyword(text, rule.keywords)));
  if (keyword) return keyword;

  const awayRecently = conversation.lastAwayReplyAt && now.getTime() - conversation.lastAwayReplyAt.getTime() < AWAY_REPEAT_AFTER_MS;
  if (!awayRecently && !isOpen(settings.businessHours, settings.timeZone, now)) {
    const away = answer(ruleOf("AWAY"));
    if (away) return away;
  }

  if (settings.aiRepliesEnabled && input.aiAvailable && !conversation.assigned && text.trim()) return { kind: "AI" };
  return null;
}

/** A rule's keywords as stored: comma-separated, trimmed, empty ones dropped. */
export function splitKeywords(keywords: string | null): string[] {
  return (keywords ?? "")
    .split(",")
    .map((keyword) => keyword.trim())
    .filter(Boolean);
}

const fold = (text: string) => text.normalize("NFKC").toLocaleLowerCase();
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Whether the text contains one of the keywords as a whole word or phrase, ignoring case:
 * "price" matches "What's the price?" but "hi" does not match "this". Letters of any script
 * (and their combining marks, as in Devanagari) count as part of a word.
 */
export function matchesKeyword(text: string, keywords: string | null): boolean {
  const folded = fold(text);
  return splitKeywords(keywords).some((keyword) =>
    new RegExp(`(?<![\\p{L}\\p{M}\\p{N}])${escape(fold(keyword))}(?![\\p{L}\\p{M}\\p{N}])`, "u").test(folded),
  );
}
