import type { Database } from "./client.ts";
import { driverQuery } from "./driver-transaction.ts";
import { Prisma } from "../generated/prisma/client.ts";

/**
 * A workspace's business numbers, its first first: the number the bootstrap gave it, or the one
 * it connected first. Sends without a number, the conversation files of the first number and the
 * inbox's list of numbers all use this order, so they agree on which number is the first.
 */
export function workspaceNumbers(db: Database, workspaceId: string) {
  return db.whatsAppPhoneNumber.findMany({
    where: { workspaceId },
    orderBy: [{ createdAt: "asc" }, { phoneNumberId: "asc" }],
    select: { phoneNumberId: true, displayPhoneNumber: true },
  });
}

/** The same, as Meta's phone number ids. */
export async function workspaceNumberIds(db: Database, workspaceId: string): Promise<string[]> {
  return (await workspaceNumbers(db, workspaceId)).map(({ phoneNumberId }) => phoneNumberId);
}

/**
 * The workspace's first number alone, in the same order, on the driver: the conversation files ask
 * it for every file they write (Prisma's client costs several times the statement).
 */
export async function firstWorkspaceNumberId(db: Database, workspaceId: string): Promise<string | null> {
  const [first] = await driverQuery<{ phoneNumberId: string }>(
    db,
    Prisma.sql`SELECT "phoneNumberId" FROM "WhatsAppPhoneNumber" WHERE "workspaceId" = ${workspaceId} ORDER BY "createdAt" ASC, "phoneNumberId" ASC LIMIT 1`,
  );
  return first?.phoneNumberId ?? null;
}

/**
 * Conversations stored while their workspace had no number (migrated by conversations_per_number,
 * or kept from before numbers were data) go on the number given — the first the workspace gets,
 * from the WHATSAPP_* bootstrap or connected by an admin — so that replies there leave from it.
 */
export function adoptNumberlessConversations(db: Database, workspaceId: string, phoneNumberId: string) {
  return db.conversation.updateMany({ where: { workspaceId, businessPhoneNumberId: null }, data: { businessPhoneNumberId: phoneNumberId } });
}
