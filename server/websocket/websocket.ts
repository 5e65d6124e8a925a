import type { Server } from "node:http";
import { getOperationAST, GraphQLError, type DocumentNode, type ExecutionArgs } from "graphql";
import { MessageType, type SubscribePayload } from "graphql-ws";
import { useServer } from "graphql-ws/use/ws";
import { WebSocket, WebSocketServer } from "ws";
import type { Viewer } from "../auth/auth.service.ts";
import { socketAuthenticator } from "../auth/socket-auth.ts";
import type { Database } from "../db/client.ts";
import type { GraphQLServer } from "../graphql/context.ts";
import type { InboxPubSub } from "../realtime/pubsub.ts";
import { createSharedSubscriptions, type PayloadSender, type SubscriptionExecution } from "../realtime/shared-subscriptions.ts";
import { createSocketCredentials, type LiveCredential } from "./socket-credentials.ts";

/**
 * Subscriptions one socket may hold at once. The inbox needs a handful; each costs memory until
 * completed (5,000 on one socket held 91 MB), so a socket that asks for more is refused.
 * @default 100
 */
export const MAX_SUBSCRIPTIONS_PER_SOCKET = 100;

type SocketExtra = {
  credential?: LiveCredential;
};

type EnvelopedExecution = ExecutionArgs & {
  rootValue: {
    subscribe: (args: ExecutionArgs) => SubscriptionExecution | Promise<SubscriptionExecution>;
  };
};

/** Where a subscription's shared results go, from `onSubscribe` (which knows the socket) to `subscribe` (which does not). */
interface SubscriptionRoute {
  sharingKey: string;
  send: PayloadSender;
}

/** A refusal sent as the operation's `error` message; the socket stays open. */
function refusal(message: string, code: string) {
  return [new GraphQLError(message, { extensions: { code } })];
}

/**
 * GraphQL subscriptions over WebSocket (`graphql-ws` protocol) at /graphql on the HTTP server's
 * own port, executed through Yoga's envelope so that both transports share schema, plugins and
 * context. Identical subscriptions of one viewer share their execution (shared-subscriptions.ts).
 *
 * The socket carries subscriptions only: queries and mutations go over HTTP, where every request
 * is authenticated and CSRF-checked and passes every HTTP protection — the Vue client and
 * GraphiQL send only subscriptions here anyway. Its credential is checked at connect and again before every
 * operation, and a revoked or expired one closes it (socket-credentials.ts).
 */
export function attachGraphQLWebSocket(server: Server, yoga: GraphQLServer, { db, pubsub }: { db: Database; pubsub: InboxPubSub }) {
  const sockets = new WebSocketServer({ server, path: yoga.graphqlEndpoint });
  const shared = createSharedSubscriptions();
  const credentials = createSocketCredentials(pubsub);
  const routes = new WeakMap<ExecutionArgs, SubscriptionRoute>();
  const disposable = useServer<Record<string, unknown>, SocketExtra>(
    {
      onConnect: async (context) => {
        const authenticate = socketAuthenticator(db, context.extra.request, context.connectionParams);
        const credential = authenticate && (await credentials.admit(context.extra.socket, authenticate));
        if (!credential) return false; // closes with 4403 Forbidden
        context.extra.credential = credential;
        return true;
      },
      subscribe: (args) => {
        const route = routes.get(args);
        if (!route) throw new Error("onSubscribe routes every operation");
        return shared.join(route.sharingKey, route.send, () => (args as EnvelopedExecution).rootValue.subscribe(args));
      },
      onSubscribe: async (context, id, payload) => {
        const credential = context.extra.credential;
        if (!credential) throw new Error("onConnect admits authenticated sockets only");
        // graphql-ws has already counted this one.
        if (Object.keys(context.subscriptions).length > MAX_SUBSCRIPTIONS_PER_SOCKET) {
          return refusal(
            `Too many subscriptions on this socket: at most ${MAX_SUBSCRIPTIONS_PER_SOCKET} at once; complete some first`,
            "TOO_MANY_SUBSCRIPTIONS",
          );
        }
        if (!(await credentials.verify(credential))) {
          return refusal("The session ended or the API token was revoked or expired: authenticate again", "UNAUTHENTICATED");
        }
        const { viewer } = credential;
        const { schema, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({ viewer });
        let document: DocumentNode;
        try {
          document = parse(payload.query);
          const errors = validate(schema, document);
          if (errors.length > 0) return errors;
          if (getOperationAST(document, payload.operationName)?.operation !== "subscription") {
            return refusal("This socket carries subscriptions only: send queries and mutations over HTTP (POST /graphql)", "SUBSCRIPTIONS_ONLY");
          }
        } catch (error) {
          // A syntax error, or a document over a limit (graphql-armor throws): the client's
          // mistake, answered as an error message. Thrown, it would close the socket with 4500.
          if (error instanceof GraphQLError || (error as Error | null)?.name === "GraphQLError") return [error as GraphQLError];
          throw error;
        }
        const args: EnvelopedExecution = {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: await contextFactory(),
          rootValue: { subscribe },
        };
        routes.set(args, { sharingKey: sharingKey(viewer, payload), send: nextMessageSender(context.extra.socket, id) });
        return args;
      },
    },
    sockets,
  );
  return {
    /** Subscriptions listening for events now (tests wait for them instead of sleeping). */
    listening: () => shared.listening(),
    /** Closes every socket with 1001 "going away" so clients reconnect elsewhere. */
    async close() {
      for (const client of sockets.clients) client.close(1001, "Server shutting down");
      await credentials.close();
      await disposable.dispose();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
    },
  };
}

/**
 * Everything an execution reads that can differ between two subscriptions: the operation (with its
 * variables and extensions) and the viewer; the rest of the context is the same services for all.
 * The whole viewer but its CSRF token, which only guards HTTP mutations: results may depend on the
 * user (a note's `canDelete`), the role, and always the workspace, so a subscriber never gets
 * results executed for anyone else.
 */
function sharingKey(viewer: Viewer, payload: SubscribePayload) {
  const { csrfToken: _onlyForHttp, ...scope } = viewer;
  return JSON.stringify([scope, payload.query, payload.operationName ?? null, payload.variables ?? null, payload.extensions ?? null]);
}

/**
 * graphql-ws's `next` message for one subscription, built around the payload its fan-out
 * serialised once. Written straight to the socket, past graphql-ws's own `next` (whose `onNext`
 * hook we do not use), which would serialise the payload again for every subscriber.
 */
function nextMessageSender(socket: WebSocket, id: string): PayloadSender {
  const head = `{"id":${JSON.stringify(id)},"type":"${MessageType.Next}","payload":`;
  return (payloadJson) => {
    if (socket.readyState === WebSocket.OPEN) socket.send(head + payloadJson + "}");
  };
}
