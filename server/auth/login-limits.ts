import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";

/**
 * Failed logins allowed per minute. Per address and email: enough for typos, too few for
 * guessing one account's password. Per address across all emails: too few to try one common
 * password on many accounts (password spraying), enough for an office behind one NAT.
 */
export const LOGIN_LIMITS = {
  /** @default 10 */
  perAddressAndEmail: 10,
  /** @default 30 */
  perAddress: 30,
  /** @default 60 */
  windowSeconds: 60,
} as const;

export interface LoginLimits {
  /**
   * Takes one attempt from both budgets before the password is checked, so concurrent guesses
   * cannot all slip in; answers the seconds to wait when either budget is spent, else null.
   * `email` must be normalizeEmail's spelling: the lookup uses the same one.
   */
  take(address: string, email: string): Promise<number | null>;
  /** A login that succeeded gives its attempt back: only failures count. */
  giveBack(address: string, email: string): Promise<void>;
}

/** Counted in this process: with several instances, each allows its own budget. */
export function createLoginLimits(): LoginLimits {
  const perAddressAndEmail = new RateLimiterMemory({ points: LOGIN_LIMITS.perAddressAndEmail, duration: LOGIN_LIMITS.windowSeconds });
  const perAddress = new RateLimiterMemory({ points: LOGIN_LIMITS.perAddress, duration: LOGIN_LIMITS.windowSeconds });
  const budgets = (address: string, email: string) =>
    [
      [perAddressAndEmail, `${address} ${email}`],
      [perAddress, address],
    ] as const;
  return {
    async take(address, email) {
      const outcomes = await Promise.allSettled(budgets(address, email).map(([limiter, key]) => limiter.consume(key)));
      let waitMs = 0;
      for (const outcome of outcomes) {
        if (outcome.status === "fulfilled") continue;
        if (!(outcome.reason instanceof RateLimiterRes)) throw outcome.reason;
        waitMs = Math.max(waitMs, outcome.reason.msBeforeNext);
      }
      return waitMs > 0 ? Math.max(1, Math.ceil(waitMs / 1000)) : null;
    },
    async giveBack(address, email) {
      await Promise.all(budgets(address, email).map(([limiter, key]) => limiter.reward(key)));
    },
  };
}
