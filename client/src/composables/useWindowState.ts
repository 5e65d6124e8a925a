import { computed, toValue, type MaybeRefOrGetter } from "vue";
import { formatClock, localDay } from "../format.ts";
import { useNow } from "./useNow.ts";

/** WhatsApp's customer-service window as an agent reads it. */
export interface WindowState {
  /** Free-form messages may be sent; otherwise only an approved template. */
  open: boolean;
  /** "Window open until 17:32", "Window open until 09:15 tomorrow" or "Template needed". */
  label: string;
}

/**
 * From the moment the window closes (null: the customer never wrote). Worked out against the
 * agent's clock rather than taken from the server's `windowOpen`, so that an open chat turns
 * to the template picker at the moment the window closes, without a refetch.
 */
export function windowState(closesAt: string | null | undefined, now: Date): WindowState {
  if (!closesAt || new Date(closesAt) <= now) return { open: false, label: "Template needed" };
  // The window lasts 24 hours, so it mostly closes tomorrow: say so rather than show a time that looks past.
  const day = localDay(new Date(closesAt)) === localDay(now) ? "" : " tomorrow";
  return { open: true, label: `Window open until ${formatClock(closesAt)}${day}` };
}

/** The window of a conversation or contact, kept current as time passes. */
export function useWindowState(closesAt: MaybeRefOrGetter<string | null | undefined>) {
  const now = useNow(15_000);
  return computed(() => windowState(toValue(closesAt), now.value));
}
