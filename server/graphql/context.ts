import type { Viewer } from "../auth/auth.service.ts";
import type { Config } from "../config.ts";
import type { Database } from "../db/client.ts";
import type { Logger } from "../logger.ts";
import type { Outbox } from "../inbox/outbox.ts";
import type { InboxPubSub } from "../realtime/pubsub.ts";
import type { ConversationMirror } from "../storage/conversation-files.ts";
import type { Mailer } from "../team/mailer.ts";
import type { TemplateCatalog } from "../templates/templates.service.ts";
import type { CloudApi } from "../whatsapp/cloud-api.ts";

/** The services a resolver may call; the same for HTTP and WebSocket operations. */
export interface GraphQLServices {
  db: Database;
  config: Config;
  logger: Logger;
  pubsub: InboxPubSub;
  mirror: ConversationMirror;
  outbox: Outbox;
  templates: TemplateCatalog;
  /** Null until WhatsApp is configured. */
  cloudApi: CloudApi | null;
  /** Null without SMTP_URL. */
  mailer: Mailer | null;
}

/** What every resolver gets. `/graphql` refuses anonymous callers, so `viewer` is always set. */
export interface GraphQLContext extends GraphQLServices {
  viewer: Viewer;
  /** Where people open the product (PUBLIC_URL, else the address this request came to): links start with it. */
  publicUrl: string;
  /** The browser session the request came with (null for API tokens and sockets). */
  sessionId: string | null;
}
