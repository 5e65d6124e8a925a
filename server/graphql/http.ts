import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { createYoga } from "graphql-yoga";
import { viewerOf } from "../auth/http-auth.ts";
import type { Config } from "../config.ts";
import type { Database } from "../db/client.ts";
import type { Logger } from "../logger.ts";
import type { GraphQLContext } from "./context.ts";
import { schema } from "./schema.ts";

interface ServerContext {
  req: FastifyRequest;
  reply: FastifyReply;
}

/** Mounts GraphQL Yoga at /graphql behind the same authentication as the REST routes. */
export function registerGraphQL(app: FastifyInstance, db: Database, config: Config, logger: Logger) {
  const yoga = createYoga<ServerContext, GraphQLContext>({
    schema,
    logging: logger,
    maskedErrors: config.isProduction,
    landingPage: false,
    // GraphiQL only in development; it sends the session's CSRF token like the client does.
    graphiql: config.isProduction
      ? false
      : (_request, { req }) => ({
          title: "Bharat CRM GraphQL",
          headers: JSON.stringify({ "X-CSRF-Token": req.viewer?.csrfToken ?? "" }),
        }),
    context: ({ req }) => ({ db, config, viewer: viewerOf(req) }),
  });

  app.route({
    url: yoga.graphqlEndpoint,
    method: ["GET", "POST", "OPTIONS"],
    // GraphiQL's page is inline HTML: the strict policy of the client pages would blank it.
    helmet: { contentSecurityPolicy: config.isProduction },
    handler: async (req, reply) => {
      const response = await yoga.handleNodeRequestAndResponse(req, reply, { req, reply });
      response.headers.forEach((value, key) => reply.header(key, value));
      reply.status(response.status);
      reply.send(response.body);
      return reply;
    },
  });
}
