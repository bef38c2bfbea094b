import { inTransaction, type Pool } from '../postgres.js';
import type { CountryNames, DeliveryPackage, DeliveryRepository, DeliveryRow, DeliveryScope } from './repository.js';

/** Rows per read, as in SQLite. */
const BATCH = 1000;

// Which signatures may be delivered: the same rule as src/deliveries/sqlite.ts.
const DELIVERABLE =
  "status = 'confirmed' AND invalidation_id IS NULL AND first_name IS NOT NULL AND last_name IS NOT NULL";

const PACKAGE_COLUMNS = `id, campaign_slug AS "campaignSlug", country, with_comments = 1 AS "withComments",
  up_to_id AS "upToId", signer_count AS "signerCount", digest, built_by AS "builtBy", built_at AS "builtAt",
  delivered_by AS "deliveredBy", delivered_at AS "deliveredAt"`;

export function createDeliveryRepository(pool: Pool): DeliveryRepository {
  async function* signerBatches(scope: DeliveryScope, withComments: boolean): AsyncGenerator<DeliveryRow[]> {
    let cursor = { createdAt: '', id: 0 };
    for (;;) {
      const { rows } = await pool.query({
        text: `SELECT last_name, first_name, country, CASE WHEN $4 THEN comment END, id, created_at
                 FROM signatures
                WHERE campaign_slug = $1 AND (created_at, id) > ($5, $6) AND id <= $3
                  AND ${DELIVERABLE} AND ($2::text IS NULL OR country = $2)
                ORDER BY created_at, id LIMIT ${BATCH}`,
        values: [scope.campaignSlug, scope.country, scope.upToId, withComments, cursor.createdAt, cursor.id],
        rowMode: 'array',
      });
      const batch = rows as unknown as (readonly [string, string, string, string | null, number, string])[];
      const last = batch.at(-1);
      if (batch.length > 0) yield batch as unknown as DeliveryRow[];
      if (!last || batch.length < BATCH) return;
      cursor = { createdAt: last[5], id: last[4] };
    }
  }

  return {
    /*
     * A package lists signatures up to an id, so every signature with a lower id must be committed
     * before the id is read. In SQLite one writer at a time commits ids in order; here several servers'
     * transactions can commit out of order (id 100 after 101), and a package built in between would
     * list a different set when made again. SHARE mode waits for the inserts in flight to commit (and
     * holds new ones back for that moment), so every id up to the one read is final.
     */
    async lastSignatureId() {
      return inTransaction(pool, async (client) => {
        await client.query('LOCK TABLE signatures IN SHARE MODE');
        const { rows } = await client.query<{ max: number | null }>('SELECT max(id) AS max FROM signatures');
        return rows[0]?.max ?? 0;
      });
    },
    async countsByCountry(scope) {
      const { rows } = await pool.query<CountryNames>(
        `SELECT country, count(*) AS count FROM signatures
          WHERE campaign_slug = $1 AND id <= $3 AND ${DELIVERABLE} AND ($2::text IS NULL OR country = $2)
          GROUP BY country`,
        [scope.campaignSlug, scope.country, scope.upToId],
      );
      return rows;
    },
    signerBatches(scope, { withComments }) {
      return signerBatches(scope, withComments);
    },
    async addPackage(pkg) {
      const { rows } = await pool.query<{ id: number }>(
        `INSERT INTO delivery_packages (campaign_slug, country, with_comments, up_to_id, signer_count, digest,
                                        built_by, built_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
        [
          pkg.campaignSlug,
          pkg.country,
          pkg.withComments ? 1 : 0,
          pkg.upToId,
          pkg.signerCount,
          pkg.digest,
          pkg.builtBy,
          pkg.builtAt,
        ],
      );
      return Number(rows[0]?.id);
    },
    async findPackage(slug, id) {
      const { rows } = await pool.query<DeliveryPackage>(
        `SELECT ${PACKAGE_COLUMNS} FROM delivery_packages WHERE campaign_slug = $1 AND id = $2`,
        [slug, id],
      );
      return rows[0];
    },
    async packages(slug) {
      const { rows } = await pool.query<DeliveryPackage>(
        `SELECT ${PACKAGE_COLUMNS} FROM delivery_packages WHERE campaign_slug = $1 ORDER BY id DESC`,
        [slug],
      );
      return rows;
    },
    async deliveredPackages(slug) {
      const { rows } = await pool.query<DeliveryPackage>(
        `SELECT ${PACKAGE_COLUMNS} FROM delivery_packages
          WHERE campaign_slug = $1 AND delivered_at IS NOT NULL ORDER BY delivered_at DESC, id DESC`,
        [slug],
      );
      return rows;
    },
    async campaignsWithDeliveries() {
      const { rows } = await pool.query<{ slug: string }>(
        'SELECT DISTINCT campaign_slug AS slug FROM delivery_packages WHERE delivered_at IS NOT NULL',
      );
      return rows.map((row) => row.slug);
    },
    async markDelivered(slug, id, by, at) {
      const { rowCount } = await pool.query(
        `UPDATE delivery_packages SET delivered_by = $1, delivered_at = $2
          WHERE campaign_slug = $3 AND id = $4 AND delivered_at IS NULL`,
        [by, at, slug, id],
      );
      return rowCount === 1;
    },
  };
}
