import type { Db } from '../db.js';

export interface CampaignTotals {
  signatureCount: number;
  optedInCount: number;
  /** When the count last changed (UTC ISO), or null before the first signature. */
  updatedAt: string | null;
}

export interface CountryCount {
  country: string;
  count: number;
}

export interface CampaignRepository {
  /** Makes sure each campaign found in the content folder has its row (and so its counters). */
  register(slugs: string[]): Promise<void>;
  totals(slug: string): Promise<CampaignTotals>;
  byCountry(slug: string): Promise<CountryCount[]>;
}

export function createCampaignRepository(db: Db): CampaignRepository {
  const insert = db.prepare('INSERT INTO campaigns (slug) VALUES (?) ON CONFLICT (slug) DO NOTHING');
  const totals = db.prepare<[string], { signatureCount: number; optedInCount: number; updatedAt: string | null }>(
    `SELECT signature_count AS signatureCount, opted_in_count AS optedInCount, updated_at AS updatedAt
       FROM campaigns WHERE slug = ?`,
  );
  const byCountry = db.prepare<[string], CountryCount>(
    `SELECT country, count FROM signature_counts_by_country
      WHERE campaign_slug = ? AND count > 0 ORDER BY count DESC, country`,
  );
  const registerAll = db.transaction((slugs: string[]) => {
    for (const slug of slugs) insert.run(slug);
  });

  return {
    async register(slugs) {
      registerAll(slugs);
    },
    async totals(slug) {
      return totals.get(slug) ?? { signatureCount: 0, optedInCount: 0, updatedAt: null };
    },
    async byCountry(slug) {
      return byCountry.all(slug);
    },
  };
}
