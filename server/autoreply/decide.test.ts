import { describe, expect, it } from "vitest";
import { AWAY_REPEAT_AFTER_MS, decideAutoReply, matchesKeyword, type AutoReplyRuleLike, type DecisionInput } from "./decide.ts";

const rule = (kind: AutoReplyRuleLike["kind"], reply: string, extra: Partial<AutoReplyRuleLike> = {}): AutoReplyRuleLike => ({
  id: `${kind}-${reply}`,
  kind,
  keywords: null,
  reply,
  enabled: true,
  position: 0,
  ...extra,
});

const GREETING = rule("GREETING", "Welcome to Sharma Sarees!");
const PRICE = rule("KEYWORD", "Our price list: https://example.in/prices", { keywords: "price, rate, कीमत", position: 1 });
const AWAY = rule("AWAY", "We are closed now and will reply at 9 am.");
// Wednesday 25 Nov 2026, 21:30 IST — after hours (9 to 6).
const EVENING = new Date("2026-11-25T16:00:00Z");
// Wednesday 11:30 IST — open.
const MORNING = new Date("2026-11-25T06:00:00Z");

function input(overrides: Partial<Omit<DecisionInput, "conversation">> & { conversation?: Partial<DecisionInput["conversation"]> } = {}): DecisionInput {
  return {
    message: { type: "text", text: "Hello" },
    rules: [GREETING, PRICE, AWAY],
    settings: { timeZone: "Asia/Kolkata", businessHours: { wed: [["09:00", "18:00"]] }, aiRepliesEnabled: false },
    aiAvailable: false,
    agentActiveMinutes: 30,
    now: MORNING,
    ...overrides,
    conversation: { firstMessage: false, alreadyAnswered: false, agentActiveAt: null, assigned: false, lastAwayReplyAt: null, ...overrides.conversation },
  };
}

describe("which automatic reply a customer's message gets", () => {
  it("greets a customer's very first message, even when it names a keyword or comes after hours", () => {
    expect(decideAutoReply(input({ conversation: { firstMessage: true }, message: { type: "text", text: "price?" }, now: EVENING }))).toEqual({
      kind: "GREETING",
      reply: GREETING.reply,
      ruleId: GREETING.id,
    });
  });

  it("answers a keyword after the first message, before the away message", () => {
    expect(decideAutoReply(input({ message: { type: "text", text: "What is the PRICE of the blue saree?" }, now: EVENING }))?.kind).toBe("KEYWORD");
  });

  it("sends the away message outside business hours, and nothing inside them", () => {
    expect(decideAutoReply(input({ now: EVENING }))).toMatchObject({ kind: "AWAY", reply: AWAY.reply });
    expect(decideAutoReply(input({ now: MORNING }))).toBeNull();
  });

  it("does not repeat the away message to a customer who keeps writing", () => {
    const justNow = new Date(EVENING.getTime() - 60_000);
    expect(decideAutoReply(input({ now: EVENING, conversation: { lastAwayReplyAt: justNow } }))).toBeNull();
    const yesterday = new Date(EVENING.getTime() - AWAY_REPEAT_AFTER_MS - 1);
    expect(decideAutoReply(input({ now: EVENING, conversation: { lastAwayReplyAt: yesterday } }))?.kind).toBe("AWAY");
  });

  it("falls back to the AI only when switched on and configured, and only for text", () => {
    const on = { settings: { ...input().settings, aiRepliesEnabled: true }, aiAvailable: true };
    expect(decideAutoReply(input(on))).toEqual({ kind: "AI" });
    expect(decideAutoReply(input({ ...on, aiAvailable: false }))).toBeNull();
    expect(decideAutoReply(input({ settings: on.settings }))).toBeNull();
    expect(decideAutoReply(input({ ...on, message: { type: "image", text: null } }))).toBeNull();
    // A rule still wins over the AI.
    expect(decideAutoReply(input({ ...on, message: { type: "text", text: "rate?" } }))?.kind).toBe("KEYWORD");
  });

  it("leaves conversations an agent owns to the agent, for the AI", () => {
    const on = { settings: { ...input().settings, aiRepliesEnabled: true }, aiAvailable: true };
    expect(decideAutoReply(input({ ...on, conversation: { assigned: true } }))).toBeNull();
  });

  it("stays silent while an agent is active in the conversation", () => {
    const fiveMinutesAgo = new Date(EVENING.getTime() - 5 * 60_000);
    expect(decideAutoReply(input({ now: EVENING, conversation: { agentActiveAt: fiveMinutesAgo, firstMessage: true } }))).toBeNull();
    const anHourAgo = new Date(EVENING.getTime() - 60 * 60_000);
    expect(decideAutoReply(input({ now: EVENING, conversation: { agentActiveAt: anHourAgo } }))?.kind).toBe("AWAY");
  });

  it("never answers reactions, system notices or unsupported messages", () => {
    for (const type of ["reaction", "system", "unsupported"]) {
      expect(decideAutoReply(input({ message: { type, text: "price" }, now: EVENING, conversation: { firstMessage: true } })), type).toBeNull();
    }
  });

  it("never answers a message twice", () => {
    expect(decideAutoReply(input({ now: EVENING, conversation: { alreadyAnswered: true, firstMessage: true } }))).toBeNull();
  });

  it("ignores disabled rules and takes keyword rules in order of position", () => {
    const first = rule("KEYWORD", "first", { keywords: "order", position: 0 });
    const second = rule("KEYWORD", "second", { keywords: "order status", position: 5 });
    const rules = [second, first, { ...AWAY, enabled: false }];
    expect(decideAutoReply(input({ rules, message: { type: "text", text: "order status?" } }))).toMatchObject({ reply: "first" });
    expect(decideAutoReply(input({ rules, now: EVENING }))).toBeNull();
  });

  it("matches media captions and button replies by their text", () => {
    expect(decideAutoReply(input({ message: { type: "image", text: "price of this one?" } }))?.kind).toBe("KEYWORD");
    expect(decideAutoReply(input({ message: { type: "button", text: "Rate" } }))?.kind).toBe("KEYWORD");
  });
});

describe("keyword matching", () => {
  it("matches whole words and phrases, ignoring case", () => {
    expect(matchesKeyword("What's the Price?", "price")).toBe(true);
    expect(matchesKeyword("order status please", "order status")).toBe(true);
    expect(matchesKeyword("This is it", "hi")).toBe(false);
    expect(matchesKeyword("pricing", "price")).toBe(false);
  });

  it("matches words of any script", () => {
    expect(matchesKeyword("इस साड़ी की कीमत क्या है?", "कीमत")).toBe(true);
    expect(matchesKeyword("कीमतें", "कीमत")).toBe(false);
  });

  it("treats regular-expression characters literally", () => {
    expect(matchesKeyword("is c++ ok", "c++")).toBe(true);
    expect(matchesKeyword("anything", ".*")).toBe(false);
  });
});
