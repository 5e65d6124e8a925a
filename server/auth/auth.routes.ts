import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { Config } from "../config.ts";
import type { Database } from "../db/client.ts";
import type { InboxPubSub } from "../realtime/pubsub.ts";
import { DEACTIVATED_MESSAGE, login, logout } from "./auth.service.ts";
import { sendError } from "../http/error.ts";
import { normalizeEmail } from "./email.ts";
import { createLoginLimits } from "./login-limits.ts";
import { SESSION_COOKIE, signedIn, viewerOf } from "./http-auth.ts";

const loginBody = z.object({ email: z.string().min(1).max(320).transform(normalizeEmail), password: z.string().min(1).max(1024) });

export function registerAuthRoutes(app: FastifyInstance, db: Database, config: Config, pubsub: InboxPubSub) {
  const limits = createLoginLimits();
  app.post(
    "/api/auth/login",
    { config: { public: true } },
    async (request, reply) => {
      const body = loginBody.safeParse(request.body);
      if (!body.success) return sendError(reply, 400, "Email and password are required");
      const { email, password } = body.data;
      const waitSeconds = await limits.take(request.ip, email);
      if (waitSeconds !== null) {
        reply.header("retry-after", waitSeconds);
        return sendError(reply, 429, `Too many attempts: try again in ${waitSeconds} s`);
      }
      const result = await login(db, email, password, config.SESSION_TTL_HOURS);
      if ("refused" in result) {
        return sendError(reply, 401, result.refused === "deactivated" ? DEACTIVATED_MESSAGE : "Wrong email or password");
      }
      await limits.giveBack(request.ip, email);
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
