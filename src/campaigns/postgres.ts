import { inTransaction, type Pool } from '../postgres.js';
import type { CampaignRepository, CampaignTotals, CountryCount, Milestone, PeriodCount } from './repository.js';

export function createCampaignRepository(pool: Pool): CampaignRepository {
  return {
    async register(campaigns) {
      await inTransaction(pool, async (client) => {
        for (const campaign of campaigns) {
          const { slug, milestones: named } =
            typeof campaign === 'string' ? { slug: campaign, milestones: undefined } : campaign;
          await client.query('INSERT INTO campaigns (slug) VALUES ($1) ON CONFLICT (slug) DO NOTHING', [slug]);
          if (!named) continue;
          // An INSERT, never the UPDATE the mail trigger watches: a milestone passed before it was named
          // is recorded as reached, and nobody is told it was crossed just now (as in SQLite).
          await client.query(
            `INSERT INTO campaign_milestones (campaign_slug, milestone, crossed_at)
             SELECT slug, m, CASE WHEN signature_count >= m THEN iso_now() END
               FROM campaigns, unnest($2::bigint[]) AS m WHERE slug = $1
             ON CONFLICT (campaign_slug, milestone) DO NOTHING`,
            [slug, named],
          );
          await client.query(
            `DELETE FROM campaign_milestones
              WHERE campaign_slug = $1 AND crossed_at IS NULL AND milestone <> ALL ($2::bigint[])`,
            [slug, named],
          );
        }
      });
    },
    async milestones(slug) {
      const { rows } = await pool.query<Milestone>(
        `SELECT milestone, crossed_at AS "crossedAt" FROM campaign_milestones WHERE campaign_slug = $1 ORDER BY milestone`,
        [slug],
      );
      return rows;
    },
    async totals(slug) {
      const { rows } = await pool.query<CampaignTotals>(
        `SELECT signature_count AS "signatureCount", opted_in_count AS "optedInCount",
                pending_count AS "pendingCount", updated_at AS "updatedAt"
           FROM campaigns WHERE slug = $1`,
        [slug],
      );
      return rows[0] ?? { signatureCount: 0, optedInCount: 0, pendingCount: 0, updatedAt: null };
    },
    async byCountry(slug) {
      const { rows } = await pool.query<CountryCount>(
        `SELECT country, count FROM signature_counts_by_country
          WHERE campaign_slug = $1 AND count > 0 ORDER BY count DESC, country`,
        [slug],
      );
      return rows;
    },
    // Range reads on the (campaign_slug, day|hour) primary keys, as in SQLite.
    async daily(slug, fromDay, toDay) {
      const { rows } = await pool.query<PeriodCount>(
        `SELECT day AS period, count FROM signature_counts_daily
          WHERE campaign_slug = $1 AND day BETWEEN $2 AND $3 AND count > 0 ORDER BY day`,
        [slug, fromDay, toDay],
      );
      return rows;
    },
    async hourly(slug, fromHour, toHour) {
      const { rows } = await pool.query<PeriodCount>(
        `SELECT hour AS period, count FROM signature_counts_hourly
          WHERE campaign_slug = $1 AND hour BETWEEN $2 AND $3 AND count > 0 ORDER BY hour`,
        [slug, fromHour, toHour],
      );
      return rows;
    },
    async firstDay(slug) {
      const { rows } = await pool.query<{ day: string | null }>(
        'SELECT min(day) AS day FROM signature_counts_daily WHERE campaign_slug = $1 AND count > 0',
        [slug],
      );
      return rows[0]?.day ?? null;
    },
  };
}
