import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Database } from "../db/client.ts";
import { sendError } from "../http/error.ts";
import type { Config } from "../config.ts";
import { authenticateSession, viewerFromApiToken, type StartedSession, type Viewer } from "./auth.service.ts";
import { tokensEqual } from "./tokens.ts";

export const SESSION_COOKIE = "bcrm_session";
export const CSRF_HEADER = "x-csrf-token";

declare module "fastify" {
  interface FastifyRequest {
    viewer: Viewer | null;
    /** The browser session that authenticated the request, if it came with the cookie. */
    sessionId: string | null;
  }
  interface FastifyContextConfig {
    /** Routes that answer anonymous callers (login, health, the webhook Meta calls). */
    public?: boolean;
    /** A page a browser opens (GraphiQL): a logged-out browser is sent to the login page, not answered JSON. */
    browserPage?: boolean;
  }
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The caller of a non-public route: the preHandler has already refused anonymous ones. */
export function viewerOf(request: FastifyRequest): Viewer {
  if (!request.viewer) throw new Error(`${request.url} is public: it has no viewer`);
  return request.viewer;
}

async function resolveViewer(db: Database, request: FastifyRequest, reply: FastifyReply) {
  const authorization = request.headers.authorization;
  if (authorization) {
    const [scheme, token] = authorization.split(" ");
    const viewer = scheme?.toLowerCase() === "bearer" && token ? await viewerFromApiToken(db, token) : null;
    if (!viewer) sendError(reply, 401, "Invalid, expired or revoked API token");
    return viewer;
  }
  const sessionToken = request.cookies[SESSION_COOKIE];
  if (!sessionToken) return null;
  const authentication = await authenticateSession(db, sessionToken);
  if (!authentication) reply.clearCookie(SESSION_COOKIE, { path: "/" });
  request.sessionId = authentication?.credential.id ?? null;
  return authentication?.viewer ?? null;
}

/**
 * Authenticates every request once: an API token (`Authorization: Bearer`) or the session
 * cookie. Cookie-authenticated writes must carry the session's CSRF token; `X-User-Id`, a
 * header older integrations send, is only accepted when it names the authenticated user.
 */
export function registerAuthentication(app: FastifyInstance, db: Database) {
  app.decorateRequest("viewer", null);
  app.decorateRequest("sessionId", null);
  // From the headers alone, before any body is read: a stranger's body is never read at all.
  app.addHook("onRequest", async (request, reply) => {
    const viewer = await resolveViewer(db, request, reply);
    if (reply.sent) return reply;
    request.viewer = viewer;

    const claimedUserId = request.headers["x-user-id"];
    if (claimedUserId !== undefined && !viewer) {
      return sendError(reply, 401, "Authentication required: X-User-Id is not a credential; log in or send an API token");
    }
    if (claimedUserId !== undefined && claimedUserId !== viewer?.userId) {
      return sendError(reply, 403, "X-User-Id does not match the authenticated user");
    }
    if (request.routeOptions.config.public) return;
    if (!viewer) {
      if (request.routeOptions.config.browserPage && request.method === "GET" && request.headers.accept?.includes("text/html")) {
        return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`);
      }
      return sendError(reply, 401, "Authentication required: log in or send an API token");
    }
    if (viewer.csrfToken && !SAFE_METHODS.has(request.method)) {
      const sent = request.headers[CSRF_HEADER];
      if (typeof sent !== "string" || !tokensEqual(sent, viewer.csrfToken)) {
        return sendError(reply, 403, "Missing or invalid CSRF token");
      }
    }
  });
}

/**
 * The answer of every route that signs someone in (login, accepting an invitation, sign-up):
 * the HttpOnly session cookie, and the CSRF token the browser's writes must echo.
 */
export function signedIn(reply: FastifyReply, config: Config, session: StartedSession) {
  reply.setCookie(SESSION_COOKIE, session.sessionToken, {
    path: "/",
    httpOnly: true,
    sameSite: "lax",
    secure: config.cookieSecure,
    expires: session.expiresAt,
  });
  const { user } = session;
  return { success: true, csrfToken: session.csrfToken, user: { id: user.id, name: user.name, email: user.email, role: user.role } };
}
