import type { Pool } from '../postgres.js';
import type { SignatureCursor } from '../signatures/repository.js';
import type { SignatureFilter } from './filter.js';
import type { FoundSignature, ModerationRepository } from './repository.js';

/**
 * The WHERE clause for a filter, written so that PostgreSQL can use the index for each field
 * (migrations/postgres/012): the domain as the very expression indexed, names through lower().
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
                  postal_code AS "postalCode", status
             FROM signatures
            WHERE ${where}${keyset}
            ORDER BY created_at DESC, id DESC LIMIT $${n + 1}`,
    values: [...values, limit, ...(after ? [after.createdAt, after.id] : [])],
  };
}

export function createModerationRepository(pool: Pool): ModerationRepository {
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
      const { rows } = await pool.query<{ count: number }>(
        `SELECT count(*) AS count FROM signatures WHERE ${where}`,
        values,
      );
      return rows[0]?.count ?? 0;
    },
  };
}
