/**
 * The workspace's copy of its WhatsApp Business Account's message templates (WhatsAppTemplate):
 * filled by a sync with the Cloud API, kept current by Meta's template status webhooks, read by
 * the picker and by template sends — so that neither waits for Meta.
 */
import type { Database } from "../db/client.ts";
import { serializedWrite } from "../db/write-queue.ts";
import type { WhatsAppTemplate } from "../generated/prisma/client.ts";
import type { CloudApi } from "../whatsapp/cloud-api.ts";
import { WhatsAppNotConfiguredError } from "../whatsapp-numbers/number-directory.ts";
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
 * Replaces the workspace's cache with every template of the business account (all pages, through
 * the Cloud API client): new ones added, changed ones updated, deleted ones removed — in one
 * transaction, so the picker never sees half a list.
 */
export async function syncTemplates(db: Database, cloudApi: CloudApi, workspaceId: string, now = new Date()): Promise<TemplateSyncResult> {
  const templates = await cloudApi.listTemplates();
  return serializedWrite(db, () =>
    db.$transaction(async (tx) => {
      for (const template of templates) {
        const fields = {
          metaId: template.id || null,
          category: template.category,
          status: template.status,
          components: JSON.stringify(template.components),
          syncedAt: now,
        };
        await tx.whatsAppTemplate.upsert({
          where: { workspaceId_name_language: { workspaceId, name: template.name, language: template.language } },
          create: { workspaceId, name: template.name, language: template.language, ...fields },
          // Meta's list does not say why a template was rejected; the status webhook did, so keep it.
          update: { ...fields, ...(template.status === "REJECTED" ? {} : { rejectedReason: null }) },
        });
      }
      // Every template still there was just stamped `now`: the rest were deleted at Meta.
      const removed = await tx.whatsAppTemplate.deleteMany({ where: { workspaceId, syncedAt: { lt: now } } });
      const count = await tx.whatsAppTemplate.count({ where: { workspaceId } });
      return { count, removed: removed.count, syncedAt: now };
    }),
  );
}

/**
 * The cache as the product uses it: a first use fills an empty cache, concurrent syncs of one
 * workspace share one request to Meta, and sends look their template up here. `cloudApiOf` gives
 * the workspace's client (its default number's, so its business account's templates); it refuses
 * with WhatsAppNotConfiguredError while the workspace has no number.
 */
export function createTemplateCatalog(db: Database, cloudApiOf: (workspaceId: string) => Promise<CloudApi>, clock = () => Date.now()) {
  const running = new Map<string, Promise<TemplateSyncResult>>();
  const emptyAt = new Map<string, number>();

  function sync(workspaceId: string): Promise<TemplateSyncResult> {
    let sync = running.get(workspaceId);
    if (!sync) {
      sync = cloudApiOf(workspaceId)
        .then((cloudApi) => syncTemplates(db, cloudApi, workspaceId))
        .finally(() => running.delete(workspaceId));
      running.set(workspaceId, sync);
      void sync.then((result) => (result.count === 0 ? emptyAt.set(workspaceId, clock()) : emptyAt.delete(workspaceId)), () => undefined);
    }
    return sync;
  }

  async function ensureFilled(workspaceId: string) {
    const lastEmpty = emptyAt.get(workspaceId);
    if (lastEmpty !== undefined && clock() - lastEmpty < EMPTY_RESYNC_MS) return;
    if (await db.whatsAppTemplate.findFirst({ where: { workspaceId }, select: { id: true } })) return;
    // No number yet: nothing to fill from, and the (empty) cache is the answer.
    await sync(workspaceId).catch((error: unknown) => {
      if (!(error instanceof WhatsAppNotConfiguredError)) throw error;
    });
  }

  return {
    sync,
    /** The cached templates with these statuses (all when `statuses` is empty), by name and language. */
    async list(workspaceId: string, statuses: readonly string[] = [APPROVED]): Promise<CachedTemplate[]> {
      await ensureFilled(workspaceId);
      const templates = await db.whatsAppTemplate.findMany({
        where: { workspaceId, ...(statuses.length > 0 ? { status: { in: [...statuses] } } : {}) },
        orderBy: [{ name: "asc" }, { language: "asc" }],
      });
      return templates.map(withContent);
    },
    /** The approved template to send, or null when the account has no such approved template. */
    async find(workspaceId: string, name: string, language: string): Promise<CachedTemplate | null> {
      await ensureFilled(workspaceId);
      const template = await db.whatsAppTemplate.findUnique({ where: { workspaceId_name_language: { workspaceId, name, language } } });
      return template?.status === APPROVED ? withContent(template) : null;
    },
  };
}

export type TemplateCatalog = ReturnType<typeof createTemplateCatalog>;
