import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { sendError } from "../auth/http-auth.ts";
import { signedIn } from "../auth/session-cookie.ts";
import type { Config } from "../config.ts";
import { ValidationError } from "../errors.ts";
import { acceptInvite, describeInvite, InviteUnusableError, signup, type TeamDeps } from "./team.service.ts";

/** Like login: attempts per client address and link (or email), enough for typos, too few for guessing. */
const ATTEMPTS_PER_MINUTE = 10;
function limitedPer(field: "token" | "email") {
  return {
    max: ATTEMPTS_PER_MINUTE,
    timeWindow: 60_000,
    keyGenerator: (request: FastifyRequest) => {
      const body = request.body as Record<string, unknown> | undefined;
      const params = request.params as Record<string, unknown> | undefined;
      const value = body?.[field] ?? params?.[field];
      return `${request.ip}:${typeof value === "string" ? value.toLowerCase() : ""}`;
    },
  };
}

const acceptBody = z.object({ token: z.string().min(1).max(200), password: z.string().max(4096) });
const signupBody = z.object({
  workspaceName: z.string().max(1000),
  name: z.string().max(1000),
  email: z.string().max(1000),
  password: z.string().max(4096),
});

/** Expected refusals of these routes, each with a message the page shows as it is. */
function refuse(reply: FastifyReply, error: unknown) {
  if (error instanceof InviteUnusableError) return sendError(reply, 410, error.message);
  if (error instanceof ValidationError) return reply.status(400).send({ success: false, error: error.message, fieldErrors: error.fieldErrors });
  throw error;
}

/** The public doors of teams: joining through a link, and (with ALLOW_SIGNUP) a new business signing up. */
export function registerTeamRoutes(app: FastifyInstance, deps: TeamDeps, config: Config) {
  app.get<{ Params: { token: string } }>(
    "/api/auth/invite/:token",
    { config: { public: true, rateLimit: limitedPer("token") } },
    async (request, reply) => {
      try {
        return { success: true, invite: await describeInvite(deps.db, request.params.token) };
      } catch (error) {
        return refuse(reply, error);
      }
    },
  );

  app.post("/api/auth/accept-invite", { config: { public: true, rateLimit: limitedPer("token") } }, async (request, reply) => {
    const body = acceptBody.safeParse(request.body);
    if (!body.success) return sendError(reply, 400, "The link's token and a password are required");
    try {
      const session = await acceptInvite(deps, body.data.token, body.data.password, config.SESSION_TTL_HOURS);
      return signedIn(reply, config, session);
    } catch (error) {
      return refuse(reply, error);
    }
  });

  app.post("/api/auth/signup", { config: { public: true, rateLimit: limitedPer("email") } }, async (request, reply) => {
    if (!config.ALLOW_SIGNUP) return sendError(reply, 404, "Sign-up is turned off on this server: ask its admin for an invitation");
    const body = signupBody.safeParse(request.body);
    if (!body.success) return sendError(reply, 400, "workspaceName, name, email and password are required");
    try {
      const session = await signup(deps.db, body.data, config.SESSION_TTL_HOURS);
      return reply.status(201).send(signedIn(reply, config, session));
    } catch (error) {
      return refuse(reply, error);
    }
  });

  /** Tells the sign-up page whether to offer itself. */
  app.get("/api/auth/signup", { config: { public: true } }, async () => ({ success: true, allowed: config.ALLOW_SIGNUP }));
}
