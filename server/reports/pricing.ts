import { isSupportedCountry, parsePhoneNumberFromString } from "libphonenumber-js/max";
import { z } from "zod";

/**
 * What Meta charges per delivered billable message, by the customer's country and the pricing
 * category its status webhooks report (`marketing`, `utility`, `authentication`,
 * `authentication_international`, `service`, `referral_conversion`…). `"*"` is any country
 * not listed. These are estimates: Meta's invoice (volume tiers, taxes, currency) is the truth.
 */
export interface PricingRates {
  /** ISO 4217, e.g. INR: every rate and every estimate is in it. */
  currency: string;
  rates: Record<string, Record<string, number>>;
}

/**
 * Meta's published India rate card in INR, effective 1 January 2026 (per message):
 * marketing ₹0.8631, utility ₹0.1150, authentication ₹0.1150; service replies are free.
 * Utility and authentication rates fall in volume tiers above 750,000 messages a month,
 * which this estimate leaves out.
 */
export const INDIA_DEFAULT_RATES: PricingRates = {
  currency: "INR",
  rates: { IN: { marketing: 0.8631, utility: 0.115, authentication: 0.115, service: 0 } },
};

export const ANY_COUNTRY = "*";

const rateTable = z.record(
  z.string().min(1).transform((category) => category.toLowerCase()),
  z.number("rates must be numbers").nonnegative("rates must be zero or more"),
);

/** The JSON shape of `WHATSAPP_PRICING_RATES`. */
export const pricingRatesSchema = z.object({
  currency: z.string().regex(/^[A-Z]{3}$/, "currency must be a three-letter code such as INR"),
  // Checked by hand: a refused record key only says "Invalid key in record".
  rates: z.record(z.string(), rateTable).superRefine((rates, context) => {
    for (const country of Object.keys(rates)) {
      if (country !== ANY_COUNTRY && !isSupportedCountry(country)) {
        context.addIssue({ code: "custom", path: [country], message: "rates keys must be country codes such as IN, or *" });
      }
    }
  }),
});

/** `WHATSAPP_PRICING_RATES` as text: JSON parsed, then checked against {@link pricingRatesSchema}. */
export const pricingRatesJson = z
  .string()
  .transform((text, context) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      context.addIssue({ code: "custom", message: 'must be JSON such as {"currency":"INR","rates":{"IN":{"marketing":0.8631}}}' });
      return z.NEVER;
    }
  })
  .pipe(pricingRatesSchema);

/**
 * The customer's country from their WhatsApp id. A number the metadata cannot place exactly
 * (a new range, a shared calling code) counts for its calling code's main country (+1: US).
 */
export function customerCountry(waId: string): string | null {
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
