import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** A fresh secret for a session cookie, CSRF token or API token; `prefix` makes leaked tokens greppable. */
export function generateToken(prefix = ""): string {
  return prefix + randomBytes(32).toString("base64url");
}

/** Tokens are stored only as their SHA-256: a database leak does not leak working credentials. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function tokensEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export const API_TOKEN_PREFIX = "bcrm_";
