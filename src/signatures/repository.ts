import type { EmailTokens, TokenPurpose } from '../mail/tokens.js';
import type { SignatureInput } from './form.js';

export interface NewSignature extends SignatureInput {
  campaignSlug: string;
  consentVersion: string;
  /** HMAC of the client address, or null; never the address. */
  sourceHash: string | null;
  createdAt: Date;
  /** The language the person signed in (default 'en'); their mail goes out in it. */
  locale?: string;
  /** The channel the signature came through (src/signatures/source.ts), or none. */
  source?: string | null;
  /**
   * Set for a campaign whose signatures need confirming. The signature is then stored pending, and in
   * the same transaction an email is queued in the outbox: for a new or still-pending signature the
   * confirmation again, for a confirmed one "you have already signed" (addressed to the name already
   * stored, never the one just typed). Nothing is queued past the caps or to a suppressed address.
   * The caller cannot tell which happened: the web answer must be the same in every case.
   */
  confirmation?: ConfirmationRequest;
}

export interface ConfirmationRequest {
  /** Fresh tokens; the repository stores the hashes of those the email carries. */
  tokens: EmailTokens;
  caps: { perSignature: number; perAddressPerDay: number };
}

export type AddResult = 'added' | 'duplicate';

/** A place in the newest-first list: the signing time and id of the last row shown. */
export interface SignatureCursor {
  createdAt: string;
  id: number;
}

/** One row of the organizers' recent list. Names are null once a signature has been anonymised. */
export interface RecentSignature {
  id: number;
  firstName: string | null;
  lastName: string | null;
  country: string;
  comment: string | null;
  createdAt: string;
}

/** Which page of the newest-first list: the rows just older than a row shown, or just newer. */
export type RecentPosition = { after: SignatureCursor } | { before: SignatureCursor };

export interface RecentPage {
  /** Newest first. */
  signatures: RecentSignature[];
  /** The cursor for the next (older) page, or null when nothing is older. */
  next: SignatureCursor | null;
  /** The cursor for the previous (newer) page, or null when nothing is newer. */
  previous: SignatureCursor | null;
}

/**
 * One row of an export: the export's columns in order, then the row's id. A tuple rather than an
 * object because SQLite hands it over that way (raw mode) at a fraction of the cost, which is most of
 * what reading a million rows costs.
 */
export type ExportRow = readonly [
  firstName: string,
  lastName: string,
  email: string,
  country: string,
  postalCode: string | null,
  comment: string | null,
  optedIn: 0 | 1,
  consentVersion: string,
  locale: string,
  source: string | null,
  createdAt: string,
  id: number,
];

/** Why a submission was answered as if signed but not stored (see migrations/sqlite/005). */
export const DISCARD_REASONS = ['honeypot', 'too_fast', 'no_token', 'bad_token'] as const;
export type DiscardReason = (typeof DISCARD_REASONS)[number];

/** Submissions discarded as automated on one UTC day ("2026-11-28"), by reason. */
export interface DiscardedDay {
  day: string;
  counts: Record<DiscardReason, number>;
}

/** The signature a link's token opens, as much as its pages need. */
export interface TokenHolder {
  purpose: TokenPurpose;
  signatureId: number;
  campaignSlug: string;
  status: 'pending' | 'confirmed';
  /** Still on the updates list: ticked the box and has not unsubscribed. */
  optedIn: boolean;
  unsubscribed: boolean;
}

export interface SignatureRepository {
  /**
   * Stores a signature unless this campaign already has one for the address. The unique index
   * decides, so two identical submissions arriving together still store one row.
   */
  add(signature: NewSignature): Promise<AddResult>;
  /** Confirmed signatures signed in [from, to). For short spans only: the cost follows the rows in the span. */
  countBetween(campaignSlug: string, from: string, to: string): Promise<number>;
  /**
   * Newest first, `limit` at a time: the newest, or the rows just older (`after`) or just newer
   * (`before`) than a cursor (keyset on the campaign/time index, so any page costs what the first does).
   */
  recent(campaignSlug: string, limit: number, position?: RecentPosition): Promise<RecentPage>;
  /**
   * Every confirmed signature still holding its personal data, oldest first, in batches of up to a thousand so
   * that a million rows never sit in memory. Rows signed after the export started are left out.
   */
  exportBatches(campaignSlug: string, options: { optedInOnly: boolean }): AsyncIterable<ExportRow[]>;
  /** Counts one submission discarded as automated, on the UTC day of `at`. Stores nothing about it. */
  countDiscarded(campaignSlug: string, reason: DiscardReason, at: Date): Promise<void>;
  /** Days from `fromDay` (YYYY-MM-DD) on with any discarded submission, newest first. */
  discardedSince(campaignSlug: string, fromDay: string): Promise<DiscardedDay[]>;
  /** The signature a link's token (its SHA-256) belongs to, or undefined for a token nobody holds. */
  findByToken(hash: Buffer): Promise<TokenHolder | undefined>;
  /** Pending → confirmed; the triggers count it. False when it was not pending (already confirmed, gone). */
  confirm(signatureId: number, at: Date): Promise<boolean>;
  /** Deletes the signature, its links and its unsent mail; a confirmed one's counts go down at once. */
  withdraw(signatureId: number): Promise<boolean>;
  /** Off the updates list (opted_in 0, unsubscribed_at set). False when it was not on it. */
  unsubscribe(signatureId: number, at: Date): Promise<boolean>;
  /** Confirmed signatures by the language they were made in and their source (null: none), for the organizers. */
  countsByChannel(campaignSlug: string): Promise<{ locale: string; source: string | null; count: number }[]>;
}

/** The key that makes one signature per address (canonical: see emailKey.ts). */
export { emailKey } from './emailKey.js';
