import type { Viewer } from "../auth/auth.service.ts";
import type { Config } from "../config.ts";
import type { Database } from "../db/client.ts";

/** What every resolver gets. `/graphql` refuses anonymous requests, so `viewer` is always set. */
export interface GraphQLContext {
  db: Database;
  config: Config;
  viewer: Viewer;
}
