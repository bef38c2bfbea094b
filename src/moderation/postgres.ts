import { inTransaction, type Pool } from '../postgres.js';
import type { SignatureCursor } from '../signatures/repository.js';
import type { SignatureFilter } from './filter.js';
import {
  INVALIDATION_BATCH,
  nextTurn,
  type DomainCount,
  type FoundSignature,
  type Invalidation,
  type ModerationRepository,
  type SourceCount,
} from './repository.js';

/**
 * The WHERE clause for a filter, written so that PostgreSQL can use the index for each field
 * (migrations/postgres/012): the domain as the very expression indexed, names through lower().
 * Placeholders start at $1 for the campaign.
 */
export function filterWhere(slug: string, filter: SignatureFilter): { where: string; values: unknown[] } {
  const values: unknown[] = [slug];
  const clauses = ['campaign_slug = $1'];
  const add = (clause: (n: string) => string, value: unknown) => {
    values.push(value);
    clauses.push(clause(`$${values.length}`));
  };
  if (filter.email !== undefined) add((n) => `email_key = ${n}`, filter.email);
  if (filter.domain !== undefined)
    add((n) => `email_key IS NOT NULL AND substr(email_key, strpos(email_key, '@') + 1) = ${n}`, filter.domain);
  if (filter.lastName !== undefined) add((n) => `lower(last_name) = lower(${n})`, filter.lastName);
  if (filter.firstName !== undefined) add((n) => `lower(first_name) = lower(${n})`, filter.firstName);
  if (filter.postcode !== undefined) add((n) => `postal_code = ${n}`, filter.postcode);
  if (filter.source !== undefined) add((n) => `source_hash = ${n}`, filter.source);
  if (filter.from !== undefined) add((n) => `created_at >= ${n}`, filter.from);
  if (filter.to !== undefined) add((n) => `created_at < ${n}`, filter.to);
  return { where: clauses.join(' AND '), values };
}

/** The search's statement and values for a filter: `limit` rows, after the keyset cursor when given. */
export function searchQuery(
  slug: string,
  filter: SignatureFilter,
  limit: number,
  after?: SignatureCursor,
): { text: string; values: unknown[] } {
  const { where, values } = filterWhere(slug, filter);
  const n = values.length;
  const keyset = after ? ` AND (created_at, id) < ($${n + 2}, $${n + 3})` : '';
  return {
    text: `SELECT id, created_at AS "createdAt", first_name AS "firstName", last_name AS "lastName", email, country,
                  postal_code AS "postalCode", status, invalidation_id AS "invalidationId"
             FROM signatures
            WHERE ${where}${keyset}
            ORDER BY created_at DESC, id DESC LIMIT $${n + 1}`,
    values: [...values, limit, ...(after ? [after.createdAt, after.id] : [])],
  };
}

const COLUMNS = `id, campaign_slug AS "campaignSlug", rule, up_to_id AS "upToId", signature_count AS "signatureCount",
  applied_by AS "appliedBy", applied_at AS "appliedAt", finished_at AS "finishedAt", undone_by AS "undoneBy",
  undone_at AS "undoneAt"`;

type StoredInvalidation = Omit<Invalidation, 'rule'> & { rule: string };
const toInvalidation = (row: StoredInvalidation): Invalidation => ({
  ...row,
  rule: JSON.parse(row.rule) as SignatureFilter,
});

export function createModerationRepository(pool: Pool): ModerationRepository {
  async function findInvalidation(slug: string, id: number): Promise<Invalidation | undefined> {
    const { rows } = await pool.query<StoredInvalidation>(
      `SELECT ${COLUMNS} FROM invalidations WHERE campaign_slug = $1 AND id = $2`,
      [slug, id],
    );
    return rows[0] && toInvalidation(rows[0]);
  }
  const lastId = async (): Promise<number> =>
    (await pool.query<{ max: number | null }>('SELECT max(id) AS max FROM signatures')).rows[0]?.max ?? 0;

  return {
    async search(slug, filter, limit, after?: SignatureCursor) {
      const { rows } = await pool.query<FoundSignature>(searchQuery(slug, filter, limit + 1, after));
      const signatures = rows.slice(0, limit);
      const last = signatures.at(-1);
      return {
        signatures,
        next: rows.length > limit && last ? { createdAt: last.createdAt, id: last.id } : null,
      };
    },
    async count(slug, filter) {
      const { where, values } = filterWhere(slug, filter);
      const { rows } = await pool.query<{ all: number; counting: number }>(
        `SELECT count(*) AS "all", count(*) - count(invalidation_id) AS counting FROM signatures WHERE ${where}`,
        values,
      );
      return rows[0] ?? { all: 0, counting: 0 };
    },
    lastSignatureId: lastId,
    /*
     * As in SQLite: the matches up to the snapshot id are walked in (created_at, id) order, a batch per
     * short transaction, so signers wait at most one batch behind the campaign's counter row.
     */
    async invalidate(rule, now) {
      const upToId = Math.min(rule.upToId, await lastId());
      const { rows: created } = await pool.query<{ id: number }>(
        `INSERT INTO invalidations (campaign_slug, rule, up_to_id, applied_by, applied_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [rule.campaignSlug, JSON.stringify(rule.rule), upToId, rule.appliedBy, rule.appliedAt],
      );
      const id = Number(created[0]?.id);
      const { where, values } = filterWhere(rule.campaignSlug, rule.rule);
      const n = values.length;
      let cursor: SignatureCursor = { createdAt: '', id: 0 };
      for (;;) {
        const rows = await inTransaction(pool, async (client) => {
          const { rows: changed } = await client.query<SignatureCursor>(
            `UPDATE signatures SET invalidation_id = $${n + 1}
              WHERE id IN (SELECT id FROM signatures
                            WHERE ${where} AND invalidation_id IS NULL AND id <= $${n + 2}
                              AND (created_at, id) > ($${n + 3}, $${n + 4})
                            ORDER BY created_at, id LIMIT $${n + 5})
              RETURNING created_at AS "createdAt", id`,
            [...values, id, upToId, cursor.createdAt, cursor.id, INVALIDATION_BATCH],
          );
          if (changed.length > 0)
            await client.query('UPDATE invalidations SET signature_count = signature_count + $1 WHERE id = $2', [
              changed.length,
              id,
            ]);
          return changed;
        });
        for (const row of rows) {
          if (row.createdAt > cursor.createdAt || (row.createdAt === cursor.createdAt && row.id > cursor.id))
            cursor = row;
        }
        if (rows.length < INVALIDATION_BATCH) break;
        await nextTurn();
      }
      await pool.query('UPDATE invalidations SET finished_at = $1 WHERE id = $2', [now().toISOString(), id]);
      return (await findInvalidation(rule.campaignSlug, id)) as Invalidation;
    },
    async undo(slug, id, by, at) {
      const found = await findInvalidation(slug, id);
      if (!found || found.undoneAt !== null) return false;
      for (;;) {
        const { rowCount } = await pool.query(
          `UPDATE signatures SET invalidation_id = NULL
            WHERE id IN (SELECT id FROM signatures WHERE invalidation_id = $1 LIMIT $2)`,
          [id, INVALIDATION_BATCH],
        );
        if (rowCount !== INVALIDATION_BATCH) break;
        await nextTurn();
      }
      const { rowCount } = await pool.query(
        'UPDATE invalidations SET undone_by = $1, undone_at = $2 WHERE id = $3 AND undone_at IS NULL',
        [by, at, id],
      );
      return rowCount === 1;
    },
    async invalidations(slug) {
      const { rows } = await pool.query<StoredInvalidation>(
        `SELECT ${COLUMNS} FROM invalidations WHERE campaign_slug = $1 ORDER BY id DESC`,
        [slug],
      );
      return rows.map(toInvalidation);
    },
    findInvalidation,
    async busySources(slug, since, min, limit) {
      const { rows } = await pool.query<SourceCount>(
        `SELECT source_hash AS source, count(*) AS count, min(created_at) AS first, max(created_at) AS last
           FROM signatures
          WHERE campaign_slug = $1 AND created_at >= $2 AND source_hash IS NOT NULL AND invalidation_id IS NULL
          GROUP BY source_hash HAVING count(*) >= $3 ORDER BY count DESC, source LIMIT $4`,
        [slug, since, min, limit],
      );
      return rows;
    },
    async domainCounts(slug, baselineFrom, recentFrom, min) {
      const { rows } = await pool.query<DomainCount>(
        `SELECT substr(email_key, strpos(email_key, '@') + 1) AS domain,
                count(*) FILTER (WHERE created_at >= $3) AS recent,
                count(*) FILTER (WHERE created_at < $3) AS before
           FROM signatures
          WHERE campaign_slug = $1 AND created_at >= $2 AND email_key IS NOT NULL AND invalidation_id IS NULL
          GROUP BY 1 HAVING count(*) FILTER (WHERE created_at >= $3) >= $4 ORDER BY recent DESC, domain`,
        [slug, baselineFrom, recentFrom, min],
      );
      return rows;
    },
    async countSigned(slug, from, to) {
      const { rows } = await pool.query<{ count: number }>(
        `SELECT count(*) AS count FROM signatures
          WHERE campaign_slug = $1 AND created_at >= $2 AND created_at < $3 AND invalidation_id IS NULL`,
        [slug, from, to],
      );
      return rows[0]?.count ?? 0;
    },
  };
}
