/**
 * Meta's identifiers of a customer other than the number. Since WhatsApp usernames (2026) a
 * customer may be known to a business only by a business-scoped user ID (BSUID).
 */

/**
 * A business-scoped user ID: two-letter country, a dot, up to 128 alphanumerics
 * (`IN.1502576394655843`); a parent BSUID, shared across a managed business's portfolios, has
 * `ENT.` after the country (`US.ENT.11815799212886844830`). Checked wherever one arrives, because
 * a BSUID names a conversation file when the number is hidden.
 */
export const BSUID_PATTERN = /^[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,128}$/;

export function isBsuid(value: string): boolean {
  return BSUID_PATTERN.test(value);
}
