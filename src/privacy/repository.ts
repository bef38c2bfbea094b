/** One signature exactly as stored: what a subject-access request must show the person. */
export interface HeldSignature {
  campaignSlug: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  country: string;
  postalCode: string | null;
  comment: string | null;
  optedIn: boolean;
  consentVersion: string;
  /** Keyed hash of the address the signature came from (never the address itself), or null. */
  sourceHash: string | null;
  createdAt: string;
  anonymisedAt: string | null;
  /** 'pending' until confirmed by email, on campaigns that ask for it. */
  status: 'pending' | 'confirmed';
  confirmedAt: string | null;
  unsubscribedAt: string | null;
  locale: string;
  /** The channel the signature came through (`?source=`), or null. */
  source: string | null;
}

export interface ErasedCount {
  campaignSlug: string;
  erased: number;
}

export interface PersonalDataCount {
  campaignSlug: string;
  /** Signatures still holding names and an email address. */
  signatures: number;
}

/** What the public may see of a signer: never the whole surname, never the email. */
export interface PublicSigner {
  firstName: string;
  lastInitial: string;
  country: string;
}

export interface PrivacyRepository {
  /** Every signature held for an address, across all campaigns (subject-access request). */
  signaturesByEmail(email: string): Promise<HeldSignature[]>;
  /**
   * Deletes every signature for an address across all campaigns (the delete trigger lowers the
   * counts, their links and unsent mail go with them) and takes it off the mail suppression list.
   */
  eraseByEmail(email: string): Promise<ErasedCount[]>;
  /**
   * Deletes every signature of one campaign (the test signatures made before launch); the delete
   * trigger lowers its counts to zero. Returns how many were deleted.
   */
  eraseCampaign(slug: string): Promise<number>;
  /**
   * Erases the personal fields of every signature of a campaign not yet anonymised, keeping country
   * and signing time so totals and charts stay true. Returns how many rows changed.
   */
  anonymiseCampaign(slug: string, at: Date): Promise<number>;
  /** Clears the address codes of signatures made before `before`; returns how many were cleared. */
  forgetSources(before: Date): Promise<number>;
  /** Deletes pending signatures (never confirmed) signed before `before`; returns how many. */
  erasePendingBefore(before: Date): Promise<number>;
  /** Per campaign, how many signatures still hold personal data (what retention has left to do). */
  personalDataByCampaign(): Promise<PersonalDataCount[]>;
  /** The latest confirmed signers of a campaign, newest first, reduced to what may be shown publicly. */
  recentSigners(slug: string, limit: number): Promise<PublicSigner[]>;
}
