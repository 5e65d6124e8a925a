import type { IncomingMessage } from "node:http";
import { fastifyCookie } from "@fastify/cookie";
import type { Database } from "../db/client.ts";
import { viewerFromApiToken, viewerFromSession, type Viewer } from "./auth.service.ts";
import { SESSION_COOKIE } from "./http-auth.ts";

/**
 * Authenticates a GraphQL WebSocket: an API token in `connectionParams` (`{ authorization:
 * "Bearer …" }` or `{ token }`), else the session cookie of the upgrade request — accepted only
 * from a page of our own origin, since browsers send cookies with cross-site sockets too.
 */
export async function authenticateSocket(
  db: Database,
  request: IncomingMessage,
  connectionParams: Readonly<Record<string, unknown>> | undefined,
): Promise<Viewer | null> {
  const bearer = connectionParams?.authorization ?? connectionParams?.Authorization;
  const token = typeof bearer === "string" ? /^Bearer\s+(\S+)$/i.exec(bearer)?.[1] : connectionParams?.token;
  if (typeof token === "string" && token) return viewerFromApiToken(db, token);

  const sessionToken = fastifyCookie.parse(request.headers.cookie ?? "")[SESSION_COOKIE];
  if (!sessionToken || !isSameOrigin(request)) return null;
  return viewerFromSession(db, sessionToken);
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
