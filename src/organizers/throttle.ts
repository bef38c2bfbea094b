/**
 * Failed sign-ins, remembered per key (an account, an address) over a sliding window.
 *
 * - The first `freeFailures` in the window cost nothing: people mistype.
 * - After that each further try must wait, doubling from `baseDelayMs` up to `maxDelayMs` after the
 *   latest failure (slowed: a guesser gets a handful of tries a minute instead of thousands).
 * - At `maxFailures` in the window every try is refused until the oldest failures age out.
 *
 * With the account policy a guesser gets 10 tries in the first half minute and then about one
 * every 90 seconds (as the oldest failures leave the window): under a thousand a day, against
 * passwords of at least 12 characters. Nothing is permanent: once the failures are older than the window the key is free again, so an
 * attacker can hold an account back at most while they keep trying, never lock it for good. A
 * success clears the account's record. (Not the address's: one valid account must not let its
 * holder reset the counter they use to guess at others.)
 *
 * Kept in memory, not in SQLite: a failed guess should not cost a database write (that would hand
 * a guesser a way to load the disk), the figures matter only for minutes, and a restart forgetting
 * them is harmless. The cost is that several processes each keep their own counts; the limits then
 * apply per process, which is still a ceiling. The map is bounded so a flood of keys cannot grow it.
 */
export interface ThrottlePolicy {
  windowMs: number;
  freeFailures: number;
  maxFailures: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const ACCOUNT_POLICY: ThrottlePolicy = {
  windowMs: 15 * 60_000,
  freeFailures: 5,
  maxFailures: 10,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
};

/** An address may be an office or a mobile network's shared exit, so it gets more room. */
export const ADDRESS_POLICY: ThrottlePolicy = {
  windowMs: 15 * 60_000,
  freeFailures: 10,
  maxFailures: 30,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
};

const MAX_KEYS = 10_000;

export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface LoginThrottle {
  check(key: string, now: number): ThrottleVerdict;
  fail(key: string, now: number): void;
  clear(key: string): void;
}

export function createLoginThrottle(policy: ThrottlePolicy): LoginThrottle {
  const failures = new Map<string, number[]>();

  const recent = (key: string, now: number): number[] => {
    const kept = (failures.get(key) ?? []).filter((t) => t > now - policy.windowMs);
    if (kept.length) failures.set(key, kept);
    else failures.delete(key);
    return kept;
  };

  const sweep = (now: number) => {
    for (const key of [...failures.keys()]) recent(key, now);
    // Still full of live keys (a flood): forget the oldest-inserted ones.
    for (const key of failures.keys()) {
      if (failures.size < MAX_KEYS) break;
      failures.delete(key);
    }
  };

  return {
    check(key, now) {
      const times = recent(key, now);
      const n = times.length;
      let retryAt = 0;
      if (n >= policy.maxFailures) {
        // Sliding: free again once enough of the oldest failures leave the window.
        retryAt = (times[n - policy.maxFailures] ?? now) + policy.windowMs;
      } else if (n >= policy.freeFailures) {
        const delay = Math.min(policy.baseDelayMs * 2 ** (n - policy.freeFailures), policy.maxDelayMs);
        retryAt = (times[n - 1] ?? now) + delay;
      }
      return retryAt > now
        ? { allowed: false, retryAfterSeconds: Math.ceil((retryAt - now) / 1000) }
        : { allowed: true };
    },
    fail(key, now) {
      if (!failures.has(key) && failures.size >= MAX_KEYS) sweep(now);
      failures.set(key, [...recent(key, now), now]);
    },
    clear(key) {
      failures.delete(key);
    },
  };
}
