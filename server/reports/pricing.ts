import { isBsuid } from "../whatsapp/customer-id.ts";
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { ANY_COUNTRY, type PricingRates } from "../whatsapp/pricing.ts";

/** Estimates from Meta's rate card (whatsapp/pricing.ts, set by WHATSAPP_PRICING_RATES). */
/**
 * The customer's country from their WhatsApp id. A number the metadata cannot place exactly
 * (a new range, a shared calling code) counts for its calling code's main country (+1: US).
 * A customer whose number is hidden counts for the country their BSUID starts with (IN.…).
 */
export function customerCountry(waId: string | null, userId: string | null = null): string | null {
  if (!waId) return userId && isBsuid(userId) ? userId.slice(0, 2) : null;
  const parsed = parsePhoneNumberFromString(`+${waId}`);
  return parsed?.country ?? parsed?.getPossibleCountries()[0] ?? null;
}

/** The rate for one message, or null when none is configured (counted as "unpriced"). */
export function rateFor(pricing: PricingRates, country: string | null, category: string | null): number | null {
  if (!category) return null;
  const key = category.toLowerCase();
  return (country ? pricing.rates[country]?.[key] : undefined) ?? pricing.rates[ANY_COUNTRY]?.[key] ?? null;
}

export interface BillableGroup {
  category: string | null;
  country: string | null;
  messages: number;
}

export interface CostLine extends BillableGroup {
  /** Per message; null when no rate is configured for this country and category. */
  rate: number | null;
  amount: number;
}

export interface CostEstimate {
  currency: string;
  amount: number;
  billableMessages: number;
  /** Billable messages without a configured rate: not in `amount`. */
  unpricedMessages: number;
  lines: CostLine[];
}

/** Money sums of float rates drift (0.1 + 0.2): four decimals is finer than any rate card. */
const round = (amount: number) => Math.round(amount * 10_000) / 10_000;

/** The estimate for billable messages grouped by category and country; the costliest line first. */
export function estimateCost(groups: Iterable<BillableGroup>, pricing: PricingRates): CostEstimate {
  const lines: CostLine[] = [];
  let amount = 0;
  let billableMessages = 0;
  let unpricedMessages = 0;
  for (const group of groups) {
    const rate = rateFor(pricing, group.country, group.category);
    const lineAmount = rate === null ? 0 : rate * group.messages;
    lines.push({ ...group, rate, amount: round(lineAmount) });
    amount += lineAmount;
    billableMessages += group.messages;
    if (rate === null) unpricedMessages += group.messages;
  }
  lines.sort((a, b) => b.amount - a.amount || b.messages - a.messages);
  return { currency: pricing.currency, amount: round(amount), billableMessages, unpricedMessages, lines };
}
