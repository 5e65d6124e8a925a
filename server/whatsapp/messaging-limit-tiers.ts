/**
 * Meta's messaging-limit tiers: new customers a business portfolio may reach business-initiated in
 * a moving 24 hours, by the names `whatsapp_business_manager_messaging_limit` and the webhooks give
 * (TIER_1K and TIER_50 are older ones still reported); null: unlimited.
 */
export const MESSAGING_LIMIT_TIERS: Readonly<Record<string, number | null>> = {
  TIER_50: 50,
  TIER_250: 250,
  TIER_1K: 1_000,
  TIER_2K: 2_000,
  TIER_10K: 10_000,
  TIER_100K: 100_000,
  TIER_UNLIMITED: null,
};

/** New customers a tier allows in 24 h; null: unlimited; undefined: the tier is not known. */
export function limitOfTier(tier: string | null | undefined): number | null | undefined {
  if (!tier || !Object.hasOwn(MESSAGING_LIMIT_TIERS, tier)) return undefined;
  return MESSAGING_LIMIT_TIERS[tier];
}

/** The tier of `business_capability_update`'s number (-1: unlimited), or undefined for one Meta has no name for. */
export function tierOfLimit(limit: number): string | undefined {
  return Object.keys(MESSAGING_LIMIT_TIERS).find((tier) => (MESSAGING_LIMIT_TIERS[tier] ?? -1) === limit);
}
