import type { Database } from "../db/client.ts";
import { serializedWrite } from "../db/write-queue.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import type { Contact, MarketingConsent, Prisma } from "../generated/prisma/client.ts";

/**
 * A customer's marketing consent: UNKNOWN (the default), OPTED_IN (when, and how — an agent
 * records it) or OPTED_OUT (when, and why — a STOP message, WhatsApp's "stop marketing messages",
 * or an agent). Campaigns of MARKETING templates never go to an opted-out contact.
 */
export const MARKETING_CONSENT_STATES = ["UNKNOWN", "OPTED_IN", "OPTED_OUT"] as const satisfies readonly MarketingConsent[];

/**
 * What a customer writes to stop marketing messages when the workspace has not chosen its own.
 * Matched against the whole message, so that "please don't stop my order" opts nobody out.
 * Not CANCEL: customers write it about orders.
 */
export const DEFAULT_OPT_OUT_KEYWORDS = ["STOP", "STOP ALL", "UNSUBSCRIBE", "OPT OUT", "OPT-OUT", "OPTOUT", "STOP PROMOTIONS"];

export const OPT_OUT_KEYWORD_MAX_LENGTH = 40;

/** The sources recorded for opt-outs the product made itself (agents write their own). */
export const OPT_OUT_BY_KEYWORD = (keyword: string) => `Wrote "${keyword}"`;
export const OPT_OUT_IN_WHATSAPP = "Stopped marketing messages in WhatsApp";

/** A message with its case, spaces and end punctuation taken away: "  Stop! " reads as "STOP". */
function normalised(text: string) {
  return text
    .trim()
    .replace(/^[\s.,!?¡¿"'“”‘’()-]+|[\s.,!?¡¿"'“”‘’()-]+$/g, "")
    .replace(/\s+/g, " ")
    .toUpperCase();
}

/** The workspace's keywords (`optOutKeywords`, comma-separated), or the default list when unset. */
export function optOutKeywordsOf(setting: string | null | undefined): string[] {
  if (setting == null) return DEFAULT_OPT_OUT_KEYWORDS;
  return [...new Set(setting.split(",").map(normalised).filter(Boolean))];
}

/** Checks a keyword list as an admin typed it; answers it as stored (null = the default list). */
export function parseOptOutKeywords(input: readonly string[] | null): string | null {
  if (input === null) return null;
  const keywords = [...new Set(input.map(normalised).filter(Boolean))];
  if (keywords.some((keyword) => keyword.includes(","))) throw ValidationError.of("optOutKeywords", "A keyword cannot contain a comma");
  if (keywords.some((keyword) => keyword.length > OPT_OUT_KEYWORD_MAX_LENGTH)) {
    throw ValidationError.of("optOutKeywords", `Keep each keyword to ${OPT_OUT_KEYWORD_MAX_LENGTH} characters`);
  }
  return keywords.join(",");
}

/** The keyword a message is, if it is one. */
export function optOutKeywordIn(text: string, keywords: readonly string[]): string | null {
  if (text.length > OPT_OUT_KEYWORD_MAX_LENGTH + 10) return null;
  const message = normalised(text);
  return keywords.find((keyword) => keyword === message) ?? null;
}

/** Cheap enough for every received message: could it be a keyword of any workspace? */
export function mayBeOptOutKeyword(text: string) {
  return text.length <= OPT_OUT_KEYWORD_MAX_LENGTH + 10 && !text.startsWith("[");
}

export interface ConsentInput {
  state: MarketingConsent;
  /** How they opted in (required for OPTED_IN), or why they opted out. */
  source?: string | null;
}

/** An agent records the contact's consent; opting in needs a "how" (a form, a call, a shop visit). */
export async function setMarketingConsent(db: Database, workspaceId: string, contactId: string, input: ConsentInput): Promise<Contact> {
  const source = input.source?.trim() || null;
  if (input.state === "OPTED_IN" && !source) throw ValidationError.of("source", "Say how the customer opted in, e.g. \"Signed up on the website\"");
  if (source && source.length > 200) throw ValidationError.of("source", "Keep it to 200 characters");
  const contact = await db.contact.findFirst({ where: { id: contactId, workspaceId }, select: { id: true } });
  if (!contact) throw new NotFoundError("Contact");
  return serializedWrite(db, () =>
    db.contact.update({
      where: { id: contactId },
      data: { marketingConsent: input.state, marketingConsentAt: input.state === "UNKNOWN" ? null : new Date(), marketingConsentSource: input.state === "UNKNOWN" ? null : source },
    }),
  );
}

/** A customer as a webhook names them: their conversation when it is known, else their identifiers. */
export interface ConsentCustomer {
  workspaceId: string;
  conversationId?: string | null;
  waId: string | null;
  userId: string | null;
  profileName?: string | null;
}

/** Something the customer did about marketing messages, at Meta's time. */
export interface ConsentSignal {
  customer: ConsentCustomer;
  /** stop: opted out. resume: an opt-out made in WhatsApp is lifted (UNKNOWN; they did not opt in to ours). */
  change: "stop" | "resume";
  source: string;
  at: Date;
}

/**
 * Applies customers' own consent changes at once: a contact is made for a customer who has none
 * (named by their profile, linked to their conversation), so that the opt-out is kept before
 * anyone looks at them. A signal older than the contact's last change is ignored: Meta may deliver
 * a stop and its resume in either order.
 */
export async function applyConsentSignals(db: Database, signals: readonly ConsentSignal[]) {
  const changed: Array<{ workspaceId: string; contactId: string; conversationId: string | null }> = [];
  for (const signal of signals) {
    const outcome = await serializedWrite(db, () => db.$transaction((tx) => applySignal(tx, signal)));
    if (outcome) changed.push(outcome);
  }
  return changed;
}

async function applySignal(tx: Prisma.TransactionClient, { customer, change, source, at }: ConsentSignal) {
  const { workspaceId } = customer;
  const conversation = customer.conversationId
    ? await tx.conversation.findFirst({ where: { id: customer.conversationId, workspaceId } })
    : await tx.conversation.findFirst({
        where: { workspaceId, OR: [...(customer.userId ? [{ userId: customer.userId }] : []), ...(customer.waId ? [{ waId: customer.waId }] : [])] },
      });
  const waId = conversation?.waId ?? customer.waId;
  const number = waId ? `+${waId}` : null;
  let contact =
    (conversation?.contactId ? await tx.contact.findUnique({ where: { id: conversation.contactId } }) : null) ??
    (number ? await tx.contact.findUnique({ where: { workspaceId_whatsappNumber: { workspaceId, whatsappNumber: number } } }) : null);
  if (!contact) {
    if (change === "resume") return null;
    const name = customer.profileName ?? conversation?.profileName ?? number ?? (conversation?.username ? `@${conversation.username}` : null) ?? customer.userId ?? "WhatsApp customer";
    contact = await tx.contact.create({ data: { workspaceId, name, whatsappNumber: number } });
  }
  if (conversation && conversation.contactId !== contact.id) await tx.conversation.update({ where: { id: conversation.id }, data: { contactId: contact.id } });
  if (contact.marketingConsentAt && contact.marketingConsentAt > at) return null;
  if (change === "resume" && contact.marketingConsent !== "OPTED_OUT") return null;
  await tx.contact.update({
    where: { id: contact.id },
    data: change === "stop" ? { marketingConsent: "OPTED_OUT", marketingConsentAt: at, marketingConsentSource: source } : { marketingConsent: "UNKNOWN", marketingConsentAt: at, marketingConsentSource: null },
  });
  return { workspaceId, contactId: contact.id, conversationId: conversation?.id ?? null };
}

/** Puts exactly these labels on the contact (the workspace's own labels only). */
export async function setContactLabels(db: Database, workspaceId: string, contactId: string, labelIds: readonly string[]) {
  const contact = await db.contact.findFirst({ where: { id: contactId, workspaceId }, select: { id: true } });
  if (!contact) throw new NotFoundError("Contact");
  const wanted = [...new Set(labelIds)];
  const labels = await db.label.findMany({ where: { id: { in: wanted }, workspaceId }, select: { id: true } });
  if (labels.length !== wanted.length) throw new NotFoundError("Label");
  return serializedWrite(db, () =>
    db.$transaction(async (tx) => {
      await tx.contactLabel.deleteMany({ where: { contactId, labelId: { notIn: wanted } } });
      const present = new Set((await tx.contactLabel.findMany({ where: { contactId }, select: { labelId: true } })).map((row) => row.labelId));
      const missing = wanted.filter((id) => !present.has(id));
      if (missing.length > 0) await tx.contactLabel.createMany({ data: missing.map((labelId) => ({ contactId, labelId })) });
      return tx.contact.findUniqueOrThrow({ where: { id: contactId } });
    }),
  );
}
