import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { createLoginLimits } from "../auth/login-limits.ts";
import { normalizeEmail } from "../auth/email.ts";
import { signedIn } from "../auth/http-auth.ts";
import type { Config } from "../config.ts";
import { sendError } from "../http/error.ts";
import { acceptInvite, describeInvite, signup, type TeamDeps } from "./team.service.ts";

const acceptBody = z.object({ token: z.string().min(1).max(200), password: z.string().max(4096) });
const signupBody = z.object({
  workspaceName: z.string().max(1000),
  name: z.string().max(1000),
  email: z.string().max(1000).transform(normalizeEmail),
  password: z.string().max(4096),
});

/**
 * The public doors of teams: joining through a link, and (with ALLOW_SIGNUP) a new business
 * signing up. Limited like login — failures per address and link (or email), and per address —
 * so a link's secret cannot be guessed and sign-ups cannot be sprayed. Refusals (a used link,
 * invalid fields) are expected errors: the one error handler answers them.
 */
export function registerTeamRoutes(app: FastifyInstance, deps: TeamDeps, config: Config) {
  const linkLimits = createLoginLimits();
  const signupLimits = createLoginLimits();

  /** Runs `attempt` within the address's budget for `key`; a success gives its attempt back. */
  async function limited<T>(request: FastifyRequest, reply: FastifyReply, limits: typeof linkLimits, key: string, attempt: () => Promise<T>) {
    const waitSeconds = await limits.take(request.ip, key);
    if (waitSeconds !== null) {
      reply.header("retry-after", waitSeconds);
      return sendError(reply, 429, `Too many attempts: try again in ${waitSeconds} s`);
    }
    const result = await attempt();
    await limits.giveBack(request.ip, key);
    return result;
  }

  app.get<{ Params: { token: string } }>("/api/auth/invite/:token", { config: { public: true } }, async (request, reply) =>
    limited(request, reply, linkLimits, request.params.token, async () => ({
      success: true,
      invite: await describeInvite(deps.db, request.params.token),
    })),
  );

  app.post("/api/auth/accept-invite", { config: { public: true } }, async (request, reply) => {
    const body = acceptBody.safeParse(request.body);
    if (!body.success) return sendError(reply, 400, "The link's token and a password are required");
    const { token, password } = body.data;
    return limited(request, reply, linkLimits, token, async () =>
      signedIn(reply, config, await acceptInvite(deps, token, password, config.SESSION_TTL_HOURS)),
    );
  });

  app.post("/api/auth/signup", { config: { public: true } }, async (request, reply) => {
    if (!config.ALLOW_SIGNUP) return sendError(reply, 404, "Sign-up is turned off on this server: ask its admin for an invitation");
    const body = signupBody.safeParse(request.body);
    if (!body.success) return sendError(reply, 400, "workspaceName, name, email and password are required");
    return limited(request, reply, signupLimits, body.data.email, async () =>
      reply.status(201).send(signedIn(reply, config, await signup(deps.db, body.data, config.SESSION_TTL_HOURS))),
    );
  });

  /** Tells the sign-up page whether to offer itself. */
  app.get("/api/auth/signup", { config: { public: true } }, async () => ({ success: true, allowed: config.ALLOW_SIGNUP }));
}
