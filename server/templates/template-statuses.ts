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

/**
 * Applies the events to the cache of every workspace owning a number of that business account. A
 * template is found by Meta's id, else by name and language. Answers the workspaces whose cache
 * lacks a template an event named (created at Meta since the last sync).
 */
export async function applyTemplateStatusEvents(tx: DriverTransaction, events: readonly TemplateStatusEvent[]): Promise<Set<string>> {
  const missing = new Set<string>();
  if (events.length === 0) return missing;
  const accounts = [...new Set(events.map((event) => event.businessAccountId))];
  const numbers = await tx.query<{ workspaceId: string; businessAccountId: string }>(
    Prisma.sql`SELECT DISTINCT "workspaceId", "businessAccountId" FROM "WhatsAppPhoneNumber" WHERE "businessAccountId" IN (${Prisma.join(accounts)})`,
  );
  for (const event of events) {
    const byId = event.templateId ? [Prisma.sql`"metaId" = ${event.templateId}`] : [];
    const byName = event.language ? [Prisma.sql`("name" = ${event.name} AND "language" = ${event.language})`] : [];
    const owners = numbers.filter((number) => number.businessAccountId === event.businessAccountId);
    if (byId.length + byName.length === 0) {
      for (const { workspaceId } of owners) missing.add(workspaceId);
      continue;
    }
    const matches = Prisma.join([...byId, ...byName], " OR ");
    for (const { workspaceId } of owners) {
      const where = Prisma.sql`WHERE "workspaceId" = ${workspaceId} AND (${matches})`;
      const rejectedReason = event.event === "REJECTED" && event.reason && event.reason !== "NONE" ? event.reason : null;
      const changed = DELETION_EVENTS.has(event.event)
        ? await tx.execute(Prisma.sql`DELETE FROM "WhatsAppTemplate" ${where}`)
        : await tx.execute(Prisma.sql`UPDATE "WhatsAppTemplate" SET "status" = ${STATUS_OF_EVENT[event.event] ?? event.event}, "rejectedReason" = ${rejectedReason} ${where}`);
      if (changed === 0) missing.add(workspaceId);
    }
  }
  return missing;
}
