import type { Viewer } from "../auth/auth.service.ts";
import type { Config } from "../config.ts";
import type { Database } from "../db/client.ts";
import type { Logger } from "../logger.ts";
import type { InboxPubSub } from "../realtime/pubsub.ts";

/** The services a resolver may call; the same for HTTP and WebSocket operations. */
export interface GraphQLServices {
  db: Database;
  config: Config;
  logger: Logger;
  pubsub: InboxPubSub;
}

/** What every resolver gets. `/graphql` refuses anonymous callers, so `viewer` is always set. */
export interface GraphQLContext extends GraphQLServices {
  viewer: Viewer;
}
