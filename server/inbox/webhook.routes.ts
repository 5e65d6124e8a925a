import type { FastifyInstance } from "fastify";
import { deliveryTimeline } from "../http/delivery-timing.ts";
import { sendError } from "../http/error.ts";
import type { Config } from "../config.ts";
import { exceedsDepth, hasPrototypeKeys, MAX_JSON_DEPTH, PROTOTYPE_KEYS_MESSAGE, replaceMalformedText } from "../http/json-input.ts";
import type { Logger } from "../logger.ts";
import { verifySignature, verifyTokenMatches } from "../whatsapp/signature.ts";
import { parseWebhook, WebhookShapeError } from "../whatsapp/webhook.ts";
import type { ReceiveDelivery } from "./receive-delivery.ts";

/** @default 3 MB — Meta's largest webhook body. */
export const WEBHOOK_BODY_LIMIT_BYTES = 3 * 1024 * 1024;

export const WEBHOOK_PATH = "/api/whatsapp/webhook";

export interface WebhookDependencies {
  config: Config;
  logger: Logger;
  receiveDelivery: ReceiveDelivery;
}

/**
 * Meta's door: the verification handshake (GET) and signed deliveries (POST). A POST is
 * verified, parsed into events (whatsapp/) and received (receive-delivery.ts); it is answered
 * 200 only once everything in it is committed, and 500 on any failure to store, so that Meta
 * delivers it again.
 */
export async function registerWebhookRoutes(app: FastifyInstance, deps: WebhookDependencies) {
  const { config, logger } = deps;
  if (!config.WHATSAPP_APP_SECRET) {
    logger.warn(
      config.WHATSAPP_ALLOW_UNSIGNED_WEBHOOKS
        ? "WHATSAPP_ALLOW_UNSIGNED_WEBHOOKS is on: webhooks are accepted without a signature (local development only)"
        : "WHATSAPP_APP_SECRET is not set: webhook deliveries are refused until it is",
    );
  }

  await app.register(async (webhook) => {
    // The signature covers the exact bytes Meta sent: keep them, parse JSON only after verifying.
    webhook.removeAllContentTypeParsers();
    webhook.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: WEBHOOK_BODY_LIMIT_BYTES }, (_request, body, done) =>
      done(null, body),
    );

    // Not logged below warn: the query string carries the verify token, and Fastify logs URLs.
    webhook.get(WEBHOOK_PATH, { logLevel: "warn" }, async (request, reply) => {
      const refusal = checkHandshake(config, request.query as Record<string, unknown>);
      if (refusal) return sendError(reply, refusal.status, `Webhook verification failed: ${refusal.error}`);
      return reply.type("text/plain").send((request.query as Record<string, string>)["hub.challenge"]);
    });

    // Guarded before the body is read (http/webhook-guard.ts); public: its sender is known only from the body's signature.
    webhook.post(WEBHOOK_PATH, { config: { public: true } }, async (request, reply) => {
      const timeline = deliveryTimeline(request);
      timeline?.mark("handler start");
      const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const refusal = checkSignature(config, rawBody, request.headers["x-hub-signature-256"]);
      if (refusal) return sendError(reply, refusal.status, refusal.error);
      timeline?.mark("signature");

      let events;
      try {
        const body: unknown = JSON.parse(rawBody.toString("utf8"));
        if (exceedsDepth(body)) return sendError(reply, 400, `Unexpected webhook payload: nested more than ${MAX_JSON_DEPTH} levels deep`);
        if (hasPrototypeKeys(body)) return sendError(reply, 400, `Unexpected webhook payload: ${PROTOTYPE_KEYS_MESSAGE}`);
        replaceMalformedText(body);
        timeline?.mark("JSON parse");
        events = parseWebhook(body);
        timeline?.mark("validation");
      } catch (error) {
        if (error instanceof WebhookShapeError) return sendError(reply, 400, `Unexpected webhook payload: ${error.message}`);
        return sendError(reply, 400, "Malformed JSON");
      }

      try {
        await deps.receiveDelivery(events, () => reply.send({ success: true }), timeline);
      } catch (error) {
        request.log.error({ err: error }, "Could not store a webhook delivery; Meta will retry it");
        return sendError(reply, 500, "Could not store the delivery; retry later");
      }
      return reply;
    });
  });
}

const HANDSHAKE_PARAMETERS = ["hub.mode", "hub.verify_token", "hub.challenge"] as const;

/**
 * Meta's verification GET, each failure named as precisely as is safe: a missing parameter, a
 * mode other than Meta's, or a token that does not match — never echoing the token received.
 */
function checkHandshake(config: Config, query: Record<string, unknown>) {
  const missing = HANDSHAKE_PARAMETERS.filter((name) => typeof query[name] !== "string" || query[name] === "");
  if (missing.length > 0) {
    return { status: 400, error: `missing ${missing.join(", ")} — this address answers Meta's webhook verification, which sends hub.mode, hub.verify_token and hub.challenge once each` };
  }
  if (query["hub.mode"] !== "subscribe") return { status: 400, error: `hub.mode must be "subscribe"` };
  if (!config.WHATSAPP_WEBHOOK_VERIFY_TOKEN) return { status: 403, error: "WHATSAPP_WEBHOOK_VERIFY_TOKEN is not set on this server" };
  if (!verifyTokenMatches(query["hub.verify_token"], config.WHATSAPP_WEBHOOK_VERIFY_TOKEN)) {
    return { status: 403, error: "hub.verify_token does not match WHATSAPP_WEBHOOK_VERIFY_TOKEN" };
  }
  return null;
}

function checkSignature(config: Config, rawBody: Buffer, header: string | string[] | undefined) {
  const secret = config.WHATSAPP_APP_SECRET;
  if (!secret) {
    return config.WHATSAPP_ALLOW_UNSIGNED_WEBHOOKS
      ? null
      : { status: 503, error: "Webhook signatures cannot be verified: WHATSAPP_APP_SECRET is not set" };
  }
  if (typeof header !== "string" || header === "") return { status: 401, error: "Missing X-Hub-Signature-256" };
  if (!verifySignature(rawBody, header, secret)) return { status: 403, error: "Invalid X-Hub-Signature-256" };
  return null;
}
