import type { CountryCode } from "libphonenumber-js";
import { z } from "zod";
import type { Database } from "../db/client.ts";
import { searchTerms } from "../db/text-search.ts";
import type { Contact, Prisma } from "../generated/prisma/client.ts";
import { refuseDuplicate } from "../db/unique-violation.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { INVALID_PHONE_NUMBER, toE164, waIdOf } from "./phone.ts";

export interface ContactInput {
  name: string;
  email?: string | null;
  company?: string | null;
  notes?: string | null;
  whatsappNumber?: string | null;
}

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `Must be at most ${max} characters`)
    .nullish()
    .transform((value) => value || null);

const contactSchema = z.object({
  name: z.string().trim().min(1, "Name is required").max(200, "Must be at most 200 characters"),
  email: optionalText(320).refine((value) => value === null || z.email().safeParse(value).success, "Invalid email address"),
  company: optionalText(200),
  notes: optionalText(5000),
  whatsappNumber: optionalText(40),
});

/** Validates and normalises a contact form; every refused field is reported at once. */
export function parseContactInput(input: ContactInput, defaultCountry: CountryCode) {
  const parsed = contactSchema.safeParse(input);
  const fieldErrors = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({ field: String(issue.path[0]), message: issue.message }));
  let whatsappNumber: string | null = null;
  if (parsed.success && parsed.data.whatsappNumber) {
    whatsappNumber = toE164(parsed.data.whatsappNumber, defaultCountry);
    if (!whatsappNumber) fieldErrors.push({ field: "whatsappNumber", message: INVALID_PHONE_NUMBER });
  }
  if (!parsed.success || fieldErrors.length > 0) throw new ValidationError(fieldErrors);
  return { ...parsed.data, whatsappNumber };
}

/** Matches a name, email or company fragment, or the digits of a number however they were typed. */
export function contactSearchFilter(db: Database, workspaceId: string, search?: string | null): Prisma.ContactWhereInput {
  const terms = searchTerms(db, search);
  if (!terms) return { workspaceId };
  const { text, digits } = terms;
  return { workspaceId, OR: [{ name: text }, { email: text }, { company: text }, ...(digits ? [{ whatsappNumber: digits }] : [])] };
}

export async function findContact(db: Database, workspaceId: string, id: string) {
  return db.contact.findFirst({ where: { id, workspaceId } });
}

async function requireContact(db: Database, workspaceId: string, id: string) {
  const contact = await findContact(db, workspaceId, id);
  if (!contact) throw new NotFoundError("Contact");
  return contact;
}

const DUPLICATE_NUMBER = "Another contact already has this WhatsApp number";

/**
 * Points the customer's WhatsApp conversation at the contact with its number, and releases
 * conversations of a number the contact no longer has: the inbox links to the CRM contact.
 */
async function linkConversations(db: Database, contact: Contact) {
  const waId = contact.whatsappNumber ? waIdOf(contact.whatsappNumber) : null;
  // A conversation whose number is hidden was linked by hand (createContact's conversationId): no number change releases it.
  await db.conversation.updateMany({
    where: { workspaceId: contact.workspaceId, contactId: contact.id, waId: waId ? { not: waId } : { not: null } },
    data: { contactId: null },
  });
  if (waId) await db.conversation.updateMany({ where: { workspaceId: contact.workspaceId, waId }, data: { contactId: contact.id } });
}

/**
 * A new contact. `conversationId` names the conversation it is made from (the inbox's Create
 * contact): that conversation is linked to it even when the customer's number is hidden behind a
 * username, where no number could link them.
 */
export async function createContact(
  db: Database,
  workspaceId: string,
  input: ContactInput,
  defaultCountry: CountryCode,
  conversationId?: string | null,
): Promise<Contact> {
  const data = parseContactInput(input, defaultCountry);
  if (conversationId && !(await db.conversation.findFirst({ where: { id: conversationId, workspaceId }, select: { id: true } }))) {
    throw new NotFoundError("Conversation");
  }
  const contact = await refuseDuplicate(db.contact.create({ data: { ...data, workspaceId } }), "whatsappNumber", DUPLICATE_NUMBER);
  await linkConversations(db, contact);
  if (conversationId) await db.conversation.updateMany({ where: { id: conversationId, workspaceId }, data: { contactId: contact.id } });
  return contact;
}

export async function updateContact(
  db: Database,
  workspaceId: string,
  id: string,
  input: ContactInput,
  defaultCountry: CountryCode,
): Promise<Contact> {
  await requireContact(db, workspaceId, id);
  const data = parseContactInput(input, defaultCountry);
  const contact = await refuseDuplicate(db.contact.update({ where: { id }, data }), "whatsappNumber", DUPLICATE_NUMBER);
  await linkConversations(db, contact);
  return contact;
}

export async function deleteContact(db: Database, workspaceId: string, id: string): Promise<Contact> {
  const contact = await requireContact(db, workspaceId, id);
  await db.contact.delete({ where: { id } });
  return contact;
}
