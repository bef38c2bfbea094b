/**
 * What an account may organize (migration 011): an admin holds every campaign and manages the
 * accounts; any other account holds only the campaigns granted to it.
 */
export interface OrganizerAccess {
  isAdmin: boolean;
  /** Slugs granted to the account, sorted; an admin's list is kept but not needed. */
  campaigns: string[];
}

export interface Organizer extends OrganizerAccess {
  id: number;
  email: string;
  passwordHash: string;
  createdAt: string;
}

export interface OrganizerSession extends OrganizerAccess {
  organizerId: number;
  email: string;
  csrfToken: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
}

export interface NewSession {
  idHash: string;
  organizerId: number;
  csrfToken: string;
  now: string;
  expiresAt: string;
}

export interface OrganizerRepository {
  /** False when an account with that address already exists. New accounts hold nothing unless given. */
  add(email: string, passwordHash: string, now: string, access?: Partial<OrganizerAccess>): Promise<boolean>;
  list(): Promise<Omit<Organizer, 'passwordHash'>[]>;
  /** Gives the account one campaign. False when there is no such account. */
  grant(email: string, campaignSlug: string, now: string): Promise<boolean>;
  /** Takes one campaign from the account. False when it did not hold it. */
  revoke(email: string, campaignSlug: string): Promise<boolean>;
  /** Makes the account an admin, or not. False when there is no such account. */
  setAdmin(email: string, isAdmin: boolean): Promise<boolean>;
  findByEmail(email: string): Promise<Organizer | undefined>;
  /** Also ends every session of the account: a changed password must shut out whoever had the old one. */
  setPassword(email: string, passwordHash: string, now: string): Promise<boolean>;
  /** Removes the account and (by cascade) its sessions. */
  remove(email: string): Promise<boolean>;
  createSession(session: NewSession): Promise<void>;
  /** The live session with this id hash, or undefined when there is none or it has expired. */
  findSession(idHash: string, now: string): Promise<OrganizerSession | undefined>;
  touchSession(idHash: string, now: string, expiresAt: string): Promise<void>;
  deleteSession(idHash: string): Promise<void>;
  deleteExpiredSessions(now: string): Promise<number>;
}

/** Trimmed and lower-cased, as for signatures: Ann@Example.org and ann@example.org are one account. */
export const organizerKey = (email: string): string => email.trim().toLowerCase();

/**
 * Organizer sign-in attempts per throttle key, shared by every process on the database (the policy
 * that reads them is in throttle.ts). Keys arrive already hashed: no email or address is stored.
 */
export interface LoginAttemptRepository {
  /**
   * In one transaction, so that no other request or process can slip a try in between: forgets
   * attempts at or before `since` (ms), reads each key's remaining attempt times (ms, oldest first),
   * and when `decide` answers 0 (no wait) records one attempt per key at `now`. Returns the wait
   * `decide` asked for and the ids of the attempts recorded (empty when refused).
   */
  take(
    keyHashes: string[],
    since: number,
    now: number,
    decide: (recent: number[][]) => number,
  ): Promise<{ waitMs: number; ids: number[] }>;
  /** Forgets every attempt of these keys (a right password clears its account's record). */
  clearKeys(keyHashes: string[]): Promise<void>;
  /** Forgets these attempts (a try that succeeded, or one that never reached the password check). */
  forget(ids: number[]): Promise<void>;
}
