// A graphql-ws client as an integrator's script or the browser opens it, for tests that watch how the server ends it.
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";

export interface SocketClose {
  code: number;
  reason: string;
  /** Date.now() when the close arrived. */
  at: number;
}

export interface Operation<T> {
  events: T[];
  /** The `error` messages the server answered (GraphQL errors), or the close event that ended it. */
  errors: unknown[];
  completed: boolean;
}

export interface LiveSocket {
  client: Client;
  /** Resolves once the server acknowledged the connection. */
  connected: Promise<void>;
  /** Resolves with the first close of the socket. */
  closed: Promise<SocketClose>;
  /** Starts an operation and collects what it yields. */
  operate<T>(query: string, variables?: Record<string, unknown>): Operation<T>;
  dispose(): Promise<void>;
}

/** Opens a socket to `baseUrl` with an API token, or with a session cookie from the page's own origin as the browser does. */
export function openLiveSocket(baseUrl: string, credential: { token: string } | { cookie: string }): LiveSocket {
  const url = `${baseUrl.replace(/^http/, "ws")}/graphql`;
  const headers = "cookie" in credential ? { cookie: credential.cookie, origin: baseUrl } : undefined;
  let connected!: () => void;
  let closed!: (close: SocketClose) => void;
  const socket = {
    connected: new Promise<void>((resolve) => (connected = resolve)),
    closed: new Promise<SocketClose>((resolve) => (closed = resolve)),
  };
  const client = createClient({
    url,
    webSocketImpl: class extends WebSocket {
      constructor(address: string, protocols: string[]) {
        super(address, protocols, { headers });
      }
    },
    connectionParams: "token" in credential ? { authorization: `Bearer ${credential.token}` } : undefined,
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => {},
    on: {
      connected: () => connected(),
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        closed({ code, reason, at: Date.now() });
      },
    },
  });
  return {
    client,
    ...socket,
    operate<T>(query: string, variables: Record<string, unknown> = {}) {
      const operation: Operation<T> = { events: [], errors: [], completed: false };
      client.subscribe<T>(
        { query, variables },
        {
          next: (result) => operation.events.push(result.data as T),
          error: (error) => operation.errors.push(error),
          complete: () => (operation.completed = true),
        },
      );
      return operation;
    },
    dispose: () => client.dispose() as Promise<void>,
  };
}
