import type { FastifyInstance, FastifyRequest } from "fastify";
import { RateLimiterMemory } from "rate-limiter-flexible";
import { sendError } from "./error.ts";
import { isWellFormedSignature, SIGNATURE_HEADER } from "../whatsapp/signature.ts";

export interface WebhookGuardOptions {
  /** The POST route Meta delivers to. */
  path: string;
  /** Meta's largest body: a larger declared Content-Length is refused unread. */
  bodyLimitBytes: number;
  /** When set, a POST without a signature header cannot be Meta's and is refused unread. */
  appSecret: string | undefined;
  /** WEBHOOK_RATE_LIMIT_PER_MINUTE: refused requests per address before its unsigned ones get 429. */
  refusalsPerMinute: number;
}

/**
 * Meta's door, guarded before any byte of a body is read. A POST declaring more than Meta's
 * largest body, or carrying no well-formed signature when an app secret is set, cannot be Meta's:
 * it is refused at once (413, 401) and its connection closed. Every refused POST counts against its
 * address; past a sixtieth of `refusalsPerMinute` in one second, that address's unsigned POSTs are
 * answered 429 with Retry-After for the rest of the second.
 *
 * A POST that carries a signature is always read and verified, never answered 429 here: only
 * Meta can sign, so these are not a storm to cut, and an attacker sharing Meta's address (the
 * same proxy) cannot get Meta's deliveries refused. Their bodies are bounded by the size limit,
 * the public body timeout and the per-address upload cap (connection-limits.ts).
 */
export function guardWebhook(app: FastifyInstance, options: WebhookGuardOptions) {
  const refusalsPerSecond = Math.max(1, Math.ceil(options.refusalsPerMinute / 60));
  const refusals = new RateLimiterMemory({ points: refusalsPerSecond, duration: 1 });
  const isDelivery = (request: FastifyRequest) => request.method === "POST" && request.routeOptions.url === options.path;

  app.addHook("onRequest", async (request, reply) => {
    if (!isDelivery(request)) return;
    const declaredLength = Number(request.headers["content-length"]);
    if (declaredLength > options.bodyLimitBytes) {
      return sendError(reply, 413, `Webhook bodies are at most ${options.bodyLimitBytes} bytes`);
    }
    if (isWellFormedSignature(request.headers[SIGNATURE_HEADER])) return;
    const counted = await refusals.get(request.ip);
    if (counted && counted.consumedPoints >= refusalsPerSecond) {
      const waitSeconds = Math.max(1, Math.ceil(counted.msBeforeNext / 1000));
      reply.header("retry-after", waitSeconds);
      return sendError(reply, 429, `Too many refused webhook requests: try again in ${waitSeconds} s`);
    }
    if (options.appSecret) return sendError(reply, 401, "Missing or malformed X-Hub-Signature-256");
  });

  app.addHook("onResponse", async (request, reply) => {
    if (!isDelivery(request) || reply.statusCode < 400 || reply.statusCode >= 500 || reply.statusCode === 429) return;
    // A spent budget rejects the promise: that only means the address is already being slowed.
    await refusals.consume(request.ip).catch(() => undefined);
  });
}
