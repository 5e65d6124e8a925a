import { computed, inject, onScopeDispose, readonly, ref, watch, type ComputedRef } from "vue";
import { LIVE_SOCKET_STATUS, type LiveSocketStatus } from "../liveSocket.ts";

/** What the inbox shows and does: events pushed (`live`), or asked for on a timer (`polling`). */
export type LiveConnectionState = "connecting" | "live" | "polling";

/** While the socket is down the conversation list is refetched this often… */
export const LIST_POLL_MS = 5_000;
/** …and the open conversation this often. */
export const CHAT_POLL_MS = 3_000;
/** A socket still not up after this long counts as down: polling starts rather than wait. */
export const CONNECT_GRACE_MS = 4_000;
/**
 * A subscription started on a socket already up is registered by the server a moment after the
 * first query was answered; an event in between would be lost. One refetch this long after
 * subscribing closes that gap.
 */
export const SUBSCRIBE_SETTLE_MS = 1_000;

export interface LiveConnection {
  state: ComputedRef<LiveConnectionState>;
  /**
   * Keeps data fresh whatever the socket does: `refetch` runs every `pollIntervalMs` while
   * polling, once each time the socket comes (back) up — events sent meanwhile were missed —
   * once shortly after subscribing (see SUBSCRIBE_SETTLE_MS), and when the page becomes visible
   * or resumes after being frozen. Call it right after subscribing; it stops with the caller's scope.
   */
  keepFresh(refetch: () => Promise<unknown>, pollIntervalMs: number): void;
}

export interface LiveConnectionOptions {
  /** The socket to follow; by default the app's (main.ts provides it). */
  status?: LiveSocketStatus;
  connectGraceMs?: number;
  subscribeSettleMs?: number;
}

/** Without a socket (a component rendered alone) there is nothing to wait for: poll. */
const NO_SOCKET: LiveSocketStatus = { state: readonly(ref("down" as const)) };

/** The inbox's connection: its state for the indicator, and polling while the socket is down. */
export function useLiveConnection(options: LiveConnectionOptions = {}): LiveConnection {
  const status = options.status ?? inject(LIVE_SOCKET_STATUS, NO_SOCKET);
  const graceMs = options.connectGraceMs ?? CONNECT_GRACE_MS;
  const settleMs = options.subscribeSettleMs ?? SUBSCRIBE_SETTLE_MS;
  const waitedTooLong = ref(false);
  let graceTimer: ReturnType<typeof setTimeout> | undefined;
  watch(
    status.state,
    (socket) => {
      clearTimeout(graceTimer);
      waitedTooLong.value = false;
      if (socket === "idle" || socket === "connecting") graceTimer = setTimeout(() => (waitedTooLong.value = true), graceMs);
    },
    { immediate: true },
  );
  onScopeDispose(() => clearTimeout(graceTimer));

  const state = computed<LiveConnectionState>(() => {
    const socket = status.state.value;
    if (socket === "connected") return "live";
    return socket === "down" || waitedTooLong.value ? "polling" : "connecting";
  });

  function keepFresh(refetch: () => Promise<unknown>, pollIntervalMs: number) {
    let pollTimer: ReturnType<typeof setInterval> | undefined;
    let running = false;
    // One refetch at a time: a slow server must not pile requests up behind each other.
    const run = async () => {
      if (running) return;
      running = true;
      try {
        await refetch();
      } finally {
        running = false;
      }
    };
    const hidden = () => document.visibilityState === "hidden";
    watch(
      state,
      (now, before) => {
        clearInterval(pollTimer);
        // A hidden tab skips its turns; it catches up at once when shown (below).
        if (now === "polling") pollTimer = setInterval(() => hidden() || void run(), pollIntervalMs);
        if (now === "live" && before !== undefined) void run();
      },
      { immediate: true },
    );
    // Not live yet: the refetch on becoming live covers it instead.
    const settle = setTimeout(() => state.value === "live" && void run(), settleMs);
    const catchUp = () => hidden() || void run();
    document.addEventListener("visibilitychange", catchUp);
    // Page Lifecycle: a frozen tab ran no timers and may have lost its socket without noticing.
    document.addEventListener("resume", catchUp);
    onScopeDispose(() => {
      clearInterval(pollTimer);
      clearTimeout(settle);
      document.removeEventListener("visibilitychange", catchUp);
      document.removeEventListener("resume", catchUp);
    });
  }

  return { state, keepFresh };
}
