export interface SystemRepository {
  /** True when the database answers a query. */
  ping(): Promise<boolean>;
  /** A named secret kept with the data, generated on first use. */
  secret(name: string): Promise<string>;
  /**
   * Whether a signature could be written now: a small real write (a one-row update in a short
   * transaction, waiting for another process's lock no longer than a signature would) and a look at
   * the space left. Undefined when it can, else what is wrong, in a few words for a log or a load
   * balancer ("read-only", "disk full", "locked", "database unavailable").
   */
  writeProbe(now: Date): Promise<string | undefined>;
  /**
   * Takes the named job's lease for `holder` until `until`, in one conditional update: only when
   * nobody holds it (or the holder's lease has expired) and the job last finished before `dueBefore`
   * (or never). True when this holder now has it; two processes asking at once cannot both get it.
   */
  takeLease(name: string, holder: string, now: Date, until: Date, dueBefore: Date): Promise<boolean>;
  /** Gives the lease back; when `finished`, records `at` as the job's last completed run. */
  releaseLease(name: string, holder: string, at: Date, finished: boolean): Promise<void>;
}

/**
 * Hits per client and limit in the current window, shared by every server on the database (the
 * limits themselves are in src/http/rateLimits.ts). Keys arrive already hashed: no address is stored.
 */
export interface RateLimitRepository {
  /** Counts one hit in the key's current window, starting a new window of `windowMs` when the last has ended. */
  hit(keyHash: string, windowMs: number, nowMs: number): Promise<{ hits: number; resetAtMs: number }>;
  /** Takes one hit back (a request the limit does not count, such as a form sent back for a mistake). */
  unhit(keyHash: string, nowMs: number): Promise<void>;
  /** Forgets the key's hits. */
  reset(keyHash: string): Promise<void>;
}
