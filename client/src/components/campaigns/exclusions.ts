import type { CampaignExclusionReason } from "../../graphql/generated/graphql.ts";

/** Why audience members get no message, as the campaign card and the preview word it ("3 opted out"). */
export const EXCLUSION_WORDS: Record<CampaignExclusionReason, string> = {
  OPTED_OUT: "opted out",
  NOT_OPTED_IN: "not opted in",
  NO_WHATSAPP: "no WhatsApp",
  BLOCKED: "blocked",
  MISSING_VARIABLE: "missing variable",
  DUPLICATE: "duplicate",
};
