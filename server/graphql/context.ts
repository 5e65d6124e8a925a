import type { FastifyReply, FastifyRequest } from "fastify";
import type { YogaServerInstance } from "graphql-yoga";
import type { AppServices } from "../app-services.ts";
import type { Viewer } from "../auth/auth.service.ts";

/** What every resolver gets. `/graphql` refuses anonymous callers, so `viewer` is always set. */
export interface GraphQLContext extends AppServices {
  viewer: Viewer;
  /** Where people open the product (PUBLIC_URL, else the address this request came to): links start with it. */
  publicUrl: string;
  /** The browser session the request came with (null for API tokens and sockets). */
  sessionId: string | null;
}

/** HTTP requests bring Fastify's request; WebSocket operations bring the socket's viewer. */
export type ServerContext = { req: FastifyRequest; reply: FastifyReply } | { viewer: Viewer };

/** Yoga, as the HTTP route and the WebSocket server both execute through it. */
export type GraphQLServer = YogaServerInstance<ServerContext, GraphQLContext>;
