import { randomFillSync } from "node:crypto";
import { v7 as uuidv7 } from "uuid";
import { requireAdmin } from "../auth/roles.ts";
import type { Viewer } from "../auth/auth.service.ts";
import type { Config } from "../config.ts";
import { providerOf, type Database, type DatabaseProvider } from "../db/client.ts";
import { sqlValues, statementChunks, type SqlValues } from "../db/sql-values.ts";
import { driverTransaction, type DriverTransaction } from "../db/driver-transaction.ts";
import { serializedWrite } from "../db/write-queue.ts";
import { ExpectedError, NotFoundError, ValidationError, type FieldError } from "../errors.ts";
import { isUniqueViolation } from "../db/unique-violation.ts";
import { Prisma, type Campaign, type CampaignStatus } from "../generated/prisma/client.ts";
import type { OutboundRequest, Outbox } from "../inbox/outbox.ts";
import { ensureConfigured, sendingNumbers } from "../inbox/send.service.ts";
import type { Logger } from "../logger.ts";
import { countOf } from "../plural.ts";
import type { InboxPubSub } from "../realtime/pubsub.ts";
import { customerCountry, estimateCost } from "../reports/pricing.ts";
import { renderTemplate } from "../templates/template-content.ts";
import type { CachedTemplate, TemplateCatalog } from "../templates/templates.service.ts";
import { oneLine } from "../whatsapp/message-content.ts";
import type { NumberDirectory } from "../whatsapp-numbers/number-directory.ts";
import { MessagingLimitError, planAgainstLimit } from "./messaging-limit.ts";
import { isContactField, resolveAudience, type AudienceSpec, type BodyParameter, type CampaignRecipient, type Exclusions } from "./audience.ts";

export interface CampaignDependencies {
  db: Database;
  config: Config;
  templates: TemplateCatalog;
  pubsub: InboxPubSub;
  logger: Logger;
  outbox: Pick<Outbox, "sendsFrom">;
  numbers: Pick<NumberDirectory, "sendableNumbersOf">;
}

export interface CreateCampaignInput {
  name: string;
  templateName: string;
  languageCode: string;
  audience: { labelIds?: readonly string[] | null; contactIds?: readonly string[] | null; savedFilterIds?: readonly string[] | null };
  bodyParameters?: ReadonlyArray<{ text?: string | null; contactField?: string | null }> | null;
  fromPhoneNumberId?: string | null;
  scheduledAt?: Date | null;
  optedInOnly?: boolean | null;
  /** Recipients beyond the messaging limit's room wait for the next days, instead of the start being refused. */
  splitOverDays?: boolean | null;
}

/** Contacts named one by one, at most: larger audiences are labels. */
export const MAX_AUDIENCE_CONTACT_IDS = 10_000;

/** The lifecycle refused the change: e.g. resuming a campaign that is not paused. */
export class CampaignStateError extends ExpectedError {
  override name = "CampaignStateError";
  readonly code = "CAMPAIGN_STATE";
  readonly httpStatus = 409;
  constructor(
    readonly status: CampaignStatus,
    message: string,
  ) {
    super(message);
  }

  override answerFields() {
    return { status: this.status };
  }
}

export function publishCampaign(pubsub: InboxPubSub, campaign: Pick<Campaign, "id" | "workspaceId">) {
  pubsub.publish("campaign", campaign.workspaceId, campaign.id);
}

export async function requireCampaign(db: Database, workspaceId: string, id: string) {
  const campaign = await db.campaign.findFirst({ where: { id, workspaceId } });
  if (!campaign) throw new NotFoundError("Campaign");
  return campaign;
}

export function audienceOf(campaign: Pick<Campaign, "audience">): AudienceSpec {
  return JSON.parse(campaign.audience) as AudienceSpec;
}

export function bodyParametersOf(campaign: Pick<Campaign, "bodyParameters">): BodyParameter[] {
  return JSON.parse(campaign.bodyParameters) as BodyParameter[];
}

/** The template, or undefined when the catalogue cannot be read right now (Meta then checks the send). */
export async function templateOf(templates: TemplateCatalog, workspaceId: string, from: string, name: string, language: string): Promise<CachedTemplate | null | undefined> {
  try {
    return await templates.find(workspaceId, from, name, language);
  } catch {
    return undefined;
  }
}

/** A draft: every refused input is named at once, and nothing is stored. */
export async function createCampaign(deps: CampaignDependencies, viewer: Viewer, input: CreateCampaignInput): Promise<Campaign> {
  requireAdmin(viewer, "create campaigns");
  const { db } = deps;
  const { workspaceId } = viewer;
  // Before the template catalogue is read: it is the sending number's business account's.
  const sendingNumber = await sendingNumberOf(deps, workspaceId, input.fromPhoneNumberId?.trim() || null);
  const problems: FieldError[] = [];
  const name = input.name.trim();
  if (!name || name.length > 100) problems.push({ field: "name", message: "Give the campaign a name of 1 to 100 characters" });
  const templateName = input.templateName.trim();
  const languageCode = input.languageCode.trim();
  if (!/^[a-z0-9_]{1,512}$/.test(templateName)) problems.push({ field: "templateName", message: "Give the template's name, e.g. diwali_offer" });
  if (!/^[a-z]{2,3}(_[A-Z]{2})?$/.test(languageCode)) problems.push({ field: "languageCode", message: "Give a language code such as en or en_US" });

  const labelIds = [...new Set(input.audience.labelIds ?? [])];
  const contactIds = [...new Set(input.audience.contactIds ?? [])];
  const savedFilterIds = [...new Set(input.audience.savedFilterIds ?? [])];
  if (labelIds.length === 0 && contactIds.length === 0 && savedFilterIds.length === 0) problems.push({ field: "audience", message: "Choose at least one label, saved filter or contact" });
  if (savedFilterIds.length > 0 && (await db.savedFilter.count({ where: { workspaceId, id: { in: savedFilterIds } } })) !== savedFilterIds.length) {
    problems.push({ field: "audience.savedFilterIds", message: "Some of these saved filters do not exist" });
  }
  if (contactIds.length > MAX_AUDIENCE_CONTACT_IDS) problems.push({ field: "audience.contactIds", message: `Name at most ${MAX_AUDIENCE_CONTACT_IDS.toLocaleString("en")} contacts; label larger audiences` });
  else if (contactIds.length > 0 && (await db.contact.count({ where: { workspaceId, id: { in: contactIds } } })) !== contactIds.length) {
    problems.push({ field: "audience.contactIds", message: "Some of these contacts do not exist" });
  }
  if (labelIds.length > 0 && (await db.label.count({ where: { workspaceId, id: { in: labelIds } } })) !== labelIds.length) {
    problems.push({ field: "audience.labelIds", message: "Some of these labels do not exist" });
  }

  const parameters: BodyParameter[] = [];
  for (const [index, parameter] of (input.bodyParameters ?? []).entries()) {
    const text = parameter.text?.trim();
    const field = parameter.contactField?.trim();
    if (!!text === !!field) problems.push({ field: `bodyParameters.${index}`, message: "Give each variable either a text or a contact field" });
    else if (field && !isContactField(field) && !(await db.contactFieldValue.findFirst({ where: { workspaceId, key: field }, select: { key: true } }))) {
      problems.push({ field: `bodyParameters.${index}`, message: `Unknown contact field ${field}: use name, firstName, company, email, phone or a custom field of your contacts` });
    } else parameters.push(field ? { contactField: field } : { text: text! });
  }

  let templateCategory: string | null = null;
  if (problems.every((problem) => problem.field !== "templateName" && problem.field !== "languageCode")) {
    const template = await templateOf(deps.templates, workspaceId, sendingNumber, templateName, languageCode);
    if (template === null) problems.push({ field: "templateName", message: `No approved template ${templateName} in ${languageCode}` });
    else if (template) {
      templateCategory = template.category.toUpperCase();
      if (template.parameterCount !== (input.bodyParameters ?? []).length) {
        problems.push({ field: "bodyParameters", message: `${templateName} needs ${countOf(template.parameterCount, "variable")}, got ${(input.bodyParameters ?? []).length}` });
      }
    }
  }

  const fromPhoneNumberId = input.fromPhoneNumberId?.trim() || null;
  if (input.scheduledAt && Number.isNaN(input.scheduledAt.getTime())) problems.push({ field: "scheduledAt", message: "Give a date and time" });
  if (problems.length > 0) throw new ValidationError(problems);

  return db.campaign.create({
    data: {
      workspaceId,
      name,
      templateName,
      languageCode,
      templateCategory,
      audience: JSON.stringify({ labelIds, contactIds, savedFilterIds } satisfies AudienceSpec),
      bodyParameters: JSON.stringify(parameters),
      optedInOnly: input.optedInOnly ?? false,
      splitOverDays: input.splitOverDays ?? false,
      fromPhoneNumberId,
      scheduledAt: input.scheduledAt ?? null,
      createdById: viewer.userId,
    },
  });
}

/**
 * Starts a draft: at its scheduledAt if that is still ahead (SCHEDULED), else now — every
 * recipient becomes one outbox row (RUNNING) and the outbox sends them at the number's rate.
 */
export async function startCampaign(deps: CampaignDependencies, viewer: Viewer, id: string): Promise<Campaign> {
  requireAdmin(viewer, "start campaigns");
  const campaign = await requireCampaign(deps.db, viewer.workspaceId, id);
  if (campaign.status !== "DRAFT") throw new CampaignStateError(campaign.status, `Only a draft can be started; this campaign is ${campaign.status}`);
  await sendingNumberOf(deps, viewer.workspaceId, campaign.fromPhoneNumberId);
  if (campaign.scheduledAt && campaign.scheduledAt.getTime() > Date.now()) {
    const scheduled = await transition(deps, campaign, ["DRAFT"], { status: "SCHEDULED" });
    return scheduled;
  }
  return queueCampaign(deps, campaign, ["DRAFT"], viewer.userId);
}

/**
 * The business number the campaign leaves from: the one it names (checked to be the workspace's
 * and able to send), else the workspace's first that can send — as for any send (send.service.ts).
 */
export async function sendingNumberOf(deps: CampaignDependencies, workspaceId: string, requested: string | null): Promise<string> {
  const { first } = await sendingNumbers(deps, workspaceId, requested);
  await ensureConfigured(deps, { from: first });
  return first;
}

/** Moves the campaign from one of `from` to the new state, or says why it cannot (someone else moved it first). */
async function transition(deps: CampaignDependencies, campaign: Campaign, from: CampaignStatus[], data: Prisma.CampaignUpdateManyMutationInput) {
  const { count } = await serializedWrite(deps.db, () => deps.db.campaign.updateMany({ where: { id: campaign.id, status: { in: from } }, data }));
  const now = await deps.db.campaign.findUniqueOrThrow({ where: { id: campaign.id } });
  if (count === 0) throw new CampaignStateError(now.status, `This campaign is ${now.status}`);
  publishCampaign(deps.pubsub, now);
  return now;
}

/**
 * Every recipient as one QUEUED outbox row, in one transaction with the move to RUNNING: a
 * campaign is queued once, however many instances or requests start it at the same moment
 * (the move is conditional, and each row's idempotency key is the campaign's and the contact's).
 */
export async function queueCampaign(deps: CampaignDependencies, campaign: Campaign, from: CampaignStatus[], userId: string | null): Promise<Campaign> {
  const { db } = deps;
  const parameters = bodyParametersOf(campaign);
  const sendingNumber = await sendingNumberOf(deps, campaign.workspaceId, campaign.fromPhoneNumberId);
  const { recipients, exclusions } = await resolveAudience(db, campaign.workspaceId, sendingNumber, audienceOf(campaign), {
    marketing: campaign.templateCategory === "MARKETING",
    optedInOnly: campaign.optedInOnly,
    parameters,
  });
  // Meta's messaging limit: refused before anything is queued, or split over days as the admin chose.
  const plan = await planAgainstLimit(db, { workspaceId: campaign.workspaceId, businessPhoneNumberId: sendingNumber, recipients, splitOverDays: campaign.splitOverDays });
  if (plan.verdict === "REFUSED") throw new MessagingLimitError(plan);
  const template = await templateOf(deps.templates, campaign.workspaceId, sendingNumber, campaign.templateName, campaign.languageCode);
  const estimate = estimatedCostOf(deps.config, campaign.templateCategory, recipients);
  // On the driver, not Prisma's client: 100,000 rows through the client took half a minute.
  const queued = await serializedWrite(db, () =>
    driverTransaction(db, async (tx) => {
      const sql = sqlValues(providerOf(db));
      const now = new Date();
      const moved = await tx.execute(Prisma.sql`
        UPDATE "Campaign" SET "status" = ${sql.enumValue("RUNNING", "CampaignStatus")}, "startedAt" = ${sql.dateTime(now)}, "updatedAt" = ${sql.dateTime(now)},
          "total" = ${sql.integer(recipients.length)}, "exclusions" = ${sql.text(JSON.stringify(exclusions))}, "estimatedCost" = ${estimate === null ? null : estimate}
        WHERE "id" = ${sql.text(campaign.id)} AND "status" IN (${Prisma.join(from.map((status) => sql.enumValue(status, "CampaignStatus")))})`);
      if (moved === 0) return false;
      await insertRecipients(tx, providerOf(db), campaign, sendingNumber, recipients, template ?? null, userId, now, plan.notBefore);
      return true;
    }),
  );
  const now = await db.campaign.findUniqueOrThrow({ where: { id: campaign.id } });
  if (!queued) throw new CampaignStateError(now.status, `This campaign is ${now.status}`);
  deps.logger.info({ campaignId: campaign.id, recipients: recipients.length, exclusions }, `Campaign "${campaign.name}" queued ${countOf(recipients.length, "recipient")}`);
  publishCampaign(deps.pubsub, now);
  return now;
}

export function estimatedCostOf(config: Config, category: string | null, recipients: readonly CampaignRecipient[]) {
  if (!category) return null;
  // Countries by the first digits: the metadata lookup costs tens of microseconds a number.
  const countries = new Map<string, string | null>();
  const groups = new Map<string | null, number>();
  for (const { waId, userId } of recipients) {
    const prefix = waId ? waId.slice(0, 6) : (userId?.slice(0, 2) ?? "");
    if (!countries.has(prefix)) countries.set(prefix, customerCountry(waId, userId));
    const country = countries.get(prefix)!;
    groups.set(country, (groups.get(country) ?? 0) + 1);
  }
  return estimateCost(
    [...groups].map(([country, messages]) => ({ country, category: category.toLowerCase(), messages })),
    config.WHATSAPP_PRICING_RATES,
  ).amount;
}

/**
 * Rows per INSERT of recipients: only the few values that differ per recipient are parameters
 * (the rest are the statement's own), so a statement takes many more rows than insertRows' 500.
 */
const RECIPIENT_ROWS_PER_STATEMENT = 2_000;

/**
 * `(VALUES (…), (…)) AS v`, one row per item, its columns v.column1, v.column2… (both databases
 * name a VALUES list's columns so). Built as one Prisma.Sql from plain strings: a Prisma.sql
 * fragment per value cost more than the insert itself at 100,000 recipients.
 */
function valuesTable(postgres: boolean, rows: ReadonlyArray<ReadonlyArray<string | null>>): Prisma.Sql {
  // PostgreSQL types a VALUES list's parameters only through casts; SQLite takes them as they are.
  const [open, close] = postgres ? ["CAST(", " AS TEXT)"] : ["", ""];
  const strings: string[] = [];
  const values: Array<string | null> = [];
  let pending = "(VALUES ";
  rows.forEach((row, index) => {
    pending += index === 0 ? "(" : "), (";
    row.forEach((value, column) => {
      strings.push(pending + (column === 0 ? "" : ", ") + open);
      values.push(value);
      pending = close;
    });
  });
  strings.push(`${pending})) AS v`);
  return new Prisma.Sql(strings, values);
}

/**
 * UUIDv7 ids for many rows from one draw of randomness: uuid's v7() asks the OS for 16 bytes per
 * id, a second per 100,000 — more than the rows' insert.
 */
function uuidv7s(count: number): string[] {
  const random = randomFillSync(new Uint8Array(16 * count));
  return Array.from({ length: count }, (_, index) => uuidv7({ random: random.subarray(16 * index, 16 * index + 16) }));
}

/** Set-based inserts: a conversation for each customer who has none, then one outbox row each. */
async function insertRecipients(
  tx: DriverTransaction,
  provider: DatabaseProvider,
  campaign: Campaign,
  businessPhoneNumberId: string,
  recipients: readonly CampaignRecipient[],
  template: CachedTemplate | null,
  userId: string | null,
  now: Date,
  /** Recipients beyond today's messaging limit: the outbox sends none before its time. */
  notBefore: ReadonlyMap<string, Date> = new Map(),
) {
  const sql = sqlValues(provider);
  const postgres = provider === "postgresql";
  const at = sql.dateTime(now);
  const { workspaceId } = campaign;
  const texts = recipients.map((recipient) => (template ? renderTemplate(template.body, recipient.parameters) : recipient.parameters.join(" · ") || null));
  const previewOf = (text: string | null) => (text ? oneLine(text) : `[Template] ${campaign.templateName}`);
  const previews = texts.map(previewOf);
  const withoutConversation = recipients.flatMap((recipient, index) => (recipient.conversationId ? [] : [{ recipient, index }]));
  const conversationIds = new Map<string, string>();
  const newConversationIds = uuidv7s(withoutConversation.length);
  let offset = 0;
  for (const chunk of statementChunks(withoutConversation, RECIPIENT_ROWS_PER_STATEMENT)) {
    const ids = newConversationIds.slice(offset, (offset += chunk.length));
    // A new conversation lists the campaign's message, as an agent's template send would; an existing one keeps its place in the inbox.
    // (WHERE true: SQLite reads ON CONFLICT after a bare FROM as a join's constraint.)
    const inserted = await tx.query<{ id: string; waId: string }>(Prisma.sql`
      INSERT INTO "Conversation" ("id", "workspaceId", "businessPhoneNumberId", "waId", "contactId", "lastMessageAt", "lastMessagePreview", "createdAt", "updatedAt")
      SELECT v.column1, ${sql.text(workspaceId)}, ${sql.text(businessPhoneNumberId)}, v.column2, v.column3, ${at}, v.column4, ${at}, ${at}
      FROM ${valuesTable(postgres, chunk.map(({ recipient, index }, row) => [ids[row]!, recipient.waId, recipient.contactId, previews[index]!]))}
      WHERE true
      ON CONFLICT DO NOTHING RETURNING "id", "waId"`);
    // A customer who wrote meanwhile has a conversation already: theirs is used.
    const known = new Set(inserted.map((row) => row.waId));
    const others = chunk.filter(({ recipient }) => !known.has(recipient.waId!));
    const rows =
      others.length === 0
        ? inserted
        : [
            ...inserted,
            ...(await tx.query<{ id: string; waId: string }>(
              Prisma.sql`SELECT "id", "waId" FROM "Conversation" WHERE "workspaceId" = ${sql.text(workspaceId)} AND "businessPhoneNumberId" = ${sql.text(businessPhoneNumberId)} AND "waId" IN (${Prisma.join(others.map(({ recipient }) => sql.text(recipient.waId)))})`,
            )),
          ];
    for (const row of rows) conversationIds.set(row.waId, row.id);
  }
  const messageIds = uuidv7s(recipients.length);
  // Recipients beyond today's messaging limit wait for their day: one group per not-before time.
  const groups = new Map<number | null, number[]>();
  recipients.forEach((recipient, index) => {
    const key = notBefore.get(recipient.contactId)?.getTime() ?? null;
    const group = groups.get(key);
    if (group) group.push(index);
    else groups.set(key, [index]);
  });
  for (const [waitUntil, indexes] of groups) {
    const due = waitUntil === null ? null : new Date(waitUntil);
    for (const chunk of statementChunks(indexes, RECIPIENT_ROWS_PER_STATEMENT)) {
      const rows = chunk.map((index) => {
        const recipient = recipients[index]!;
        const request: OutboundRequest = { type: "template", to: recipient.waId ?? recipient.userId!, name: campaign.templateName, languageCode: campaign.languageCode, bodyParameters: recipient.parameters };
        return [
          messageIds[index]!,
          recipient.conversationId ?? conversationIds.get(recipient.waId!)!,
          texts[index]!,
          previews[index]!,
          JSON.stringify(request),
          recipientKey(campaign.id, recipient.contactId),
        ];
      });
      // What every recipient's row shares is written once in the statement, not once per row.
      await tx.execute(Prisma.sql`
        INSERT INTO "WhatsAppMessage" ("id", "conversationId", "text", "preview", "raw", "idempotencyKey", "workspaceId", "businessPhoneNumberId", "direction", "type",
          "templateName", "templateLanguage", "status", "timestamp", "nextAttemptAt", "attempts", "mediaAttempts", "sentByUserId", "campaignId", "createdAt", "updatedAt")
        SELECT v.column1, v.column2, v.column3, v.column4, v.column5, v.column6, ${sql.text(workspaceId)}, ${sql.text(businessPhoneNumberId)},
          ${sql.enumValue("OUTBOUND", "MessageDirection")}, ${sql.text("template")}, ${sql.text(campaign.templateName)}, ${sql.text(campaign.languageCode)},
          ${sql.enumValue("QUEUED", "MessageStatus")}, ${due ? sql.dateTime(due) : at}, ${due ? sql.dateTime(due) : at}, ${sql.integer(0)}, ${sql.integer(0)}, ${sql.text(userId)}, ${sql.text(campaign.id)}, ${at}, ${at}
        FROM ${valuesTable(postgres, rows)}`);
    }
  }
}

/** A recipient's row is its campaign's and its contact's: queued twice, it is refused (and the supervisor reads the contact back). */
export const recipientKey = (campaignId: string, contactId: string) => `campaign:${campaignId}:${contactId}`;

/** No recipient not yet claimed is sent until an admin resumes it (claimed ones finish). */
export async function pauseCampaign(deps: CampaignDependencies, viewer: Viewer, id: string) {
  requireAdmin(viewer, "pause campaigns");
  const campaign = await requireCampaign(deps.db, viewer.workspaceId, id);
  return transition(deps, campaign, ["RUNNING"], { status: "PAUSED", pausedReason: "Paused by an admin" });
}

export async function resumeCampaign(deps: CampaignDependencies, viewer: Viewer, id: string) {
  requireAdmin(viewer, "resume campaigns");
  const campaign = await requireCampaign(deps.db, viewer.workspaceId, id);
  return transition(deps, campaign, ["PAUSED"], { status: "RUNNING", pausedReason: null, resumedAt: new Date() });
}

/** Nothing more is sent: recipients not yet claimed are dropped (rows under way finish, and are counted). */
export async function cancelCampaign(deps: CampaignDependencies, viewer: Viewer, id: string) {
  requireAdmin(viewer, "cancel campaigns");
  const campaign = await requireCampaign(deps.db, viewer.workspaceId, id);
  const cancelled = await transition(deps, campaign, ["DRAFT", "SCHEDULED", "RUNNING", "PAUSED"], { status: "CANCELLED", completedAt: new Date() });
  await dropUnsent(deps.db, cancelled.id);
  return deps.db.campaign.findUniqueOrThrow({ where: { id: cancelled.id } });
}

/**
 * Deletes a cancelled campaign's rows that no worker holds, and counts them. A row claimed when
 * the campaign was cancelled is either sent or, if its worker died, dropped here once its lease ends.
 */
export async function dropUnsent(db: Database, campaignId: string) {
  const now = new Date();
  return serializedWrite(db, () =>
    db.$transaction(async (tx) => {
      const { count } = await tx.whatsAppMessage.deleteMany({
        // Not a row whose request may have reached Meta: its status may still come (the outbox settles it).
        where: { campaignId, status: { in: ["PENDING", "QUEUED"] }, sendStartedAt: null, OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }] },
      });
      if (count > 0) await tx.campaign.update({ where: { id: campaignId }, data: { cancelled: { increment: count } } });
      return count;
    }),
  );
}

/** Pauses every running campaign of the workspace, saying why; an admin resumes them. */
export async function pauseRunning(deps: CampaignDependencies, where: Prisma.CampaignWhereInput, reason: string) {
  const running = await deps.db.campaign.findMany({ where: { ...where, status: "RUNNING" } });
  for (const campaign of running) {
    const { count } = await serializedWrite(deps.db, () =>
      deps.db.campaign.updateMany({ where: { id: campaign.id, status: "RUNNING" }, data: { status: "PAUSED", pausedReason: reason } }),
    );
    if (count === 0) continue;
    deps.logger.warn({ campaignId: campaign.id }, `Campaign "${campaign.name}" paused: ${reason}`);
    publishCampaign(deps.pubsub, campaign);
  }
  return running.length;
}

export interface CampaignProgress {
  queued: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  cancelled: number;
  replied: number;
  failures: Array<{ code: number | null; title: string; count: number }>;
}

const EVER_SENT = ["SENT", "DELIVERED", "READ", "PLAYED"] as const;

/** Where a customer's reply counts for the campaign: up to 72 hours after it finished (or now). */
export const REPLY_WINDOW_MS = 72 * 3600_000;

/** The campaign's recipients by outcome, from their outbox rows and status webhooks. */
/** Not a message status: the row of `campaignProgress`'s statement that carries the cancelled count. */
const CANCELLED_COUNTER = "(cancelled)";

export async function campaignProgress(db: Database, campaign: Campaign): Promise<CampaignProgress> {
  // One statement, so one snapshot: a cancel deletes unsent rows and counts them in `cancelled` in
  // one transaction, and two reads could see the rows gone but not yet counted.
  const rows = await db.$queryRaw<Array<{ status: string; count: bigint | number }>>`
    SELECT CAST("status" AS TEXT) AS "status", COUNT(*) AS "count" FROM "WhatsAppMessage" WHERE "campaignId" = ${campaign.id} GROUP BY "status"
    UNION ALL SELECT ${CANCELLED_COUNTER}, "cancelled" FROM "Campaign" WHERE "id" = ${campaign.id}`;
  const count = (...statuses: string[]) => rows.filter((row) => statuses.includes(row.status)).reduce((sum, row) => sum + Number(row.count), 0);
  const failures = await db.whatsAppMessage.groupBy({
    by: ["errorCode", "errorTitle"],
    where: { campaignId: campaign.id, status: "FAILED" },
    _count: { _all: true },
  });
  return {
    queued: count("PENDING", "QUEUED"),
    sent: count(...EVER_SENT),
    delivered: count("DELIVERED", "READ", "PLAYED"),
    read: count("READ", "PLAYED"),
    failed: count("FAILED"),
    cancelled: count(CANCELLED_COUNTER),
    replied: await repliedCount(db, campaign),
    failures: failures
      .map((row) => ({ code: row.errorCode, title: row.errorTitle ?? "Unknown error", count: row._count._all }))
      .sort((a, b) => b.count - a.count),
  };
}

/** Where the campaign's replies are looked for: from its start until 72 hours after it finished (or now). */
function replyWindow(campaign: Campaign) {
  const until = new Date((campaign.completedAt ?? new Date()).getTime() + REPLY_WINDOW_MS);
  // Meta stamps a customer's message in whole seconds: a reply in the second the campaign started is stamped before it.
  const from = campaign.startedAt && new Date(Math.floor(campaign.startedAt.getTime() / 1000) * 1000);
  return { from, until };
}

/**
 * The condition that the campaign's message `m` was sent and its customer wrote back in the
 * window: the one definition of "replied" for the counts, the labels and the recipients' CSV.
 */
export function repliedCondition(db: Database, campaign: Campaign) {
  const sql = sqlValues(providerOf(db));
  const { from, until } = replyWindow(campaign);
  const sent = Prisma.join(EVER_SENT.map((status) => sql.enumValue(status, "MessageStatus")));
  return Prisma.sql`m."status" IN (${sent})
      AND EXISTS (SELECT 1 FROM "WhatsAppMessage" r WHERE r."conversationId" = m."conversationId" AND r."direction" = ${sql.enumValue("INBOUND", "MessageDirection")}
        AND r."timestamp" >= ${sql.dateTime(from)} AND r."timestamp" < ${sql.dateTime(until)})`;
}

/**
 * The conversations `c` of the campaign's customers who wrote back in the window. Looked for among
 * the customers who wrote since it started (an index on the conversation's last inbound time), not
 * among its recipients: of 100,000 recipients, the count read every recipient's conversation and
 * held the event loop 250 ms, at every progress read while the campaign sent.
 */
function repliedConversations(db: Database, campaign: Campaign, extra: Prisma.Sql = Prisma.empty) {
  const sql = sqlValues(providerOf(db));
  return Prisma.sql`
    FROM "Conversation" c
    WHERE c."workspaceId" = ${sql.text(campaign.workspaceId)} AND c."lastInboundAt" >= ${sql.dateTime(replyWindow(campaign).from)}
      AND EXISTS (SELECT 1 FROM "WhatsAppMessage" m WHERE m."conversationId" = c."id" AND m."campaignId" = ${sql.text(campaign.id)} AND ${repliedCondition(db, campaign)})${extra}`;
}

/** The label a campaign's replies wear in the inbox: "Campaign: <name>", within a label's 40 characters. */
export const replyLabelName = (campaign: Pick<Campaign, "name">) => `Campaign: ${campaign.name}`.slice(0, 40).trim();

/**
 * Puts the campaign's label on the conversations of customers who replied, so that agents find
 * them in the inbox (label filter). The label is made at the first reply. Answers the conversations labelled.
 */
export async function labelReplies(db: Database, campaign: Campaign): Promise<string[]> {
  if (!campaign.startedAt) return [];
  const name = replyLabelName(campaign);
  const existing = await db.label.findUnique({ where: { workspaceId_name: { workspaceId: campaign.workspaceId, name } }, select: { id: true } });
  const unlabelled = existing
    ? Prisma.sql` AND NOT EXISTS (SELECT 1 FROM "ConversationLabel" cl WHERE cl."conversationId" = c."id" AND cl."labelId" = ${existing.id})`
    : Prisma.empty;
  const rows = await db.$queryRaw<Array<{ conversationId: string }>>`SELECT c."id" AS "conversationId" ${repliedConversations(db, campaign, unlabelled)}`;
  if (rows.length === 0) return [];
  const label = existing ?? (await serializedWrite(db, () => db.label.upsert({ where: { workspaceId_name: { workspaceId: campaign.workspaceId, name } }, create: { workspaceId: campaign.workspaceId, name, color: "#7e57c2" }, update: {} })));
  const conversationIds = rows.map((row) => row.conversationId);
  // Another instance may label the same conversations at the same moment: those already there are skipped.
  const present = new Set((await db.conversationLabel.findMany({ where: { labelId: label.id, conversationId: { in: conversationIds } }, select: { conversationId: true } })).map((row) => row.conversationId));
  const missing = conversationIds.filter((id) => !present.has(id));
  await serializedWrite(db, () => db.conversationLabel.createMany({ data: missing.map((conversationId) => ({ conversationId, labelId: label.id })) })).catch((error: unknown) => {
    if (!isUniqueViolation(error)) throw error;
  });
  return missing;
}

async function repliedCount(db: Database, campaign: Campaign) {
  if (!campaign.startedAt) return 0;
  const [row] = await db.$queryRaw<Array<{ replied: bigint | number }>>`SELECT COUNT(*) AS replied ${repliedConversations(db, campaign)}`;
  return Number(row?.replied ?? 0);
}

export function exclusionsOf(campaign: Pick<Campaign, "exclusions">): Exclusions {
  return campaign.exclusions ? (JSON.parse(campaign.exclusions) as Exclusions) : {};
}
