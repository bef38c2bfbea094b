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

export interface CampaignRepository {
  /** Makes sure each campaign found in the content folder has its row (and so its counters). */
  register(slugs: string[]): Promise<void>;
  totals(slug: string): Promise<CampaignTotals>;
  byCountry(slug: string): Promise<CountryCount[]>;
  /** Days from..to inclusive (YYYY-MM-DD) that have signatures; days with none are absent. */
  daily(slug: string, fromDay: string, toDay: string): Promise<PeriodCount[]>;
  /** Hours from..to inclusive (YYYY-MM-DDTHH) that have signatures; hours with none are absent. */
  hourly(slug: string, fromHour: string, toHour: string): Promise<PeriodCount[]>;
  /** The first UTC day with a signature still counted, or null when there is none. */
  firstDay(slug: string): Promise<string | null>;
}
