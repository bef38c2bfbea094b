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
