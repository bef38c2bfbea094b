import type { SignatureCursor } from '../signatures/repository.js';
import type { SignatureFilter } from './filter.js';

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
  /** How many signatures match. */
  count(campaignSlug: string, filter: SignatureFilter): Promise<number>;
}
