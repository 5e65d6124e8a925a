import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { createYoga } from "graphql-yoga";
import type { AppServices } from "../app-services.ts";
import { viewerOf } from "../auth/http-auth.ts";
import type { GraphQLContext, GraphQLServer, ServerContext } from "./context.ts";
import { registerGraphiQLAssets, renderGraphiQLPage } from "./graphiql.ts";
import { graphqlProtections } from "./limits.ts";
import { schema } from "./schema.ts";

export function createGraphQLServer(services: AppServices): GraphQLServer {
  const { config, logger } = services;
  return createYoga<ServerContext, GraphQLContext>({
    schema,
    logging: logger,
    maskedErrors: config.isProduction,
    plugins: graphqlProtections(config.isProduction),
    landingPage: false,
    cors: corsFor(config.CORS_ORIGINS),
    // GraphiQL only in development; it sends the session's CSRF token like the client does.
    graphiql: config.isProduction
      ? false
      : (_request, context) => ({
          title: "Bharat CRM GraphQL",
          subscriptionsProtocol: "WS",
          headers: JSON.stringify({ "X-CSRF-Token": ("req" in context && context.req.viewer?.csrfToken) || "" }),
        }),
    renderGraphiQL: renderGraphiQLPage,
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

/**
 * CORS for browsers on other origins. Yoga's default reflects any Origin with credentials, which
 * let a page on another port of the same host read an agent's data with the agent's cookie.
 * Only the origins in CORS_ORIGINS are answered, with credentials; any other gets no CORS
 * headers, so its browser keeps the answer from it. The product's own pages are same-origin
 * and need none.
 */
function corsFor(allowedOrigins: string[]) {
  return (request: Request) => {
    const origin = request.headers.get("origin");
    if (!origin || !allowedOrigins.includes(origin)) return false;
    return { origin: [origin], credentials: true, methods: ["GET", "POST"], allowedHeaders: ["content-type", "authorization", "x-csrf-token"] };
  };
}

/**
 * Mounts Yoga at /graphql, behind the same authentication as the REST routes; in development
 * also GraphiQL's files, and a logged-out browser opening GraphiQL is sent to the login page.
 */
export function registerGraphQLRoute(app: FastifyInstance, yoga: GraphQLServer, isProduction: boolean) {
  if (!isProduction) registerGraphiQLAssets(app);
  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const response = await yoga.handleNodeRequestAndResponse(req, reply, { req, reply });
    response.headers.forEach((value, key) => reply.header(key, value));
    reply.status(response.status);
    reply.send(response.body);
    return reply;
  };
  app.route({ url: yoga.graphqlEndpoint, method: ["GET", "POST"], config: { browserPage: !isProduction }, handler });
  // A CORS preflight never carries credentials: it is answered (by the origin rule above) unauthenticated.
  app.route({ url: yoga.graphqlEndpoint, method: "OPTIONS", config: { public: true }, handler });
}
