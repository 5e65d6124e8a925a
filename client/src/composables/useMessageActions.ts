import { useClientHandle } from "@urql/vue";
import { ref } from "vue";
import type { ChatMessageFragment } from "../graphql/generated/graphql.ts";
import { ReactToMessageMutation, SendTypingIndicatorMutation } from "../graphql/reactions.ts";

/** The emoji offered on a bubble, as WhatsApp offers them. */
export const QUICK_REACTIONS = ["👍", "❤️", "😂", "😮", "😢", "🙏"] as const;

/**
 * Meta shows "typing…" for up to 25 s, or until our message arrives: asking again every 20 s
 * keeps it on while the agent writes, without a request per keystroke. @default 20_000
 */
export const TYPING_INTERVAL_MS = 20_000;

/**
 * Our reactions on a chat's messages: the answer (the message with its reactions now) goes to
 * `stored`; a refusal (window closed, Meta refused) is kept in `error` for the chat to say.
 */
export function useReactions(stored: (message: ChatMessageFragment) => void) {
  const { client } = useClientHandle();
  const error = ref<string | null>(null);

  async function react(message: Pick<ChatMessageFragment, "id">, emoji: string) {
    error.value = null;
    const result = await client.mutation(ReactToMessageMutation, { messageId: message.id, emoji }).toPromise();
    const answer = result.data?.reactToMessage;
    if (answer?.__typename === "MutationReactToMessageSuccess") return stored(answer.reactedMessage);
    error.value = answer && "message" in answer ? answer.message : "The reaction could not be sent. Try again.";
  }

  return { react, error };
}

/**
 * "typing…" for the customer while the agent writes: `typed()` on each keystroke asks the server
 * at most once per {@link TYPING_INTERVAL_MS}, and only when `allowed()` (the window is open and
 * the customer has written). Best effort: a failure is not the agent's concern.
 */
export function useTypingIndicator(conversationId: () => string, allowed: () => boolean, now = () => Date.now()) {
  const { client } = useClientHandle();
  let lastAt = -Infinity;
  function typed() {
    if (!allowed() || now() - lastAt < TYPING_INTERVAL_MS) return;
    lastAt = now();
    void client.mutation(SendTypingIndicatorMutation, { conversationId: conversationId() }).toPromise();
  }
  /** After a send: Meta hides the indicator when our message arrives, so the next keystroke may show it again. */
  const reset = () => (lastAt = -Infinity);
  return { typed, reset };
}
