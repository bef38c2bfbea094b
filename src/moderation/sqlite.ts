import type { Db } from '../db.js';
import type { SignatureCursor } from '../signatures/repository.js';
import type { SignatureFilter } from './filter.js';
import type { FoundSignature, ModerationRepository } from './repository.js';

type Params = Record<string, string | number>;

/**
 * The WHERE clause for a filter, written so that SQLite can use the index for each field: the
 * domain as the very expression migration 012 indexed, the last name with the index's NOCASE
 * collation, and `email_key IS NOT NULL` spelled out where a partial index needs it.
 */
export function filterWhere(slug: string, filter: SignatureFilter): { where: string; params: Params } {
  const clauses = ['campaign_slug = @slug'];
  const params: Params = { slug };
  if (filter.email !== undefined) {
    clauses.push('email_key = @email');
    params.email = filter.email;
  }
  if (filter.domain !== undefined) {
    clauses.push("email_key IS NOT NULL AND substr(email_key, instr(email_key, '@') + 1) = @domain");
    params.domain = filter.domain;
  }
  if (filter.lastName !== undefined) {
    clauses.push('last_name = @lastName COLLATE NOCASE');
    params.lastName = filter.lastName;
  }
  if (filter.firstName !== undefined) {
    clauses.push('first_name = @firstName COLLATE NOCASE');
    params.firstName = filter.firstName;
  }
  if (filter.postcode !== undefined) {
    clauses.push('postal_code = @postcode');
    params.postcode = filter.postcode;
  }
  if (filter.from !== undefined) {
    clauses.push('created_at >= @from');
    params.from = filter.from;
  }
  if (filter.to !== undefined) {
    clauses.push('created_at < @to');
    params.to = filter.to;
  }
  return { where: clauses.join(' AND '), params };
}

/** The search's statement for a filter of this shape (the fields given, not their values). */
export function searchSql(where: string, after: boolean): string {
  return `SELECT id, created_at AS createdAt, first_name AS firstName, last_name AS lastName, email, country,
                 postal_code AS postalCode, status
            FROM signatures
           WHERE ${where}${after ? ' AND (created_at, id) < (@afterAt, @afterId)' : ''}
           ORDER BY created_at DESC, id DESC LIMIT @limit`;
}

export function createModerationRepository(db: Db): ModerationRepository {
  // A filter has 2^7 possible shapes; each shape's statement is prepared once, when first asked for.
  const prepared = new Map<string, ReturnType<Db['prepare']>>();
  const statement = (sql: string) => {
    let found = prepared.get(sql);
    if (!found) {
      found = db.prepare(sql);
      prepared.set(sql, found);
    }
    return found;
  };

  return {
    async search(slug, filter, limit, after?: SignatureCursor) {
      const { where, params } = filterWhere(slug, filter);
      const page = { ...params, limit: limit + 1, ...(after ? { afterAt: after.createdAt, afterId: after.id } : {}) };
      const rows = statement(searchSql(where, after !== undefined)).all(page) as FoundSignature[];
      const signatures = rows.slice(0, limit);
      const last = signatures.at(-1);
      return {
        signatures,
        next: rows.length > limit && last ? { createdAt: last.createdAt, id: last.id } : null,
      };
    },
    async count(slug, filter) {
      const { where, params } = filterWhere(slug, filter);
      return statement(`SELECT count(*) FROM signatures WHERE ${where}`).pluck().get(params) as number;
    },
  };
}
