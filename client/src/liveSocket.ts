import type { SubscriptionForwarder } from "@urql/core";
import { createClient, type Client, type Sink } from "graphql-ws";
import { readonly, ref, type InjectionKey, type Ref } from "vue";

/**
 * `idle`: no socket, because no page subscribes; `connecting`: the first attempt is under way;
 * `connected`: acknowledged, events flow; `down`: lost or refused while subscriptions want it
 * (graphql-ws keeps retrying with backoff).
 */
export type SocketState = "idle" | "connecting" | "connected" | "down";

export interface LiveSocketStatus {
  readonly state: Readonly<Ref<SocketState>>;
}

/** The socket's truth for whoever shows it: provided by main.ts, injected by useLiveConnection. */
export const LIVE_SOCKET_STATUS: InjectionKey<LiveSocketStatus> = Symbol("live socket status");

/** The events of graphql-ws's client the status follows (a fake one in tests). */
export interface SocketEventSource {
  on(event: "connecting" | "connected" | "closed", listener: () => void): () => void;
}

/** First retry after about this long, doubling up to {@link RETRY_MAX_MS}. */
export const RETRY_BASE_MS = 500;
/** Short enough that an agent sees "Live" again within seconds of the network coming back. */
export const RETRY_MAX_MS = 5_000;
/** A ping every so often shows a silently dead socket (sleeping laptop, dropped Wi-Fi)… */
export const KEEP_ALIVE_MS = 10_000;
/** …when its pong has not come back within this long. */
export const PONG_TIMEOUT_MS = 5_000;
/** A server that accepts the socket but never acknowledges it counts as down after this long. */
export const ACK_TIMEOUT_MS = 5_000;
/** Switching conversations unsubscribes and resubscribes: keep the socket through that. */
export const LAZY_CLOSE_MS = 3_000;

/** Exponential backoff with jitter, so that a restarted server is not hit by every tab at once. */
export function retryDelayMs(retries: number, random = Math.random): number {
  const ceiling = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** retries);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Follows a graphql-ws client's events. A close counts as `down` only while something is
 * subscribed: the client's own lazy close after the last subscription is `idle`. While down,
 * its reconnection attempts do not flip the state back to `connecting`.
 */
export function trackSocketStatus(source: SocketEventSource, activeSubscriptions: () => number): LiveSocketStatus {
  const state = ref<SocketState>("idle");
  source.on("connecting", () => {
    if (state.value !== "down") state.value = "connecting";
  });
  source.on("connected", () => (state.value = "connected"));
  source.on("closed", () => (state.value = activeSubscriptions() > 0 ? "down" : "idle"));
  return { state: readonly(state) };
}

export interface LiveSocket {
  status: LiveSocketStatus;
  /** For urql's subscriptionExchange. */
  forward: SubscriptionForwarder;
  /** Drops the socket and reconnects, e.g. so that a newly signed-in user's cookie is used. */
  restart(): void;
  /**
   * Calls `listener` when the server closes the socket because the user's access ended or
   * changed (4401: session or token over; 4403: deactivated, role changed, or refused).
   */
  onAccessLost(listener: () => void): void;
}

/** The close codes with which the server ends a socket whose credentials no longer hold. */
const ACCESS_LOST_CODES = new Set([4401, 4403]);

function sameOriginSocketUrl(): string {
  // The session cookie authenticates the socket, and the server accepts it from its own origin only.
  return `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/graphql`;
}

/**
 * The browser's GraphQL WebSocket (graphql-ws), opened while some page subscribes. It retries
 * for ever with backoff, detects dead sockets with ping/pong, and reports its state.
 */
export function createLiveSocket(url = sameOriginSocketUrl()): LiveSocket {
  let active = 0;
  let pongTimer: ReturnType<typeof setTimeout> | undefined;
  const accessLost: Array<() => void> = [];
  const client: Client = createClient({
    url,
    lazy: true,
    lazyCloseTimeout: LAZY_CLOSE_MS,
    retryAttempts: Infinity,
    // The default gives up on network errors (an Event, not a CloseEvent): never give up here.
    shouldRetry: () => true,
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, retryDelayMs(retries))),
    keepAlive: KEEP_ALIVE_MS,
    connectionAckWaitTimeout: ACK_TIMEOUT_MS,
    on: {
      ping: (received) => {
        if (!received) pongTimer = setTimeout(() => client.terminate(), PONG_TIMEOUT_MS);
      },
      pong: (received) => {
        if (received) clearTimeout(pongTimer);
      },
      closed: (event) => {
        clearTimeout(pongTimer);
        const code = (event as { code?: unknown } | undefined)?.code;
        if (typeof code === "number" && ACCESS_LOST_CODES.has(code)) for (const listener of accessLost) listener();
      },
    },
  });
  const status = trackSocketStatus(client, () => active);

  const forward: SubscriptionForwarder = (request) => ({
    subscribe(sink) {
      active++;
      let stopped = false;
      let attempt = 0;
      let timer: ReturnType<typeof setTimeout> | undefined;
      let dispose = () => {};
      const start = () => {
        const relay: Sink = {
          next: (value) => {
            attempt = 0;
            sink.next(value as Parameters<typeof sink.next>[0]);
          },
          error: (error) => {
            // The server's GraphQL errors end this operation; anything else is the socket
            // giving up (a close code graphql-ws deems fatal): subscribe again later, polling
            // covers the gap meanwhile.
            if (Array.isArray(error)) return sink.error(error);
            // Releases graphql-ws's hold on the socket for the failed attempt before the next one.
            dispose();
            timer = setTimeout(start, retryDelayMs(attempt++));
          },
          complete: () => {
            if (!stopped) sink.complete();
          },
        };
        dispose = client.subscribe({ ...request, query: request.query ?? "" }, relay);
      };
      start();
      return {
        unsubscribe() {
          if (stopped) return;
          stopped = true;
          active--;
          clearTimeout(timer);
          dispose();
        },
      };
    },
  });

  return { status, forward, restart: () => client.terminate(), onAccessLost: (listener) => void accessLost.push(listener) };
}
