import { formatPhoneInternational, waIdOf } from "../contacts/phone.ts";
import type { Database } from "../db/client.ts";
import type { Contact } from "../generated/prisma/client.ts";
import { savedFiltersWhere } from "./saved-filters.ts";

/** Why an audience member gets no message, in the order they are checked. */
export const EXCLUSION_REASONS = ["OPTED_OUT", "NOT_OPTED_IN", "NO_WHATSAPP", "BLOCKED", "MISSING_VARIABLE", "DUPLICATE"] as const;
export type ExclusionReason = (typeof EXCLUSION_REASONS)[number];
export type Exclusions = Partial<Record<ExclusionReason, number>>;

/** Contact fields a template variable may take, per recipient. */
export const CONTACT_FIELDS = {
  name: (contact) => contact.name,
  firstName: (contact) => contact.name.trim().split(/\s+/)[0] ?? "",
  company: (contact) => contact.company ?? "",
  email: (contact) => contact.email ?? "",
  phone: (contact) => (contact.whatsappNumber ? formatPhoneInternational(contact.whatsappNumber) : ""),
} satisfies Record<string, (contact: AudienceContact) => string>;
export type ContactField = keyof typeof CONTACT_FIELDS;
export const isContactField = (field: string): field is ContactField => Object.hasOwn(CONTACT_FIELDS, field);

/**
 * One `{{n}}` of the template's body: the same text for everyone, or one of each contact's
 * fields — a built-in one (CONTACT_FIELDS) or the key of a custom one (a CSV import's column).
 */
export type BodyParameter = { text: string; contactField?: undefined } | { contactField: string; text?: undefined };

/** The contacts' values of the custom fields the variables take: contact id → key → value. */
async function customFieldValues(db: Database, workspaceId: string, parameters: readonly BodyParameter[]) {
  const keys = [...new Set(parameters.flatMap((parameter) => (parameter.contactField && !isContactField(parameter.contactField) ? [parameter.contactField] : [])))];
  const values = new Map<string, Map<string, string>>();
  if (keys.length === 0) return values;
  // By the (workspaceId, key) index: no list of contact ids, however large the audience.
  for (const row of await db.contactFieldValue.findMany({ where: { workspaceId, key: { in: keys } }, select: { contactId: true, key: true, value: true } })) {
    let ofContact = values.get(row.contactId);
    if (!ofContact) values.set(row.contactId, (ofContact = new Map()));
    ofContact.set(row.key, row.value);
  }
  return values;
}

export interface AudienceSpec {
  labelIds: string[];
  contactIds: string[];
  /** Absent in campaigns made before saved filters. */
  savedFilterIds?: string[];
}

type AudienceContact = Pick<Contact, "id" | "name" | "email" | "company" | "whatsappNumber" | "marketingConsent">;

/** Who gets the message: their conversation when there is one, and where Meta delivers. */
export interface CampaignRecipient {
  contactId: string;
  conversationId: string | null;
  /** Digits; null when only their BSUID is known. */
  waId: string | null;
  userId: string | null;
  parameters: string[];
  /** The contact's name, for the preview's search. */
  name?: string;
}

export interface AudienceRules {
  /** MARKETING templates never go to opted-out contacts. */
  marketing: boolean;
  optedInOnly: boolean;
  parameters: readonly BodyParameter[];
}

/**
 * The campaign's recipients: contacts wearing one of the labels (or whose conversation wears
 * one), those a saved filter matches and the contacts named, each once, and what was left out and why.
 */
export async function resolveAudience(db: Database, workspaceId: string, businessPhoneNumberId: string, spec: AudienceSpec, rules: AudienceRules) {
  const contacts: AudienceContact[] = await db.contact.findMany({
    where: {
      workspaceId,
      OR: [
        ...(spec.contactIds.length > 0 ? [{ id: { in: spec.contactIds } }] : []),
        ...(spec.labelIds.length > 0
          ? [{ labels: { some: { labelId: { in: spec.labelIds } } } }, { conversations: { some: { labels: { some: { labelId: { in: spec.labelIds } } } } } }]
          : []),
        ...(await savedFiltersWhere(db, workspaceId, spec.savedFilterIds ?? [])),
      ],
    },
    select: { id: true, name: true, email: true, company: true, whatsappNumber: true, marketingConsent: true },
    orderBy: { id: "asc" },
  });
  // Every conversation on the sending number that could be theirs, in one query: by link, or by number.
  const conversations = await db.conversation.findMany({
    where: { workspaceId, businessPhoneNumberId, OR: [{ contactId: { not: null } }, { waId: { not: null } }] },
    select: { id: true, waId: true, userId: true, contactId: true, blockedAt: true },
  });
  const byContact = new Map(conversations.filter((c) => c.contactId).map((c) => [c.contactId!, c]));
  const byWaId = new Map(conversations.filter((c) => c.waId).map((c) => [c.waId!, c]));
  const custom = await customFieldValues(db, workspaceId, rules.parameters);
  const valueOf = (contact: AudienceContact, field: string) => (isContactField(field) ? CONTACT_FIELDS[field](contact) : (custom.get(contact.id)?.get(field) ?? ""));

  const exclusions: Exclusions = {};
  const exclude = (reason: ExclusionReason) => (exclusions[reason] = (exclusions[reason] ?? 0) + 1);
  const recipients: CampaignRecipient[] = [];
  const seen = new Set<string>();
  for (const contact of contacts) {
    if (rules.marketing && contact.marketingConsent === "OPTED_OUT") {
      exclude("OPTED_OUT");
      continue;
    }
    if (rules.optedInOnly && contact.marketingConsent !== "OPTED_IN") {
      exclude("NOT_OPTED_IN");
      continue;
    }
    const numberWaId = contact.whatsappNumber ? waIdOf(contact.whatsappNumber) : null;
    const linked = byContact.get(contact.id);
    // A linked conversation of another number is not this number's: its own is made when queued.
    const conversation = numberWaId ? (byWaId.get(numberWaId) ?? (linked && !linked.waId ? linked : undefined)) : linked;
    const waId = numberWaId ?? conversation?.waId ?? null;
    const userId = conversation?.userId ?? null;
    if (!waId && !userId) {
      exclude("NO_WHATSAPP");
      continue;
    }
    // The business blocked them on this number: Meta would refuse the message, and they asked for nothing.
    if (conversation?.blockedAt) {
      exclude("BLOCKED");
      continue;
    }
    const parameters = rules.parameters.map((parameter) => (parameter.text ?? valueOf(contact, parameter.contactField)).trim());
    if (parameters.some((value) => !value)) {
      exclude("MISSING_VARIABLE");
      continue;
    }
    const address = waId ?? userId!;
    if (seen.has(address)) {
      exclude("DUPLICATE");
      continue;
    }
    seen.add(address);
    recipients.push({ contactId: contact.id, conversationId: conversation?.id ?? null, waId, userId, parameters, name: contact.name });
  }
  return { recipients, exclusions };
}
