import type { ChatMessageFragment } from "../../graphql/generated/graphql.ts";

/** One bubble of the chat: a stored message, or a draft dressed as one (`draftKey`). */
export interface ChatEntry {
  message: ChatMessageFragment;
  canRetry: boolean;
  draftKey?: string;
  failureNote?: string | null;
}
