import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { trackSocketStatus, type SocketEventSource } from "../liveSocket.ts";
import { withSetup } from "../testing/harness.ts";
import { useLiveConnection } from "./useLiveConnection.ts";

type SocketEvent = "connecting" | "connected" | "closed";

/** Stands in for graphql-ws's client: the test says when it connects and closes. */
function fakeSocket() {
  const listeners = new Map<SocketEvent, Array<() => void>>();
  const source: SocketEventSource = {
    on(event, listener) {
      listeners.set(event, [...(listeners.get(event) ?? []), listener]);
      return () => {};
    },
  };
  let subscriptions = 1;
  const status = trackSocketStatus(source, () => subscriptions);
  return {
    status,
    emit: (event: SocketEvent) => listeners.get(event)?.forEach((listener) => listener()),
    setSubscriptions: (count: number) => (subscriptions = count),
  };
}

const POLL_MS = 20;
/** Its behaviour is timers only: the tests move the clock, so "nothing for four intervals" takes no real time and cannot flake. */
const elapse = (ms: number) => vi.advanceTimersByTimeAsync(ms);
const unmounts: Array<() => void> = [];
beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  unmounts.splice(0).forEach((unmount) => unmount());
  vi.useRealTimers();
});

/** useLiveConnection in a component, with a refetch that counts its calls. */
function liveWith(socket: ReturnType<typeof fakeSocket>, connectGraceMs = 10_000, subscribeSettleMs = 10_000) {
  const refetches = { count: 0 };
  const { result, wrapper } = withSetup(() => {
    const live = useLiveConnection({ status: socket.status, connectGraceMs, subscribeSettleMs });
    live.keepFresh(async () => void refetches.count++, POLL_MS);
    return live;
  });
  unmounts.push(() => wrapper.unmount());
  return { live: result, refetches };
}

describe("useLiveConnection", () => {
  it("is Live while the socket is connected, and does not poll then", async () => {
    const socket = fakeSocket();
    socket.emit("connecting");
    socket.emit("connected");
    const { live, refetches } = liveWith(socket);
    expect(live.state.value).toBe("live");
    await elapse(POLL_MS * 4);
    expect(refetches.count).toBe(0);
  });

  it("polls on its interval once the socket is lost, and stops when the socket is back, with one refetch for what was missed", async () => {
    const socket = fakeSocket();
    socket.emit("connected");
    const { live, refetches } = liveWith(socket);

    socket.emit("closed");
    expect(live.state.value).toBe("polling");
    await elapse(POLL_MS * 3);
    expect(refetches.count).toBeGreaterThanOrEqual(3);

    // Reconnection attempts while down do not pretend to be anything but polling.
    socket.emit("connecting");
    expect(live.state.value).toBe("polling");

    socket.emit("connected");
    const afterReconnect = refetches.count;
    await Promise.resolve();
    expect(live.state.value).toBe("live");
    await elapse(POLL_MS * 4);
    expect(refetches.count).toBe(afterReconnect + 1);
  });

  it("refetches once shortly after subscribing on a socket already up, for events sent before the server registered it", async () => {
    const socket = fakeSocket();
    socket.emit("connected");
    const { refetches } = liveWith(socket, 10_000, 30);
    expect(refetches.count).toBe(0);
    await elapse(30);
    expect(refetches.count).toBe(1);
    await elapse(60);
    expect(refetches.count).toBe(1);
  });

  it("starts polling when the socket takes longer than the grace period to come up", async () => {
    const socket = fakeSocket();
    socket.emit("connecting");
    const { live, refetches } = liveWith(socket, 30);
    expect(live.state.value).toBe("connecting");
    await elapse(30);
    expect(live.state.value).toBe("polling");
    await elapse(POLL_MS);
    expect(refetches.count).toBeGreaterThanOrEqual(1);
  });

  it("treats the socket closing after the last subscription ended as idle, not as lost", () => {
    const socket = fakeSocket();
    socket.emit("connected");
    socket.setSubscriptions(0);
    socket.emit("closed");
    expect(socket.status.state.value).toBe("idle");
    socket.setSubscriptions(1);
    socket.emit("connected");
    socket.emit("closed");
    expect(socket.status.state.value).toBe("down");
  });

  it("skips its polling turns while the page is hidden and catches up when it is shown", async () => {
    const socket = fakeSocket();
    socket.emit("closed");
    let state: DocumentVisibilityState = "hidden";
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => state });
    try {
      const { refetches } = liveWith(socket);
      await elapse(POLL_MS * 4);
      expect(refetches.count).toBe(0);
      state = "visible";
      document.dispatchEvent(new Event("visibilitychange"));
      await elapse(0);
      expect(refetches.count).toBeGreaterThanOrEqual(1);
    } finally {
      // The document's own property hid the prototype's getter: removing it restores the real one.
      delete (document as { visibilityState?: unknown }).visibilityState;
    }
  });
});
