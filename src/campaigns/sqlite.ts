import type { Db } from '../db.js';
import type { CampaignRepository, CampaignTotals, CountryCount, PeriodCount } from './repository.js';

export function createCampaignRepository(db: Db): CampaignRepository {
  const insert = db.prepare('INSERT INTO campaigns (slug) VALUES (?) ON CONFLICT (slug) DO NOTHING');
  const totals = db.prepare<[string], CampaignTotals>(
    `SELECT signature_count AS signatureCount, opted_in_count AS optedInCount, pending_count AS pendingCount,
            updated_at AS updatedAt
       FROM campaigns WHERE slug = ?`,
  );
  const byCountry = db.prepare<[string], CountryCount>(
    `SELECT country, count FROM signature_counts_by_country
      WHERE campaign_slug = ? AND count > 0 ORDER BY count DESC, country`,
  );
  // Range reads on the (campaign_slug, day|hour) primary keys: their cost follows the number of days
  // or hours asked for, never the number of signatures.
  const daily = db.prepare<[string, string, string], PeriodCount>(
    `SELECT day AS period, count FROM signature_counts_daily
      WHERE campaign_slug = ? AND day BETWEEN ? AND ? AND count > 0 ORDER BY day`,
  );
  const hourly = db.prepare<[string, string, string], PeriodCount>(
    `SELECT hour AS period, count FROM signature_counts_hourly
      WHERE campaign_slug = ? AND hour BETWEEN ? AND ? AND count > 0 ORDER BY hour`,
  );
  const firstDay = db
    .prepare<[string], string | null>(
      'SELECT min(day) FROM signature_counts_daily WHERE campaign_slug = ? AND count > 0',
    )
    .pluck();
  const registerAll = db.transaction((slugs: string[]) => {
    for (const slug of slugs) insert.run(slug);
  });

  return {
    async register(slugs) {
      registerAll(slugs);
    },
    async totals(slug) {
      return totals.get(slug) ?? { signatureCount: 0, optedInCount: 0, pendingCount: 0, updatedAt: null };
    },
    async byCountry(slug) {
      return byCountry.all(slug);
    },
    async daily(slug, fromDay, toDay) {
      return daily.all(slug, fromDay, toDay);
    },
    async hourly(slug, fromHour, toHour) {
      return hourly.all(slug, fromHour, toHour);
    },
    async firstDay(slug) {
      return firstDay.get(slug) ?? null;
    },
  };
}
