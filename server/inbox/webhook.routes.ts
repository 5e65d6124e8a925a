import type { FastifyInstance } from "fastify";
import { sendError } from "../http/error.ts";
import type { Config } from "../config.ts";
import type { Database } from "../db/client.ts";
import { exceedsDepth, hasPrototypeKeys, MAX_JSON_DEPTH, PROTOTYPE_KEYS_MESSAGE, replaceMalformedText } from "../http/json-input.ts";
import type { Logger } from "../logger.ts";
import type { WorkspaceEvent } from "../realtime/events.ts";
import { publishInboxEvents, type InboxPubSub } from "../realtime/pubsub.ts";
import type { ConversationMirror } from "../storage/conversation-files.ts";
import { verifySignature, verifyTokenMatches } from "../whatsapp/signature.ts";
import { parseWebhook, WebhookShapeError } from "../whatsapp/webhook.ts";
import { applyTemplateStatusEvents, type TemplateCatalog } from "../templates/templates.service.ts";
import type { AutoReplyRunner } from "./auto-replies.ts";
import { ingestWebhookEvents, type IngestResult } from "./ingest.ts";
import { ownsConfiguredNumber } from "../business-number/business-number.ts";

/** @default 3 MB — Meta's largest webhook body. */
export const WEBHOOK_BODY_LIMIT_BYTES = 3 * 1024 * 1024;

export const WEBHOOK_PATH = "/api/whatsapp/webhook";

export interface WebhookDependencies {
  db: Database;
  config: Config;
  logger: Logger;
  pubsub: InboxPubSub;
  mirror: ConversationMirror;
  /** Fetches templates a status webhook names but the cache does not have yet. */
  templates?: TemplateCatalog;
  /** Answers the newly received messages by the workspace's auto-reply rules (autoreply/). */
  autoReplies?: AutoReplyRunner;
}

/**
 * Meta's door: the verification handshake (GET) and signed deliveries (POST). A POST is
 * answered 200 only once everything in it is committed; any failure to store answers 500
 * so that Meta delivers it again. Live events and file mirroring follow the commit.
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
      const query = request.query as Record<string, string | undefined>;
      const expected = config.WHATSAPP_WEBHOOK_VERIFY_TOKEN;
      if (query["hub.mode"] === "subscribe" && verifyTokenMatches(query["hub.verify_token"], expected)) {
        return reply.type("text/plain").send(query["hub.challenge"] ?? "");
      }
      return sendError(reply, 403, "Webhook verification failed: wrong hub.verify_token");
    });

    // Guarded before the body is read (http/webhook-guard.ts); public: its sender is known only from the body's signature.
    webhook.post(WEBHOOK_PATH, { config: { public: true } }, async (request, reply) => {
      const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const refusal = checkSignature(config, rawBody, request.headers["x-hub-signature-256"]);
      if (refusal) return sendError(reply, refusal.status, refusal.error);

      let events;
      try {
        const body: unknown = JSON.parse(rawBody.toString("utf8"));
        if (exceedsDepth(body)) return sendError(reply, 400, `Unexpected webhook payload: nested more than ${MAX_JSON_DEPTH} levels deep`);
        if (hasPrototypeKeys(body)) return sendError(reply, 400, `Unexpected webhook payload: ${PROTOTYPE_KEYS_MESSAGE}`);
        replaceMalformedText(body);
        events = parseWebhook(body);
      } catch (error) {
        if (error instanceof WebhookShapeError) return sendError(reply, 400, `Unexpected webhook payload: ${error.message}`);
        return sendError(reply, 400, "Malformed JSON");
      }

      let result: IngestResult;
      let templates: Awaited<ReturnType<typeof applyTemplateStatusEvents>>;
      try {
        result = await ingestWebhookEvents(deps.db, events);
        templates = await applyTemplateStatusEvents(deps.db, events.filter((event) => event.kind === "templateStatus"));
      } catch (error) {
        request.log.error({ err: error }, "Could not store a webhook delivery; Meta will retry it");
        return sendError(reply, 500, "Could not store the delivery; retry later");
      }
      await reply.send({ success: true });
      afterCommit(deps, result, events.filter((event) => event.kind === "other").map((event) => event.field));
      for (const workspaceId of templates.unknown) void syncUnknownTemplates(deps, workspaceId);
      return reply;
    });
  });
}

/** A status for a template created at Meta since the last sync: fetch the list, in the background. */
async function syncUnknownTemplates(deps: WebhookDependencies, workspaceId: string) {
  if (!deps.templates || !(await ownsConfiguredNumber(deps.db, deps.config, workspaceId))) return;
  await deps.templates.sync(workspaceId).catch((error: Error) => deps.logger.warn({ err: error }, "Could not sync the message templates"));
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

/** Live events, file mirroring and the log line per message — never before the commit. */
function afterCommit(deps: WebhookDependencies, result: IngestResult, otherFields: string[]) {
  const events: WorkspaceEvent[] = [
    ...result.received.map(({ workspaceId, conversationId, messageId }) => ({
      workspaceId,
      event: { type: "messageAdded" as const, conversationId, messageId },
    })),
    ...result.statusChanges.map(({ workspaceId, conversationId, messageId, status }) => ({
      workspaceId,
      event: { type: "messageStatusChanged" as const, conversationId, messageId, status },
    })),
    ...result.conversations.map(({ workspaceId, conversationId }) => ({
      workspaceId,
      event: { type: "conversationUpdated" as const, conversationId },
    })),
  ];
  publishInboxEvents(deps.pubsub, events);
  for (const conversationId of new Set(events.map(({ event }) => event.conversationId))) deps.mirror.schedule(conversationId);

  for (const message of result.received) deps.logger.info(`Received message from +${message.waId}: ${message.preview}`);
  // Only new messages: a re-delivered one is a duplicate, answered (or not) when it first came.
  deps.autoReplies?.handle(result.received);
  if (result.unrouted > 0) deps.logger.warn({ count: result.unrouted }, "Webhook changes for a business number no workspace owns: kept in the unrouted log");
  if (otherFields.length > 0) deps.logger.info({ fields: otherFields }, "Webhook changes of fields the inbox does not handle");
}
