import type { AutoReplyKind } from "../../graphql/generated/graphql.ts";

/** How each kind of automatic reply is named to agents: in the chat and on the Automation page. */
export const AUTO_REPLY_LABELS: Record<AutoReplyKind, string> = {
  KEYWORD: "Keyword reply",
  AWAY: "Away message",
  GREETING: "Greeting",
  AI: "AI reply",
};
