import { commitDurably, type Db } from '../db.js';
import type { DeliveryPackage, DeliveryRepository, DeliveryRow, DeliveryScope, NewPackage } from './repository.js';

/** Rows per read: as for the CSV export, quick to read and a few hundred kB at most. */
const BATCH = 1000;

/*
 * Which signatures may be delivered, in one place: confirmed ones (a pending signature is not yet
 * known to come from its address's owner) still holding a name (retention anonymises names away).
 */
// Counted signatures only: confirmed, and not taken out by an invalidation (migration 013).
const DELIVERABLE =
  "status = 'confirmed' AND invalidation_id IS NULL AND first_name IS NOT NULL AND last_name IS NOT NULL";

const PACKAGE_COLUMNS = `id, campaign_slug AS campaignSlug, country, with_comments AS withComments, up_to_id AS upToId,
  signer_count AS signerCount, digest, built_by AS builtBy, built_at AS builtAt,
  delivered_by AS deliveredBy, delivered_at AS deliveredAt`;

type PackageRow = Omit<DeliveryPackage, 'withComments'> & { withComments: 0 | 1 };
const toPackage = (row: PackageRow): DeliveryPackage => ({ ...row, withComments: row.withComments === 1 });

export function createDeliveryRepository(db: Db): DeliveryRepository {
  const lastId = db.prepare<[], number | null>('SELECT max(id) FROM signatures').pluck();
  const counts = db.prepare<[{ slug: string; country: string | null; upToId: number }], CountryNamesRow>(
    `SELECT country, count(*) AS count FROM signatures
      WHERE campaign_slug = @slug AND id <= @upToId AND ${DELIVERABLE}
        AND (@country IS NULL OR country = @country)
      GROUP BY country`,
  );
  // Keyset on the (campaign_slug, created_at) index, as the export does, so each batch is a seek.
  const batch = db
    .prepare<
      [{ slug: string; country: string | null; upToId: number; comments: number; createdAt: string; id: number }]
    >(
      `SELECT last_name, first_name, country, CASE WHEN @comments = 1 THEN comment END, id, created_at
         FROM signatures
        WHERE campaign_slug = @slug AND (created_at, id) > (@createdAt, @id) AND id <= @upToId
          AND ${DELIVERABLE} AND (@country IS NULL OR country = @country)
        ORDER BY created_at, id LIMIT ${BATCH}`,
    )
    .raw();
  const insert = db.prepare<[NewPackage & { withCommentsInt: number }]>(
    `INSERT INTO delivery_packages (campaign_slug, country, with_comments, up_to_id, signer_count, digest,
                                    built_by, built_at)
     VALUES (@campaignSlug, @country, @withCommentsInt, @upToId, @signerCount, @digest, @builtBy, @builtAt)`,
  );
  const one = db.prepare<[string, number], PackageRow>(
    `SELECT ${PACKAGE_COLUMNS} FROM delivery_packages WHERE campaign_slug = ? AND id = ?`,
  );
  const all = db.prepare<[string], PackageRow>(
    `SELECT ${PACKAGE_COLUMNS} FROM delivery_packages WHERE campaign_slug = ? ORDER BY id DESC`,
  );
  const delivered = db.prepare<[string], PackageRow>(
    `SELECT ${PACKAGE_COLUMNS} FROM delivery_packages
      WHERE campaign_slug = ? AND delivered_at IS NOT NULL ORDER BY delivered_at DESC, id DESC`,
  );
  const withDeliveries = db
    .prepare<[], string>('SELECT DISTINCT campaign_slug FROM delivery_packages WHERE delivered_at IS NOT NULL')
    .pluck();
  const deliver = db.prepare<[string, string, string, number]>(
    `UPDATE delivery_packages SET delivered_by = ?, delivered_at = ?
      WHERE campaign_slug = ? AND id = ? AND delivered_at IS NULL`,
  );

  // Batches read one synchronous step each, so the connection is free for signing in between (an open
  // better-sqlite3 iterator would refuse every write until a slow download finished).
  async function* signerBatches(scope: DeliveryScope, withComments: boolean): AsyncGenerator<DeliveryRow[]> {
    let cursor = { createdAt: '', id: 0 };
    for (;;) {
      const rows = batch.all({
        slug: scope.campaignSlug,
        country: scope.country,
        upToId: scope.upToId,
        comments: withComments ? 1 : 0,
        ...cursor,
      }) as (readonly [string, string, string, string | null, number, string])[];
      const last = rows.at(-1);
      if (rows.length > 0) yield rows as unknown as DeliveryRow[];
      if (!last || rows.length < BATCH) return;
      cursor = { createdAt: last[5], id: last[4] };
    }
  }

  return {
    async lastSignatureId() {
      return lastId.get() ?? 0;
    },
    async countsByCountry(scope) {
      return counts.all({ slug: scope.campaignSlug, country: scope.country, upToId: scope.upToId });
    },
    signerBatches(scope, { withComments }) {
      return signerBatches(scope, withComments);
    },
    // Writes wait for other processes' locks on timers, not on the main thread (src/db.ts retryWhileBusy).
    async addPackage(pkg) {
      const row = { ...pkg, withCommentsInt: pkg.withComments ? 1 : 0 };
      return Number((await commitDurably(db, () => insert.run(row))).lastInsertRowid);
    },
    async findPackage(slug, id) {
      const row = one.get(slug, id);
      return row && toPackage(row);
    },
    async packages(slug) {
      return all.all(slug).map(toPackage);
    },
    async deliveredPackages(slug) {
      return delivered.all(slug).map(toPackage);
    },
    async campaignsWithDeliveries() {
      return withDeliveries.all();
    },
    async markDelivered(slug, id, by, at) {
      return (await commitDurably(db, () => deliver.run(by, at, slug, id))).changes === 1;
    },
  };
}

interface CountryNamesRow {
  country: string;
  count: number;
}
