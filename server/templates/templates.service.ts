/**
 * The workspace's copy of the message templates of its WhatsApp Business Accounts (WhatsAppTemplate, one catalogue per account):
 * filled by a sync with the Cloud API, kept current by Meta's template status webhooks, read by
 * the picker and by template sends — so that neither waits for Meta.
 */
import type { Database } from "../db/client.ts";
import { serializedWrite } from "../db/write-queue.ts";
import type { WhatsAppTemplate } from "../generated/prisma/client.ts";
import type { CloudApi } from "../whatsapp/cloud-api.ts";
import { WhatsAppNotConfiguredError, type NumberDirectory } from "../whatsapp-numbers/number-directory.ts";
import { parseComponents, templateContent, type TemplateContent } from "./template-content.ts";

/** What agents may send. */
export const APPROVED = "APPROVED";
/**
 * An empty cache is filled on first use; a business account that truly has no template is asked
 * again at most this often, not on every picker opening. @default 60 s
 */
export const EMPTY_RESYNC_MS = 60_000;

export type CachedTemplate = WhatsAppTemplate & TemplateContent;

export interface TemplateSyncResult {
  /** Templates in the cache after the sync. */
  count: number;
  /** Templates that were cached but are gone from the business account. */
  removed: number;
  syncedAt: Date;
}

export function withContent(template: WhatsAppTemplate): CachedTemplate {
  return { ...template, ...templateContent(parseComponents(template.components)) };
}

/**
 * Replaces the workspace's cache of one business account with every template of that account (all
 * pages, through a client of one of its numbers): new ones added, changed ones updated, deleted
 * ones removed — in one transaction, so the picker never sees half a list.
 */
export async function syncTemplates(
  db: Database,
  cloudApi: CloudApi,
  workspaceId: string,
  businessAccountId: string | null,
  now = new Date(),
): Promise<TemplateSyncResult> {
  const templates = await cloudApi.listTemplates();
  const account = { workspaceId, businessAccountId };
  return serializedWrite(db, () =>
    db.$transaction(async (tx) => {
      // Looked up rather than upserted: Prisma's compound-unique lookup takes no null account.
      const cached = await tx.whatsAppTemplate.findMany({ where: account, select: { id: true, name: true, language: true } });
      const idOf = new Map(cached.map((template) => [`${template.name}\u0000${template.language}`, template.id]));
      for (const template of templates) {
        const fields = {
          metaId: template.id || null,
          category: template.category,
          status: template.status,
          components: JSON.stringify(template.components),
          syncedAt: now,
        };
        const id = idOf.get(`${template.name}\u0000${template.language}`);
        if (id === undefined) await tx.whatsAppTemplate.create({ data: { ...account, name: template.name, language: template.language, ...fields } });
        // Meta's list does not say why a template was rejected; the status webhook did, so keep it.
        else await tx.whatsAppTemplate.update({ where: { id }, data: { ...fields, ...(template.status === "REJECTED" ? {} : { rejectedReason: null }) } });
      }
      // Every template still there was just stamped `now`: the rest were deleted at Meta.
      const removed = await tx.whatsAppTemplate.deleteMany({ where: { ...account, syncedAt: { lt: now } } });
      const count = await tx.whatsAppTemplate.count({ where: account });
      return { count, removed: removed.count, syncedAt: now };
    }),
  );
}

/** What the catalogue needs of the number directory (whatsapp-numbers/). */
export type TemplateNumbers = Pick<NumberDirectory, "numbersOf" | "defaultNumberOf" | "cloudApiFor">;

/** A business account of a workspace, and the number its templates are fetched through. */
interface Account {
  workspaceId: string;
  businessAccountId: string | null;
  phoneNumberId: string;
}

/**
 * The cache as the product uses it, per business account: templates belong to a WABA, so a
 * workspace with numbers of two accounts has two catalogues. Each call names the number it is
 * for (the sending number; none: the workspace's default) and reads that number's account's
 * templates. A first use fills an empty cache, concurrent syncs of one account share one request
 * to Meta. It refuses with WhatsAppNotConfiguredError while the workspace has no such number.
 */
export function createTemplateCatalog(db: Database, numbers: TemplateNumbers, clock = () => Date.now()) {
  const running = new Map<string, Promise<TemplateSyncResult>>();
  const emptyAt = new Map<string, number>();
  const keyOf = (account: Pick<Account, "workspaceId" | "businessAccountId">) => `${account.workspaceId}\u0000${account.businessAccountId ?? ""}`;

  /** The account of this number of the workspace (none: its default number's). */
  async function accountOf(workspaceId: string, phoneNumberId?: string | null): Promise<Account> {
    const number = phoneNumberId
      ? (await numbers.numbersOf(workspaceId)).find((candidate) => candidate.phoneNumberId === phoneNumberId)
      : await numbers.defaultNumberOf(workspaceId);
    if (!number) throw phoneNumberId ? new WhatsAppNotConfiguredError([], `WhatsApp number ${phoneNumberId} is not connected to this workspace`) : new WhatsAppNotConfiguredError();
    return { workspaceId, businessAccountId: number.businessAccountId, phoneNumberId: number.phoneNumberId };
  }

  function syncAccount(account: Account): Promise<TemplateSyncResult> {
    const key = keyOf(account);
    let sync = running.get(key);
    if (!sync) {
      sync = numbers
        .cloudApiFor(account.phoneNumberId)
        .then((cloudApi) => syncTemplates(db, cloudApi, account.workspaceId, account.businessAccountId))
        .finally(() => running.delete(key));
      running.set(key, sync);
      void sync.then((result) => (result.count === 0 ? emptyAt.set(key, clock()) : emptyAt.delete(key)), () => undefined);
    }
    return sync;
  }

  async function ensureFilled(account: Account) {
    const lastEmpty = emptyAt.get(keyOf(account));
    if (lastEmpty !== undefined && clock() - lastEmpty < EMPTY_RESYNC_MS) return;
    if (await db.whatsAppTemplate.findFirst({ where: { workspaceId: account.workspaceId, businessAccountId: account.businessAccountId }, select: { id: true } })) return;
    // A number without a usable token: nothing to fill from, and the (empty) cache is the answer.
    await syncAccount(account).catch((error: unknown) => {
      if (!(error instanceof WhatsAppNotConfiguredError)) throw error;
    });
  }

  return {
    /** Fetches the templates of this number's business account (none: the default number's) from Meta now. */
    async sync(workspaceId: string, phoneNumberId?: string | null): Promise<TemplateSyncResult> {
      return syncAccount(await accountOf(workspaceId, phoneNumberId));
    },
    /**
     * After a status webhook named a template this account's cache lacks: synced through one of
     * the workspace's numbers of that account (nothing to do when it has none any more).
     */
    async syncAccount(workspaceId: string, businessAccountId: string): Promise<TemplateSyncResult | null> {
      const number = (await numbers.numbersOf(workspaceId)).find((candidate) => candidate.businessAccountId === businessAccountId);
      return number ? syncAccount({ workspaceId, businessAccountId, phoneNumberId: number.phoneNumberId }) : null;
    },
    /** The cached templates of this number's account with these statuses (all when `statuses` is empty), by name and language. */
    async list(workspaceId: string, phoneNumberId: string | null, statuses: readonly string[] = [APPROVED]): Promise<CachedTemplate[]> {
      const account = await accountOf(workspaceId, phoneNumberId);
      await ensureFilled(account);
      const templates = await db.whatsAppTemplate.findMany({
        where: { workspaceId, businessAccountId: account.businessAccountId, ...(statuses.length > 0 ? { status: { in: [...statuses] } } : {}) },
        orderBy: [{ name: "asc" }, { language: "asc" }],
      });
      return templates.map(withContent);
    },
    /** The approved template to send from this number, or null when its account has no such approved template. */
    async find(workspaceId: string, phoneNumberId: string | null, name: string, language: string): Promise<CachedTemplate | null> {
      const account = await accountOf(workspaceId, phoneNumberId);
      await ensureFilled(account);
      const template = await db.whatsAppTemplate.findFirst({ where: { workspaceId, businessAccountId: account.businessAccountId, name, language } });
      return template?.status === APPROVED ? withContent(template) : null;
    },
  };
}

export type TemplateCatalog = ReturnType<typeof createTemplateCatalog>;
