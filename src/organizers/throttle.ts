import type { Signer } from '../http/signing.js';
import type { LoginAttemptRepository } from './repository.js';

/**
 * Sign-in attempts, remembered per key (an account, a device, an address) over a sliding window.
 *
 * - The first `freeFailures` in the window cost nothing: people mistype.
 * - After that each further try must wait, doubling from `baseDelayMs` up to `maxDelayMs` after the
 *   latest attempt (slowed: a guesser gets a handful of tries a minute instead of thousands).
 * - At `maxFailures` in the window every try is refused until the oldest attempts age out.
 *
 * With the account policy a guesser gets 5 tries at once, 10 in the first half minute and then about
 * one every 90 seconds (as the oldest leave the window): under a thousand a day, against passwords of
 * at least 12 characters. Nothing is permanent: once the attempts are older than the window the key is
 * free again, so an attacker can hold an account back at most while they keep trying, never lock it
 * for good. A success clears the account's record. (Not the address's: one valid account must not
 * let its holder reset the counter they use to guess at others.)
 *
 * An attempt is counted BEFORE its password is checked, in the same transaction as the check, so
 * guesses sent in parallel cannot all pass the check while the first ones are still hashing (issue
 * 11 measured 50 passwords checked against a ceiling of 10). A try that turns out right is then
 * taken off the address's count. The counts are in the database, so every process on it shares them.
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

/** How long (ms) a key with these attempt times (oldest first, all within the window) must wait; 0 to go on. */
export function waitFor(policy: ThrottlePolicy, times: number[], now: number): number {
  const recent = times.filter((t) => t > now - policy.windowMs);
  const n = recent.length;
  let retryAt = 0;
  if (n >= policy.maxFailures) {
    // Sliding: free again once enough of the oldest attempts leave the window.
    retryAt = (recent[n - policy.maxFailures] ?? now) + policy.windowMs;
  } else if (n >= policy.freeFailures) {
    const delay = Math.min(policy.baseDelayMs * 2 ** (n - policy.freeFailures), policy.maxDelayMs);
    retryAt = (recent[n - 1] ?? now) + delay;
  }
  return Math.max(0, retryAt - now);
}

/** One try being made: counted already, on every key. */
export interface Attempt {
  ids: number[];
  clearOnSuccess: string[];
}

export type ThrottleVerdict = { allowed: true; attempt: Attempt } | { allowed: false; retryAfterSeconds: number };

export interface ThrottleKey {
  /** Unique per thing throttled, e.g. "account:ann@example.org"; hashed before it is stored. */
  key: string;
  policy: ThrottlePolicy;
  /** A right password forgets this key's attempts (the account's, never the address's). */
  clearOnSuccess?: boolean;
}

export interface LoginThrottle {
  /** Counts a try on every key, unless one of them must wait first (then nothing is counted). */
  begin(keys: ThrottleKey[], now: number): Promise<ThrottleVerdict>;
  /** The password was right: its keys marked clearOnSuccess are cleared, and the try is not counted on the others. */
  succeeded(attempt: Attempt): Promise<void>;
  /** The password was never checked (the server was too busy): the try is not counted. */
  withdraw(attempt: Attempt): Promise<void>;
}

export function createLoginThrottle(repo: LoginAttemptRepository, signer: Signer): LoginThrottle {
  // Keys name accounts and addresses; only their HMAC is stored.
  const hashOf = (key: string) => signer.hash('login-throttle', key);
  return {
    async begin(keys, now) {
      const hashes = keys.map((k) => hashOf(k.key));
      const longest = Math.max(...keys.map((k) => k.policy.windowMs));
      const { waitMs, ids } = await repo.take(hashes, now - longest, now, (recent) =>
        Math.max(0, ...keys.map((k, i) => waitFor(k.policy, recent[i] ?? [], now))),
      );
      if (waitMs > 0) return { allowed: false, retryAfterSeconds: Math.ceil(waitMs / 1000) };
      return { allowed: true, attempt: { ids, clearOnSuccess: hashes.filter((_, i) => keys[i]?.clearOnSuccess) } };
    },
    async succeeded(attempt) {
      await repo.forget(attempt.ids);
      await repo.clearKeys(attempt.clearOnSuccess);
    },
    async withdraw(attempt) {
      await repo.forget(attempt.ids);
    },
  };
}
