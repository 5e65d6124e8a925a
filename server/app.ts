import fastifyCookie from "@fastify/cookie";
import fastifyHelmet from "@fastify/helmet";
import Fastify from "fastify";
import { Redis } from "ioredis";
import { registerAuthRoutes } from "./auth/auth.routes.ts";
import { registerCampaignRoutes } from "./campaigns/campaigns.routes.ts";
import { aiSettingsOf, createAiClient } from "./autoreply/ai-client.ts";
import { createAutoReplyRunner } from "./autoreply/runner.ts";
import { bootstrapDatabase } from "./auth/bootstrap.ts";
import { registerAuthentication } from "./auth/http-auth.ts";
import { trustedProxies, type Config } from "./config.ts";
import { createDatabase } from "./db/client.ts";
import { applyMigrations } from "./db/migrate.ts";
import { createGraphQLServer, registerGraphQLRoute } from "./graphql/http.ts";
import { registerClientRoutes } from "./http/client.routes.ts";
import { limitPublicUploads, serverTimeouts } from "./http/connection-limits.ts";
import { registerErrorAnswers } from "./http/error.ts";
import { refuseMalformedText } from "./http/hardening.ts";
import { registerHealthRoutes } from "./http/health.routes.ts";
import { timeDeliveryRequests } from "./http/delivery-timing.ts";
import { guardWebhook } from "./http/webhook-guard.ts";
import { createOutbox } from "./inbox/outbox.ts";
import { createCampaignSupervisor, pauseOnQualityTrouble } from "./campaigns/supervisor.ts";
import { recordMessagingLimits } from "./campaigns/messaging-limit.ts";
import { createRedisSendPacer, createSendPacer } from "./inbox/send-pacer.ts";
import { createDeliveryReceiver } from "./inbox/receive-delivery.ts";
import { createHistoryImporter, DEFAULT_HISTORY_IMPORT_OPTIONS } from "./inbox/history-import.ts";
import { registerWebhookRoutes, WEBHOOK_BODY_LIMIT_BYTES, WEBHOOK_PATH } from "./inbox/webhook.routes.ts";
import { registerWhatsAppRoutes } from "./inbox/whatsapp.routes.ts";
import { createLogger, QuietRequestLogs, type Logger } from "./logger.ts";
import { createMediaDownloads } from "./media/media-downloads.ts";
import { adoptOldMediaFolder } from "./media/media-folder.ts";
import { mediaRoutes } from "./media/media.routes.ts";
import { createRealtime } from "./realtime/pubsub.ts";
import { registerReportRoutes } from "./reports/reports.routes.ts";
import { attachGraphQLWebSocket } from "./websocket/websocket.ts";
import { createConversationMirror } from "./storage/conversation-files.ts";
import { conversationFileThread } from "./storage/conversation-file-thread.ts";
import { applyTemplateStatusEvents } from "./templates/template-statuses.ts";
import { createTemplateCatalog } from "./templates/templates.service.ts";
import { createSecretBox, loadSecretsKey } from "./secrets/secrets.ts";
import { learnConfiguredNumber } from "./whatsapp-numbers/connect.service.ts";
import { createNumberDirectory } from "./whatsapp-numbers/number-directory.ts";
import { createMailer } from "./team/mailer.ts";
import { registerTeamRoutes } from "./team/team.routes.ts";

export interface AppOptions {
  logger?: Logger;
}

/**
 * Builds the whole server — database migrated and bootstrapped, HTTP routes, GraphQL — without
 * listening yet, so that main.ts and tests start it the same way (tests on port 0).
 */
export async function buildApp(config: Config, options: AppOptions = {}) {
  const logger = options.logger ?? createLogger(config.LOG_LEVEL, config.LOG_FORMAT);
  adoptOldMediaFolder(config.MEDIA_DIR, logger);
  const { applied } = await applyMigrations(config.DATABASE_URL);
  if (applied.length > 0) logger.info({ migrations: applied }, "Applied database migrations");
  const db = createDatabase(config.DATABASE_URL);
  await bootstrapDatabase(db, config, logger);
  const redis = config.REDIS_URL ? new Redis(config.REDIS_URL, { maxRetriesPerRequest: 3 }) : null;
  const realtime = createRealtime(redis);
  const { pubsub } = realtime;
  const mirror = createConversationMirror(db, config.CONVERSATIONS_DIR, logger, { writer: conversationFileThread(config.DATABASE_URL, config.CONVERSATIONS_DIR) });

  const numbers = createNumberDirectory({ db, config, pubsub, logger, secrets: createSecretBox(loadSecretsKey(config, logger)) });
  // With Redis the rate limit is counted for all instances together.
  const pacer = redis
    ? createRedisSendPacer(redis, config.WHATSAPP_SEND_RATE_PER_SECOND, config.WHATSAPP_API_TIMEOUT_MS, numbers.sendRateOf)
    : createSendPacer(config.WHATSAPP_SEND_RATE_PER_SECOND, numbers.sendRateOf);
  const outbox = createOutbox(
    { db, numbers, pacer, pubsub, mirror, logger },
    { retryBaseMs: config.OUTBOX_RETRY_BASE_MS, maxAttempts: config.OUTBOX_MAX_ATTEMPTS, unknownOutcomeGraceMs: config.OUTBOX_UNKNOWN_OUTCOME_GRACE_MS },
  );
  const templates = createTemplateCatalog(db, numbers);
  const mailer = config.SMTP_URL ? createMailer(config.SMTP_URL, config.SMTP_FROM, logger) : null;
  const services = { db, config, logger, pubsub, mirror, outbox, numbers, templates, mailer };
  const yoga = createGraphQLServer(services);
  const mediaDownloads = createMediaDownloads(
    { db, numbers, pubsub, logger },
    { dir: config.MEDIA_DIR, maxAttempts: config.MEDIA_MAX_DOWNLOAD_ATTEMPTS, retryBaseMs: config.MEDIA_RETRY_BASE_MS },
  );
  const ai = aiSettingsOf(config);
  const autoReplies = createAutoReplyRunner({ ...services, ai: ai && createAiClient(ai), agentActiveMinutes: config.AUTO_REPLY_AGENT_ACTIVE_MINUTES });
  const campaigns = createCampaignSupervisor(services);

  const http = Fastify({
    loggerInstance: logger,
    logController: new QuietRequestLogs(),
    trustProxy: trustedProxies(config.TRUST_PROXY),
    ...serverTimeouts(config),
  });
  // Before every other hook, so that a timed delivery's steps include them all (the benchmark only).
  timeDeliveryRequests(http, WEBHOOK_PATH);
  registerErrorAnswers(http);
  let stopping = false;
  // An answer sent while stopping closes its connection: a kept-alive one would hold stop() open.
  http.addHook("onSend", async (_request, reply) => {
    if (stopping) reply.header("connection", "close");
  });
  await http.register(fastifyCookie);
  // HTTPS-only headers would break the product served over plain HTTP on a LAN address.
  await http.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: { "img-src": ["'self'", "data:", "blob:"], "upgrade-insecure-requests": config.cookieSecure ? [] : null },
    },
    strictTransportSecurity: config.cookieSecure,
  });
  limitPublicUploads(http, config);
  guardWebhook(http, {
    path: WEBHOOK_PATH,
    bodyLimitBytes: WEBHOOK_BODY_LIMIT_BYTES,
    appSecret: config.WHATSAPP_APP_SECRET,
    refusalsPerMinute: config.WEBHOOK_RATE_LIMIT_PER_MINUTE,
  });

  registerHealthRoutes(http, db);
  const historyImport = createHistoryImporter(
    { db, pubsub, logger, mirror },
    { ...DEFAULT_HISTORY_IMPORT_OPTIONS, batchSize: config.HISTORY_IMPORT_BATCH_SIZE },
  );
  const receiveDelivery = createDeliveryReceiver({
    db,
    config,
    logger,
    pubsub,
    mirror,
    autoReplies,
    history: historyImport,
    templates: { applyStatuses: applyTemplateStatusEvents, syncAccount: templates.syncAccount },
    qualityUpdates: async (events) => {
      await recordMessagingLimits(db, events);
      await pauseOnQualityTrouble(services, events);
    },
  });
  await registerWebhookRoutes(http, { config, logger, receiveDelivery });
  await http.register(async (api) => {
    refuseMalformedText(api, yoga.graphqlEndpoint);
    registerAuthentication(api, db);
    registerAuthRoutes(api, db, config, pubsub);
    registerTeamRoutes(api, { db, pubsub, mailer }, config);
    registerWhatsAppRoutes(api, services);
    await api.register(mediaRoutes(services));
    registerReportRoutes(api, services);
    registerCampaignRoutes(api, services);
    registerGraphQLRoute(api, yoga, config.isProduction);
  });
  await registerClientRoutes(http);
  const sockets = attachGraphQLWebSocket(http.server, yoga, { db, pubsub });

  return {
    http,
    db,
    config,
    logger,
    pubsub,
    mirror,
    outbox,
    numbers,
    autoReplies,
    mediaDownloads,
    historyImport,
    campaigns,
    /** GraphQL subscriptions over WebSocket listening for events now, on this instance. */
    liveSubscriptions: sockets.listening,
    /** Listens on HOST:PORT (PORT 0: any free port) and returns the base URL. */
    async start(port = config.PORT, host = config.HOST) {
      await http.listen({ port, host });
      await mirror.resume();
      outbox.start();
      campaigns.start();
      await mediaDownloads.start();
      historyImport.start();
      if (config.WHATSAPP_PHONE_ID) void learnConfiguredNumber({ db, numbers, logger }, config.WHATSAPP_PHONE_ID);
      const address = http.server.address();
      const actualPort = typeof address === "object" && address ? address.port : port;
      return `http://${host === "0.0.0.0" ? "localhost" : host}:${actualPort}`;
    },
    /**
     * Stops accepting at once, then lets everything under way finish: requests in flight are
     * answered (new ones on kept-alive connections get 503), subscribers are told 1001 "going
     * away", sends being attempted record their outcome, and pending file writes land.
     */
    async stop() {
      stopping = true;
      const closing = http.close();
      await sockets.close();
      await closing;
      await autoReplies.stop();
      await campaigns.stop();
      await outbox.stop();
      await mediaDownloads.stop();
      await historyImport.stop();
      await mirror.close();
      await numbers.close();
      await realtime.close();
      await redis?.quit();
      mailer?.close();
      await db.$disconnect();
    },
  };
}

export type App = Awaited<ReturnType<typeof buildApp>>;
