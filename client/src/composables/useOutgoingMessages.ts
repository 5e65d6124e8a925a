import { computed, shallowRef, type Ref } from "vue";
import type { ChatMessageFragment } from "../graphql/generated/graphql.ts";
import { newIdempotencyKey, useWhatsAppSend, type SendOutcome, type SendRecipient } from "./useWhatsAppSend.ts";

/** A message the agent sent that the server has not (yet) confirmed storing. */
export interface OutgoingDraft {
  key: string;
  text: string;
  /** The agent's clock: where the bubble sorts until the stored message replaces it. */
  timestamp: string;
  state: "sending" | "failed";
  reason: string | null;
  /** Unknown outcome: only the same key may try again, so that nothing is sent twice. */
  sameKeyOnRetry: boolean;
  /** Messages shown when it was written: any other outbound one with its text may be it. */
  seen: ReadonlySet<string>;
}

export interface OutgoingCallbacks {
  /** A send's answer, or a hint that the stored messages changed (a refused send is stored FAILED). */
  stored(message: ChatMessageFragment | null): void;
  windowClosed(): void;
}

/**
 * The chat's sending: each text becomes a draft bubble (a clock) at once; the server's stored
 * message replaces it — through the push, which usually arrives before the mutation's answer,
 * or the answer itself. Refusals stay as failed drafts with the reason and a Retry.
 */
export function useOutgoingMessages(recipient: () => SendRecipient, stored: Ref<readonly ChatMessageFragment[]>, callbacks: OutgoingCallbacks) {
  const { sendText } = useWhatsAppSend();
  const drafts = shallowRef<OutgoingDraft[]>([]);
  /** Stored FAILED messages already sent again: their Retry is gone. */
  const retried = shallowRef<ReadonlySet<string>>(new Set());

  const update = (key: string, change: Partial<OutgoingDraft> | null) =>
    (drafts.value = drafts.value.flatMap((draft) => (draft.key !== key ? [draft] : change ? [{ ...draft, ...change }] : [])));

  function settle(key: string, outcome: SendOutcome) {
    if (outcome.kind === "sent") {
      update(key, null);
      return callbacks.stored(outcome.message);
    }
    if (outcome.kind === "failed") {
      // Stored as FAILED: that bubble shows the reason and its own Retry.
      update(key, null);
      return callbacks.stored(null);
    }
    if (outcome.kind === "windowClosed") callbacks.windowClosed();
    update(key, { state: "failed", reason: outcome.reason, sameKeyOnRetry: outcome.kind === "unknown" });
  }

  async function send(text: string, key = newIdempotencyKey(), replyToWamid?: string | null) {
    const draft: OutgoingDraft = {
      key,
      text,
      timestamp: new Date().toISOString(),
      state: "sending",
      reason: null,
      sameKeyOnRetry: false,
      seen: new Set(stored.value.map((message) => message.id)),
    };
    drafts.value = [...drafts.value.filter((other) => other.key !== key), draft];
    settle(key, await sendText(recipient(), text, key, replyToWamid));
  }

  function retryDraft(draft: OutgoingDraft) {
    return send(draft.text, draft.sameKeyOnRetry ? draft.key : newIdempotencyKey());
  }

  /** A message Meta refused: sent again as a new message, with a new key (the old one is spent). */
  function retryStored(message: ChatMessageFragment) {
    if (!message.text) return Promise.resolve();
    retried.value = new Set([...retried.value, message.id]);
    return send(message.text);
  }

  const discard = (draft: OutgoingDraft) => update(draft.key, null);

  /** Drafts still to show: a sending one disappears once a stored message can be matched to it. */
  const pending = computed(() => {
    const claimed = new Set<string>();
    return drafts.value.filter((draft) => {
      if (draft.state === "failed") return true;
      const match = stored.value.find(
        (message) => message.direction === "OUTBOUND" && message.text === draft.text && !draft.seen.has(message.id) && !claimed.has(message.id),
      );
      if (match) claimed.add(match.id);
      return !match;
    });
  });

  return { pending, retried, send, retryDraft, retryStored, discard };
}
