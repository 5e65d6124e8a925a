import type { CloudApi, MessageTemplate } from "../whatsapp/cloud-api.ts";

/** Templates change rarely; listing them on every composer open would spend Graph API calls. @default 60 s */
export const TEMPLATE_CACHE_MS = 60_000;

export interface ApprovedTemplate {
  name: string;
  language: string;
  category: string;
  /** The BODY component's text, with `{{1}}`, `{{2}}`… placeholders. */
  body: string;
  parameterCount: number;
}

export function toApprovedTemplate(template: MessageTemplate): ApprovedTemplate {
  const body = template.components.find((component) => component.type === "BODY")?.text ?? "";
  const placeholders = new Set(body.match(/\{\{\d+\}\}/g) ?? []);
  return { name: template.name, language: template.language, category: template.category, body, parameterCount: placeholders.size };
}

/** Fills `{{n}}` with the n-th parameter: what the customer will read. */
export function renderTemplate(body: string, parameters: readonly string[]): string {
  return body.replace(/\{\{(\d+)\}\}/g, (placeholder, index: string) => parameters[Number(index) - 1] ?? placeholder);
}

/** The business account's approved templates, cached briefly. */
export function createTemplateCatalog(cloudApi: CloudApi | null, ttlMs = TEMPLATE_CACHE_MS) {
  let cached: { at: number; templates: Promise<ApprovedTemplate[]> } | null = null;
  return {
    async list(): Promise<ApprovedTemplate[]> {
      if (!cloudApi) return [];
      if (!cached || Date.now() - cached.at > ttlMs) {
        const templates = cloudApi
          .listTemplates()
          .then((all) => all.filter((template) => template.status === "APPROVED").map(toApprovedTemplate));
        cached = { at: Date.now(), templates };
        templates.catch(() => (cached = null));
      }
      return cached.templates;
    },
    async find(name: string, language: string) {
      return (await this.list()).find((template) => template.name === name && template.language === language) ?? null;
    },
  };
}

export type TemplateCatalog = ReturnType<typeof createTemplateCatalog>;
