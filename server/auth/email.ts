/**
 * One spelling per email address, for storing, looking up and rate limiting alike: were the
 * limiter to key on another spelling than the lookup, `" agent@x"` or `"agent@x\t"` would each
 * get fresh attempts at the same account. NFKC folds compatibility forms (full-width letters,
 * ligatures) into the characters they stand for; the edges lose every Unicode space, including
 * the invisible ones `trim()` keeps (zero-width space, word joiner).
 */
const EDGE_SPACE = /^[\s\u180e\u200b-\u200d\u2060\ufeff]+|[\s\u180e\u200b-\u200d\u2060\ufeff]+$/gu;

export function normalizeEmail(email: string): string {
  return email.normalize("NFKC").replace(EDGE_SPACE, "").toLowerCase();
}
