import type { Database } from "./client.ts";

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
