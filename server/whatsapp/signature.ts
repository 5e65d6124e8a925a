/**
 * Meta's webhook signature: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`,
 * keyed with the App Secret. Speaks only Meta's language: imports nothing of ours.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** The header Meta signs every webhook POST with (lower-case, as Node exposes headers). */
export const SIGNATURE_HEADER = "x-hub-signature-256";

const SIGNATURE_PREFIX = "sha256=";
/** `sha256=` and exactly 64 hex digits; anything else is refused before any comparison. */
const SIGNATURE_FORMAT = /^sha256=[0-9a-f]{64}$/i;

/** True when `header` has the form of Meta's signature; whether it is one needs the body. */
export function isWellFormedSignature(header: unknown): header is string {
  return typeof header === "string" && SIGNATURE_FORMAT.test(header);
}

/** The header value for these exact bytes: `sha256=<lower-case hex HMAC-SHA256>`. */
export function signPayload(rawBody: Buffer | string, appSecret: string): string {
  return SIGNATURE_PREFIX + createHmac("sha256", appSecret).update(rawBody).digest("hex");
}

/**
 * True only when `header` is a well-formed signature of exactly these bytes under `appSecret`.
 * Verify the bytes as received: Meta escapes non-ASCII characters (and `/`) in the body it signs,
 * so re-serialised JSON would not match. The digests are compared in constant time. An empty
 * secret verifies nothing, so a missing configuration can never accept forged payloads.
 */
export function verifySignature(rawBody: Buffer, header: string | undefined, appSecret: string): boolean {
  if (!appSecret || !isWellFormedSignature(header)) return false;
  const received = Buffer.from(header.slice(SIGNATURE_PREFIX.length), "hex");
  const expected = createHmac("sha256", appSecret).update(rawBody).digest();
  return received.length === expected.length && timingSafeEqual(received, expected);
}

/**
 * Meta's verification handshake: true when `received` (the `hub.verify_token` of the GET) is the
 * token we chose. Compared as SHA-256 digests in constant time, so that neither how much of a
 * guess is right nor how long the token is shows in the time the answer takes.
 */
export function verifyTokenMatches(received: unknown, expected: string | undefined): boolean {
  if (!expected || typeof received !== "string") return false;
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(received), digest(expected));
}
