import type { Viewer } from "../auth/auth.service.ts";
import type { Config } from "../config.ts";
import type { Database } from "../db/client.ts";
import type { Logger } from "../logger.ts";
import type { Outbox } from "../inbox/outbox.ts";
import type { InboxPubSub } from "../realtime/pubsub.ts";
import type { ConversationMirror } from "../storage/conversation-files.ts";
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
}

/** What every resolver gets. `/graphql` refuses anonymous callers, so `viewer` is always set. */
export interface GraphQLContext extends GraphQLServices {
  viewer: Viewer;
}
