import type { Db } from '../db.js';
import type { SignatureInput } from './form.js';

export interface NewSignature extends SignatureInput {
  campaignSlug: string;
  consentVersion: string;
  /** HMAC of the client address, or null; never the address. */
  sourceHash: string | null;
  createdAt: Date;
}

export type AddResult = 'added' | 'duplicate';

export interface SignatureRepository {
  /**
   * Stores a signature unless this campaign already has one for the address. The unique index
   * decides, so two identical submissions arriving together still store one row.
   */
  add(signature: NewSignature): Promise<AddResult>;
}

/** The key that makes one signature per address: surrounding space and letter case never matter. */
export const emailKey = (email: string): string => email.trim().toLowerCase();

export function createSignatureRepository(db: Db): SignatureRepository {
  const insert = db.prepare(
    `INSERT INTO signatures (campaign_slug, first_name, last_name, email, email_key, country, postal_code,
                             comment, opted_in, consent_version, source_hash, created_at)
     VALUES (@campaignSlug, @firstName, @lastName, @email, @emailKey, @country, @postalCode,
             @comment, @optedIn, @consentVersion, @sourceHash, @createdAt)
     ON CONFLICT (campaign_slug, email_key) DO NOTHING`,
  );

  return {
    async add(s) {
      const result = insert.run({
        campaignSlug: s.campaignSlug,
        firstName: s.firstName,
        lastName: s.lastName,
        email: s.email,
        emailKey: emailKey(s.email),
        country: s.country,
        postalCode: s.postalCode,
        comment: s.comment,
        optedIn: s.optedIn ? 1 : 0,
        consentVersion: s.consentVersion,
        sourceHash: s.sourceHash,
        createdAt: s.createdAt.toISOString(),
      });
      return result.changes === 1 ? 'added' : 'duplicate';
    },
  };
}
