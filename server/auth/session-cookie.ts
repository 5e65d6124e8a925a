import type { FastifyReply } from "fastify";
import type { Config } from "../config.ts";
import type { StartedSession } from "./auth.service.ts";
import { SESSION_COOKIE } from "./http-auth.ts";

export const DEACTIVATED_MESSAGE = "This account has been deactivated. Ask an admin of your workspace to reactivate it.";

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
