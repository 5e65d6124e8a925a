import type { Config } from "./config.ts";
import type { Database } from "./db/client.ts";
import type { Logger } from "./logger.ts";
import type { Outbox } from "./inbox/outbox.ts";
import type { InboxPubSub } from "./realtime/pubsub.ts";
import type { ConversationMirror } from "./storage/conversation-files.ts";
import type { Mailer } from "./team/mailer.ts";
import type { TemplateCatalog } from "./templates/templates.service.ts";
import type { NumberDirectory } from "./whatsapp-numbers/number-directory.ts";

/**
 * The services app.ts builds once and both doors hand on: every GraphQL operation (HTTP and
 * WebSocket) and the REST routes. Types only: it names what the domains define, so it may
 * import from any of them (see .dependency-cruiser.cjs) and none of them imports it back.
 */
export interface AppServices {
  db: Database;
  config: Config;
  logger: Logger;
  pubsub: InboxPubSub;
  mirror: ConversationMirror;
  outbox: Outbox;
  templates: TemplateCatalog;
  /** The workspaces' WhatsApp numbers and a Cloud API client for each. */
  numbers: NumberDirectory;
  /** Null without SMTP_URL. */
  mailer: Mailer | null;
}
