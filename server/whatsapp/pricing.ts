import { isSupportedCountry } from "libphonenumber-js/max";
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
