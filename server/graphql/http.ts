import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { createYoga, type YogaServerInstance } from "graphql-yoga";
import type { Viewer } from "../auth/auth.service.ts";
import { viewerOf } from "../auth/http-auth.ts";
import type { GraphQLContext, GraphQLServices } from "./context.ts";
import { graphqlProtections } from "./limits.ts";
import { schema } from "./schema.ts";

/** HTTP requests bring Fastify's request; WebSocket operations bring the socket's viewer. */
export type ServerContext = { req: FastifyRequest; reply: FastifyReply } | { viewer: Viewer };

export type GraphQLServer = YogaServerInstance<ServerContext, GraphQLContext>;

export function createGraphQLServer(services: GraphQLServices): GraphQLServer {
  const { config, logger } = services;
  return createYoga<ServerContext, GraphQLContext>({
    schema,
    logging: logger,
    maskedErrors: config.isProduction,
    plugins: graphqlProtections(config.isProduction),
    landingPage: false,
    // GraphiQL only in development; it sends the session's CSRF token like the client does.
    graphiql: config.isProduction
      ? false
      : (_request, context) => ({
          title: "Bharat CRM GraphQL",
          subscriptionsProtocol: "WS",
          headers: JSON.stringify({ "X-CSRF-Token": ("req" in context && context.req.viewer?.csrfToken) || "" }),
        }),
    context: (initial) =>
      "viewer" in initial
        ? { ...services, viewer: initial.viewer, publicUrl: config.PUBLIC_URL ?? "", sessionId: null }
        : {
            ...services,
            viewer: viewerOf(initial.req),
            publicUrl: config.PUBLIC_URL ?? `${initial.req.protocol}://${initial.req.host}`,
            sessionId: initial.req.sessionId,
          },
  });
}

/** Mounts Yoga at /graphql, behind the same authentication as the REST routes. */
export function registerGraphQLRoute(app: FastifyInstance, yoga: GraphQLServer, isProduction: boolean) {
  app.route({
    url: yoga.graphqlEndpoint,
    method: ["GET", "POST", "OPTIONS"],
    // GraphiQL's page is inline HTML: the strict policy of the client pages would blank it.
    helmet: { contentSecurityPolicy: isProduction },
    handler: async (req, reply) => {
      const response = await yoga.handleNodeRequestAndResponse(req, reply, { req, reply });
      response.headers.forEach((value, key) => reply.header(key, value));
      reply.status(response.status);
      reply.send(response.body);
      return reply;
    },
  });
}
