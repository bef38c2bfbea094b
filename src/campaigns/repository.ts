export interface CampaignTotals {
  signatureCount: number;
  optedInCount: number;
  /** Signatures waiting for their signer to confirm them by email: counted nowhere public. */
  pendingCount: number;
  /** When the count last changed (UTC ISO), or null before the first signature. */
  updatedAt: string | null;
}

export interface CountryCount {
  country: string;
  count: number;
}

/** Signatures in one UTC day ("2026-11-28") or hour ("2026-11-28T13"), from the trigger-kept totals. */
export interface PeriodCount {
  period: string;
  count: number;
}

/** A campaign to register: its slug, and the milestones its content names (a Campaign will do). */
export interface CampaignRegistration {
  slug: string;
  milestones?: readonly number[];
}

/** A milestone of a campaign, and when the count crossed it (null: not yet). */
export interface Milestone {
  milestone: number;
  crossedAt: string | null;
}

export interface CampaignRepository {
  /**
   * Makes sure each campaign found in the content folder has its row (and so its counters). Given its
   * milestones, records them: one the count has already passed is recorded as reached now, without
   * mail (it was not crossed now); one no longer named and not yet reached is forgotten.
   */
  register(campaigns: readonly (string | CampaignRegistration)[]): Promise<void>;
  /** The campaign's milestones, smallest first. */
  milestones(slug: string): Promise<Milestone[]>;
  totals(slug: string): Promise<CampaignTotals>;
  byCountry(slug: string): Promise<CountryCount[]>;
  /** Days from..to inclusive (YYYY-MM-DD) that have signatures; days with none are absent. */
  daily(slug: string, fromDay: string, toDay: string): Promise<PeriodCount[]>;
  /** Hours from..to inclusive (YYYY-MM-DDTHH) that have signatures; hours with none are absent. */
  hourly(slug: string, fromHour: string, toHour: string): Promise<PeriodCount[]>;
  /** The first UTC day with a signature still counted, or null when there is none. */
  firstDay(slug: string): Promise<string | null>;
}
