/**
 * Meta's template status webhooks (`message_template_status_update`) applied to the template cache,
 * inside the transaction that stores the rest of their delivery (inbox/ingest.ts): on the
 * database driver like every statement there. Rare, so one statement per template and workspace.
 */
import type { DriverTransaction } from "../db/driver-transaction.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { TemplateStatusEvent } from "../whatsapp/webhook-events.ts";
import { APPROVED } from "./templates.service.ts";

/** Meta's events that are not a status of their own. */
const STATUS_OF_EVENT: Record<string, string> = { REINSTATED: APPROVED, UNPAUSED: APPROVED };
const DELETION_EVENTS = new Set(["DELETED", "PENDING_DELETION"]);

/** A workspace's catalogue of one business account. */
export interface TemplateAccount {
  workspaceId: string;
  businessAccountId: string;
}

/**
 * Applies the events to that business account's catalogue (the entry id is the WABA id) in every
 * workspace owning a number of the account — never to another account's templates of the same
 * name. A template is found by Meta's id, else by name and language. Answers the catalogues that
 * lack a template an event named (created at Meta since the last sync).
 */
export async function applyTemplateStatusEvents(tx: DriverTransaction, events: readonly TemplateStatusEvent[]): Promise<TemplateAccount[]> {
  const missing = new Map<string, TemplateAccount>();
  const miss = (account: TemplateAccount) => missing.set(`${account.workspaceId}\u0000${account.businessAccountId}`, account);
  if (events.length === 0) return [];
  const accounts = [...new Set(events.map((event) => event.businessAccountId))];
  const numbers = await tx.query<{ workspaceId: string; businessAccountId: string }>(
    Prisma.sql`SELECT DISTINCT "workspaceId", "businessAccountId" FROM "WhatsAppPhoneNumber" WHERE "businessAccountId" IN (${Prisma.join(accounts)})`,
  );
  for (const event of events) {
    const byId = event.templateId ? [Prisma.sql`"metaId" = ${event.templateId}`] : [];
    const byName = event.language ? [Prisma.sql`("name" = ${event.name} AND "language" = ${event.language})`] : [];
    const owners = numbers.filter((number) => number.businessAccountId === event.businessAccountId);
    if (byId.length + byName.length === 0) {
      for (const owner of owners) miss(owner);
      continue;
    }
    const matches = Prisma.join([...byId, ...byName], " OR ");
    for (const owner of owners) {
      const where = Prisma.sql`WHERE "workspaceId" = ${owner.workspaceId} AND "businessAccountId" = ${owner.businessAccountId} AND (${matches})`;
      const rejectedReason = event.event === "REJECTED" && event.reason && event.reason !== "NONE" ? event.reason : null;
      const changed = DELETION_EVENTS.has(event.event)
        ? await tx.execute(Prisma.sql`DELETE FROM "WhatsAppTemplate" ${where}`)
        : await tx.execute(Prisma.sql`UPDATE "WhatsAppTemplate" SET "status" = ${STATUS_OF_EVENT[event.event] ?? event.event}, "rejectedReason" = ${rejectedReason} ${where}`);
      if (changed === 0) miss(owner);
    }
  }
  return [...missing.values()];
}
