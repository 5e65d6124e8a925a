/**
 * The WhatsApp Business app's address book (coexistence: `smb_app_state_sync`) mirrored into the
 * CRM's contacts. An add creates the contact or updates its name and identifiers (an edit in the
 * app arrives as another add); a removal only marks the contact as removed from the phone: the
 * CRM's data (notes, company, conversations) belongs to the business, not to the phone.
 */
import type { Database } from "../db/client.ts";
import { serializedWrite } from "../db/write-queue.ts";
import type { AppContactEvent } from "../whatsapp/webhook-events.ts";

export interface PhoneBookResult {
  created: number;
  updated: number;
  removed: number;
  /** Older than the change already applied (Meta's deliveries may come out of order). */
  stale: number;
}

/** Applies one workspace's address-book changes, in the order Meta listed them, in one transaction. */
export async function applyPhoneBookChanges(db: Database, workspaceId: string, changes: readonly AppContactEvent[]): Promise<PhoneBookResult> {
  const result: PhoneBookResult = { created: 0, updated: 0, removed: 0, stale: 0 };
  if (changes.length === 0) return result;
  await serializedWrite(db, () =>
    db.$transaction(async (tx) => {
      for (const change of changes) {
        const number = change.waId ? `+${change.waId}` : null;
        const at = change.at ?? new Date();
        const existing = await tx.contact.findFirst({
          where: { workspaceId, OR: [...(number ? [{ whatsappNumber: number }] : []), ...(change.userId ? [{ whatsappUserId: change.userId }] : [])] },
          orderBy: { createdAt: "asc" },
        });
        if (existing?.phoneBookChangedAt && existing.phoneBookChangedAt > at) {
          result.stale++;
          continue;
        }
        if (change.action === "remove") {
          if (!existing) continue;
          await tx.contact.update({ where: { id: existing.id }, data: { removedFromPhoneAt: at, phoneBookChangedAt: at } });
          result.removed++;
          continue;
        }
        const identifiers = {
          ...(number && !existing?.whatsappNumber ? { whatsappNumber: number } : {}),
          ...(change.userId ? { whatsappUserId: change.userId } : {}),
          ...(change.username ? { whatsappUsername: change.username } : {}),
        };
        const contact = existing
          ? await tx.contact.update({
              where: { id: existing.id },
              data: { ...identifiers, ...(change.name ? { name: change.name } : {}), removedFromPhoneAt: null, phoneBookChangedAt: at },
            })
          : await tx.contact.create({
              data: { workspaceId, ...identifiers, name: change.name ?? number ?? change.username ?? change.userId ?? "WhatsApp contact", phoneBookChangedAt: at },
            });
        if (existing) result.updated++;
        else result.created++;
        // The customer's conversation, when they wrote before the business saved them, joins the contact.
        const customer = [...(change.waId ? [{ waId: change.waId }] : []), ...(change.userId ? [{ userId: change.userId }] : [])];
        await tx.conversation.updateMany({ where: { workspaceId, contactId: null, OR: customer }, data: { contactId: contact.id } });
      }
    }),
  );
  return result;
}
