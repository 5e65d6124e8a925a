import type { IncomingMessage } from "node:http";
import { fastifyCookie } from "@fastify/cookie";
import type { Database } from "../db/client.ts";
import { authenticateApiToken, authenticateSession, type Authentication } from "./auth.service.ts";
import { SESSION_COOKIE } from "./http-auth.ts";

/** Checks a socket's credential against the database, as HTTP checks every request: at connect, and again before operations. */
export type SocketAuthenticator = () => Promise<Authentication | null>;

/**
 * The credential a GraphQL WebSocket brought: an API token in `connectionParams` (`{ authorization:
 * "Bearer …" }` or `{ token }`), else the session cookie of the upgrade request — accepted only
 * from a page of our own origin, since browsers send cookies with cross-site sockets too. Null
 * when it brought none. The socket keeps the authenticator, so that a credential revoked or
 * expired later is refused on it too.
 */
export function socketAuthenticator(
  db: Database,
  request: IncomingMessage,
  connectionParams: Readonly<Record<string, unknown>> | undefined,
): SocketAuthenticator | null {
  const bearer = connectionParams?.authorization ?? connectionParams?.Authorization;
  const token = typeof bearer === "string" ? /^Bearer\s+(\S+)$/i.exec(bearer)?.[1] : connectionParams?.token;
  if (typeof token === "string" && token) return () => authenticateApiToken(db, token);

  const sessionToken = fastifyCookie.parse(request.headers.cookie ?? "")[SESSION_COOKIE];
  if (!sessionToken || !isSameOrigin(request)) return null;
  return () => authenticateSession(db, sessionToken);
}

function isSameOrigin(request: IncomingMessage) {
  const { origin, host } = request.headers;
  if (!origin || !host) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
