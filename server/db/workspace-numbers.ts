import type { Database } from "./client.ts";

/**
 * A workspace's business numbers (Meta's phone number ids), its first first: the number the
 * bootstrap gave it, or the one it connected first. Sends without a number and the conversation
 * files of the first number use that order, so both agree on which number is the first.
 */
export async function workspaceNumberIds(db: Database, workspaceId: string): Promise<string[]> {
  const numbers = await db.whatsAppPhoneNumber.findMany({
    where: { workspaceId },
    orderBy: [{ createdAt: "asc" }, { phoneNumberId: "asc" }],
    select: { phoneNumberId: true },
  });
  return numbers.map(({ phoneNumberId }) => phoneNumberId);
}
