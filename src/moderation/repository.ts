import type { SignatureCursor } from '../signatures/repository.js';
import type { SignatureFilter } from './filter.js';

/**
 * Signatures changed per transaction by an invalidation or its undoing, on either engine: a few
 * milliseconds of the write lock each, so a batch of signers waits at most that long behind one.
 */
export const INVALIDATION_BATCH = 500;

/** Resolves on the next turn of the event loop: between batches, so the requests waiting get theirs. */
export const nextTurn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/** One signature as the organizers' search lists it. Personal fields are null once anonymised. */
export interface FoundSignature {
  id: number;
  createdAt: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  country: string;
  postalCode: string | null;
  status: 'pending' | 'confirmed';
  /** Taken out of the counts by this invalidation, or null. */
  invalidationId: number | null;
}

export interface SearchPage {
  /** Newest first. */
  signatures: FoundSignature[];
  /** Where the next (older) page starts, or null on the last page. */
  next: SignatureCursor | null;
}

/**
 * The organizers' tools against fake signatures (README, "Against fake signatures"). Every query is
 * within one campaign and is served by an index on the field it names (migration 012), so a search
 * at a million signatures costs what it does at a thousand.
 */
export interface ModerationRepository {
  /** Matching signatures, newest first, `limit` at a time after `after` (keyset). */
  search(campaignSlug: string, filter: SignatureFilter, limit: number, after?: SignatureCursor): Promise<SearchPage>;
  /** How many signatures match, and how many of those still count (not invalidated). */
  count(campaignSlug: string, filter: SignatureFilter): Promise<{ all: number; counting: number }>;
  /**
   * Takes every matching signature stored so far out of the counts, exports and deliveries, in short
   * batches (each its own transaction, the event loop free between them, so signing goes on), and
   * records the rule, who, when and how many. Resolves when the last batch is done.
   */
  invalidate(rule: NewInvalidation, now: () => Date): Promise<Invalidation>;
  /** The newest signature's id: a dry run shows the matches up to it, and applying takes exactly those. */
  lastSignatureId(): Promise<number>;
  /** Puts back every signature the invalidation took out, in batches too. False when it was already undone. */
  undo(campaignSlug: string, id: number, by: string, at: string): Promise<boolean>;
  /** The campaign's invalidations, newest first (the audit on the organizer page). */
  invalidations(campaignSlug: string): Promise<Invalidation[]>;
  findInvalidation(campaignSlug: string, id: number): Promise<Invalidation | undefined>;
  /**
   * Address codes with at least `min` counting signatures (not invalidated, pending included) since
   * `since`, most first. Reads only the window's rows, through the campaign/time index.
   */
  busySources(campaignSlug: string, since: string, min: number, limit: number): Promise<SourceCount[]>;
  /**
   * Per email domain, counting signatures in [recentFrom, now) and in [baselineFrom, recentFrom), for
   * domains with at least `min` in the recent window.
   */
  domainCounts(campaignSlug: string, baselineFrom: string, recentFrom: string, min: number): Promise<DomainCount[]>;
  /** Counting signatures (not invalidated, pending included) signed in [from, to). */
  countSigned(campaignSlug: string, from: string, to: string): Promise<number>;
}

export interface SourceCount {
  source: string;
  count: number;
  first: string;
  last: string;
}

export interface DomainCount {
  domain: string;
  recent: number;
  before: number;
}

export interface NewInvalidation {
  campaignSlug: string;
  rule: SignatureFilter;
  /** Only signatures up to this id (the newest when the dry run was shown) are taken out. */
  upToId: number;
  appliedBy: string;
  appliedAt: string;
}

export interface Invalidation extends NewInvalidation {
  id: number;
  /** How many signatures it took out. */
  signatureCount: number;
  finishedAt: string | null;
  undoneBy: string | null;
  undoneAt: string | null;
}
