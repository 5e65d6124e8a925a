/**
 * The identities every benchmark process shares: the business number, its secrets, the admin
 * and the customers. Values are the benchmark's own, not the tests': nothing here is a secret.
 */
import { sqliteDateTime } from "../server/db/sql-values.ts";

export const APP_SECRET = "bench-app-secret-0123456789abcdef";
export const PHONE_NUMBER_ID = "106540352242922";
export const DISPLAY_PHONE_NUMBER = "15550783881";
export const BUSINESS_ACCOUNT_ID = "102290129340398";
export const WHATSAPP_TOKEN = "bench-access-token-0123456789abcdef";

export const WORKSPACE_ID = "wbench000000000000000001";
/** A second business with nothing in it: the empty-inbox baseline of the client scenario. */
export const EMPTY_WORKSPACE_ID = "wbench000000000000000002";
export const ADMIN = { id: "ubench000000000000000001", email: "bench-admin@bharat-crm.local", password: "bench password 0123" } as const;
export const EMPTY_AGENT = { id: "ubench000000000000000002", email: "bench-empty@bharat-crm.local", password: "bench password 4567" } as const;
/** At least 32 characters: granted to the admin at start-up (ADMIN_API_TOKEN). */
export const ADMIN_API_TOKEN = "bench-admin-api-token-0123456789abcdef";

/** A customer's wa_id: Indian mobile numbers, distinct per `group` so that runs never share a conversation. */
export function customerWaId(group: number, index: number): string {
  return `91${String(7_000_000_000 + group * 10_000 + index)}`;
}

/** Deterministic ids for seeded rows (any unique text is a valid id); seed.ts's SQL builds the same. */
export const seededConversationId = (index: number) => `cbench${String(index).padStart(10, "0")}`;
export const seededContactId = (index: number) => `kbench${String(index).padStart(10, "0")}`;

/** Seeded rows must sort like the product's. */
export const sqliteDate = (epochMs: number) => sqliteDateTime(new Date(epochMs));
