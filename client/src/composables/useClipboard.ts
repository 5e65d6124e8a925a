import { onScopeDispose, ref } from "vue";

export type CopyState = "idle" | "copied" | "failed";

/** How long "Copied" stays before the button reads "Copy" again. */
const COPIED_FOR_MS = 2000;

/**
 * Copies text to the clipboard. The Clipboard API exists only in secure contexts (HTTPS or
 * localhost): a server reached over plain HTTP on the LAN reports `failed`, and the page then
 * asks the agent to copy by hand.
 */
export function useClipboard() {
  const state = ref<CopyState>("idle");
  let timer: ReturnType<typeof setTimeout> | undefined;

  async function copy(text: string) {
    clearTimeout(timer);
    try {
      if (!navigator.clipboard) throw new Error("Clipboard API unavailable");
      await navigator.clipboard.writeText(text);
      state.value = "copied";
      timer = setTimeout(() => (state.value = "idle"), COPIED_FOR_MS);
    } catch {
      state.value = "failed";
    }
  }

  onScopeDispose(() => clearTimeout(timer));
  return { state, copy };
}
