/**
 * "Before sending": what a draft would do if started now — the audience after exclusions, each
 * recipient's message as WhatsApp will show it (paged, searchable), the estimated cost, and the
 * number's messaging limit with its verdict. Nothing is written.
 */
import { requireAdmin } from "../auth/roles.ts";
import type { Viewer } from "../auth/auth.service.ts";
import { formatPhoneInternational } from "../contacts/phone.ts";
import { renderTemplate } from "../templates/template-content.ts";
import { resolveAudience, type Exclusions } from "./audience.ts";
import {
  audienceOf,
  bodyParametersOf,
  CampaignStateError,
  estimatedCostOf,
  requireCampaign,
  sendingNumberOf,
  templateOf,
  type CampaignDependencies,
} from "./campaigns.service.ts";
import { planAgainstLimit, type LimitPlan } from "./messaging-limit.ts";

/** Rendered messages a page holds, at most. */
export const MAX_PREVIEW_PAGE = 100;

export interface PreviewMessage {
  contactId: string;
  contactName: string;
  /** "+91 98765 43210", or the customer's BSUID when only that is known. */
  to: string;
  /** The template's body with this recipient's variables; null when the template cannot be read now. */
  text: string | null;
  parameters: string[];
  /** When it may be sent: null now, else the day the messaging limit leaves room for it. */
  notBefore: Date | null;
}

export interface CampaignPreview {
  recipients: number;
  skipped: number;
  exclusions: Exclusions;
  estimatedCost: number | null;
  /** Recipients the search matched (all of them without one). */
  matching: number;
  messages: PreviewMessage[];
  limit: LimitPlan;
}

export interface PreviewPage {
  first?: number | null;
  offset?: number | null;
  /** Part of the contact's name or number. */
  search?: string | null;
}

export async function previewCampaign(deps: CampaignDependencies, viewer: Viewer, id: string, page: PreviewPage = {}): Promise<CampaignPreview> {
  requireAdmin(viewer, "preview campaigns");
  const campaign = await requireCampaign(deps.db, viewer.workspaceId, id);
  if (campaign.status !== "DRAFT" && campaign.status !== "SCHEDULED") {
    throw new CampaignStateError(campaign.status, `Only a campaign not yet started has a preview; this one is ${campaign.status}`);
  }
  const sendingNumber = await sendingNumberOf(deps, campaign.workspaceId, campaign.fromPhoneNumberId);
  const { recipients, exclusions } = await resolveAudience(deps.db, campaign.workspaceId, sendingNumber, audienceOf(campaign), {
    marketing: campaign.templateCategory === "MARKETING",
    optedInOnly: campaign.optedInOnly,
    parameters: bodyParametersOf(campaign),
  });
  const limit = await planAgainstLimit(deps.db, { workspaceId: campaign.workspaceId, businessPhoneNumberId: sendingNumber, recipients, splitOverDays: campaign.splitOverDays });
  const template = await templateOf(deps.templates, campaign.workspaceId, sendingNumber, campaign.templateName, campaign.languageCode);

  const term = page.search?.trim().toLowerCase() ?? "";
  // A number is searched by its digits ("98765 43210", "+91-98765"); a name by its letters.
  const digits = /^[\d\s+().-]+$/.test(term) ? term.replace(/\D/g, "") : "";
  const matching = term
    ? recipients.filter((recipient) => recipient.name?.toLowerCase().includes(term) || (digits.length > 0 && (recipient.waId ?? "").includes(digits)) || recipient.userId?.toLowerCase().includes(term))
    : recipients;
  const offset = Math.max(0, page.offset ?? 0);
  const first = Math.min(MAX_PREVIEW_PAGE, Math.max(0, page.first ?? 20));
  return {
    recipients: recipients.length,
    skipped: Object.values(exclusions).reduce((sum, count) => sum + (count ?? 0), 0),
    exclusions,
    estimatedCost: estimatedCostOf(deps.config, campaign.templateCategory, recipients),
    matching: matching.length,
    messages: matching.slice(offset, offset + first).map((recipient) => ({
      contactId: recipient.contactId,
      contactName: recipient.name ?? "",
      to: recipient.waId ? formatPhoneInternational(`+${recipient.waId}`) : recipient.userId!,
      text: template ? renderTemplate(template.body, recipient.parameters) : null,
      parameters: recipient.parameters,
      notBefore: limit.notBefore.get(recipient.contactId) ?? null,
    })),
    limit,
  };
}
