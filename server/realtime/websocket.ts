import type { Server } from "node:http";
import { GraphQLError, type DocumentNode, type ExecutionArgs } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import type { Viewer } from "../auth/auth.service.ts";
import { authenticateSocket } from "../auth/socket-auth.ts";
import type { Database } from "../db/client.ts";
import type { GraphQLServer } from "../graphql/http.ts";

type SocketExtra = {
  viewer?: Viewer;
};

type EnvelopedExecution = ExecutionArgs & {
  rootValue: { execute: (args: ExecutionArgs) => unknown; subscribe: (args: ExecutionArgs) => unknown };
};

/**
 * GraphQL over WebSocket (`graphql-ws` protocol) at /graphql on the HTTP server's own port,
 * executed through Yoga's envelope so that both transports share schema, plugins and context.
 */
export function attachGraphQLWebSocket(server: Server, yoga: GraphQLServer, db: Database) {
  const sockets = new WebSocketServer({ server, path: yoga.graphqlEndpoint });
  const disposable = useServer<Record<string, unknown>, SocketExtra>(
    {
      onConnect: async (context) => {
        const viewer = await authenticateSocket(db, context.extra.request, context.connectionParams);
        if (!viewer) return false; // closes with 4403 Forbidden
        context.extra.viewer = viewer;
        return true;
      },
      execute: (args) => (args as EnvelopedExecution).rootValue.execute(args) as never,
      subscribe: (args) => (args as EnvelopedExecution).rootValue.subscribe(args) as never,
      onSubscribe: async (context, _id, payload) => {
        const viewer = context.extra.viewer;
        if (!viewer) throw new Error("onConnect admits authenticated sockets only");
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({ viewer });
        let document: DocumentNode;
        try {
          document = parse(payload.query);
          const errors = validate(schema, document);
          if (errors.length > 0) return errors;
        } catch (error) {
          // A syntax error, or a document over a limit (graphql-armor throws): the client's
          // mistake, answered as an error message. Thrown, it would close the socket with 4500.
          if (error instanceof GraphQLError || (error as Error | null)?.name === "GraphQLError") return [error as GraphQLError];
          throw error;
        }
        return {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
      },
    },
    sockets,
  );
  return {
    /** Closes every socket with 1001 "going away" so clients reconnect elsewhere. */
    async close() {
      for (const client of sockets.clients) client.close(1001, "Server shutting down");
      await disposable.dispose();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
    },
  };
}
