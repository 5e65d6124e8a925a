import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/max";

export const INVALID_PHONE_NUMBER = "Invalid phone number";

/** What people type into a phone field: digits, a leading +, and the usual separators. */
const PHONE_CHARACTERS = /^\+?[\d\s\-().]+$/;

/**
 * Turns what an agent typed ("98765 43210", "+91 98765-43210", "(987) 654-3210") into E.164
 * ("+919876543210"), reading national numbers as numbers of `defaultCountry`.
 * Returns null when the input is not a valid, dialable mobile or fixed number.
 */
export function toE164(input: string, defaultCountry: CountryCode): string | null {
  const trimmed = input.trim();
  if (!PHONE_CHARACTERS.test(trimmed)) return null;
  const parsed = parsePhoneNumberFromString(trimmed, defaultCountry);
  if (!parsed || parsed.ext || !parsed.isValid()) return null;
  return parsed.number;
}

/** WhatsApp's id for a number: its E.164 digits without the plus (`919876543210`). */
export function waIdOf(e164: string): string {
  return e164.replace(/^\+/, "");
}

/** The click-to-chat link that opens WhatsApp Web or the app on this number. */
export function waMeLink(e164: string): string {
  return `https://wa.me/${waIdOf(e164)}`;
}

/**
 * "+91 98765 43210": how a person reads a stored E.164 number (libphonenumber's international
 * format). A value the library cannot read is shown as stored rather than hidden.
 */
export function formatPhoneInternational(e164: string): string {
  return parsePhoneNumberFromString(e164)?.formatInternational() ?? e164;
}
