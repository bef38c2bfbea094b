import type { Db } from '../db.js';
import type {
  CampaignRegistration,
  CampaignRepository,
  CampaignTotals,
  CountryCount,
  Milestone,
  PeriodCount,
} from './repository.js';

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
  // An INSERT, never the UPDATE that migration 013's mail trigger watches: a milestone passed before
  // it was named is recorded as reached, and nobody is told it was crossed just now.
  const addMilestone = db.prepare<{ slug: string; milestone: number }>(
    `INSERT INTO campaign_milestones (campaign_slug, milestone, crossed_at)
     SELECT slug, @milestone,
            CASE WHEN signature_count >= @milestone THEN strftime('%Y-%m-%dT%H:%M:%fZ', 'now') END
       FROM campaigns WHERE slug = @slug
     ON CONFLICT (campaign_slug, milestone) DO NOTHING`,
  );
  const forgetMilestones = db.prepare<[string, string]>(
    `DELETE FROM campaign_milestones
      WHERE campaign_slug = ? AND crossed_at IS NULL AND milestone NOT IN (SELECT value FROM json_each(?))`,
  );
  const milestones = db.prepare<[string], Milestone>(
    `SELECT milestone, crossed_at AS crossedAt FROM campaign_milestones WHERE campaign_slug = ? ORDER BY milestone`,
  );
  const registerAll = db.transaction((campaigns: readonly (string | CampaignRegistration)[]) => {
    for (const campaign of campaigns) {
      const { slug, milestones: named } =
        typeof campaign === 'string' ? { slug: campaign, milestones: undefined } : campaign;
      insert.run(slug);
      if (!named) continue;
      for (const milestone of named) addMilestone.run({ slug, milestone });
      forgetMilestones.run(slug, JSON.stringify(named));
    }
  });

  return {
    async register(campaigns) {
      registerAll(campaigns);
    },
    async milestones(slug) {
      return milestones.all(slug);
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
