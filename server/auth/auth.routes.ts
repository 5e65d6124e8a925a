import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { Config } from "../config.ts";
import type { Database } from "../db/client.ts";
import type { InboxPubSub } from "../realtime/pubsub.ts";
import { login, logout } from "./auth.service.ts";
import { SESSION_COOKIE, sendError, viewerOf } from "./http-auth.ts";
import { DEACTIVATED_MESSAGE, signedIn } from "./session-cookie.ts";

const loginBody = z.object({ email: z.string().min(1).max(320), password: z.string().min(1).max(1024) });

/** Login attempts per client address and email: enough for typos, too few for guessing. */
const LOGIN_ATTEMPTS_PER_MINUTE = 10;

export function registerAuthRoutes(app: FastifyInstance, db: Database, config: Config, pubsub: InboxPubSub) {
  app.post(
    "/api/auth/login",
    {
      config: {
        public: true,
        rateLimit: {
          max: LOGIN_ATTEMPTS_PER_MINUTE,
          timeWindow: 60_000,
          keyGenerator: (request) => {
            const email = (request.body as { email?: unknown } | undefined)?.email;
            return `${request.ip}:${typeof email === "string" ? email.toLowerCase() : ""}`;
          },
        },
      },
    },
    async (request, reply) => {
      const body = loginBody.safeParse(request.body);
      if (!body.success) return sendError(reply, 400, "Email and password are required");
      const result = await login(db, body.data.email, body.data.password, config.SESSION_TTL_HOURS);
      if ("refused" in result) {
        return sendError(reply, 401, result.refused === "deactivated" ? DEACTIVATED_MESSAGE : "Wrong email or password");
      }
      return signedIn(reply, config, result);
    },
  );

  app.post("/api/auth/logout", { config: { public: true } }, async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token) await logout(db, pubsub, token);
    reply.clearCookie(SESSION_COOKIE, { path: "/" });
    return { success: true };
  });

  /** Tells the browser whether it is signed in, and the CSRF token its writes must send. */
  app.get("/api/auth/session", async (request) => {
    const viewer = viewerOf(request);
    const user = await db.user.findUniqueOrThrow({ where: { id: viewer.userId } });
    return {
      success: true,
      csrfToken: viewer.csrfToken,
      user: { id: user.id, name: user.name, email: user.email, role: user.role },
    };
  });
}
