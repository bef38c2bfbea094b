import { commitDurably, retryWhileBusy, type Db } from '../db.js';
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

interface StoredInvalidation extends Omit<Invalidation, 'rule'> {
  rule: string;
}

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
  if (filter.source !== undefined) {
    clauses.push('source_hash = @source');
    params.source = filter.source;
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
                 postal_code AS postalCode, status, invalidation_id AS invalidationId
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

  const lastId = db.prepare<[], number | null>('SELECT max(id) FROM signatures').pluck();
  const insertInvalidation = db.prepare<[string, string, number, string, string]>(
    `INSERT INTO invalidations (campaign_slug, rule, up_to_id, applied_by, applied_at) VALUES (?, ?, ?, ?, ?)`,
  );
  const addCount = db.prepare<[number, number]>(
    'UPDATE invalidations SET signature_count = signature_count + ? WHERE id = ?',
  );
  const finish = db.prepare<[string, number]>('UPDATE invalidations SET finished_at = ? WHERE id = ?');
  const restoreBatch = db.prepare<[number, number]>(
    `UPDATE signatures SET invalidation_id = NULL
      WHERE id IN (SELECT id FROM signatures WHERE invalidation_id = ? LIMIT ?)`,
  );
  const markUndone = db.prepare<[string, string, number]>(
    'UPDATE invalidations SET undone_by = ?, undone_at = ? WHERE id = ? AND undone_at IS NULL',
  );
  const COLUMNS = `id, campaign_slug AS campaignSlug, rule, signature_count AS signatureCount, applied_by AS appliedBy,
                   applied_at AS appliedAt, finished_at AS finishedAt, undone_by AS undoneBy, undone_at AS undoneAt`;
  const list = db.prepare<[string], StoredInvalidation>(
    `SELECT ${COLUMNS} FROM invalidations WHERE campaign_slug = ? ORDER BY id DESC`,
  );
  const byId = db.prepare<[string, number], StoredInvalidation>(
    `SELECT ${COLUMNS} FROM invalidations WHERE campaign_slug = ? AND id = ?`,
  );

  const busySources = db.prepare<[string, string, number, number], SourceCount>(
    `SELECT source_hash AS source, count(*) AS count, min(created_at) AS first, max(created_at) AS last
       FROM signatures
      WHERE campaign_slug = ? AND created_at >= ? AND source_hash IS NOT NULL AND invalidation_id IS NULL
      GROUP BY source_hash HAVING count(*) >= ? ORDER BY count DESC, source LIMIT ?`,
  );
  const domainCounts = db.prepare<{ slug: string; baselineFrom: string; recentFrom: string; min: number }, DomainCount>(
    `SELECT substr(email_key, instr(email_key, '@') + 1) AS domain,
            count(*) FILTER (WHERE created_at >= @recentFrom) AS recent,
            count(*) FILTER (WHERE created_at < @recentFrom) AS before
       FROM signatures
      WHERE campaign_slug = @slug AND created_at >= @baselineFrom AND email_key IS NOT NULL
        AND invalidation_id IS NULL
      GROUP BY domain HAVING recent >= @min ORDER BY recent DESC, domain`,
  );
  const countSigned = db
    .prepare<[string, string, string], number>(
      `SELECT count(*) FROM signatures
        WHERE campaign_slug = ? AND created_at >= ? AND created_at < ? AND invalidation_id IS NULL`,
    )
    .pluck();

  return {
    async busySources(slug, since, min, limit) {
      return busySources.all(slug, since, min, limit);
    },
    async domainCounts(slug, baselineFrom, recentFrom, min) {
      return domainCounts.all({ slug, baselineFrom, recentFrom, min });
    },
    async countSigned(slug, from, to) {
      return countSigned.get(slug, from, to) ?? 0;
    },
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
      const sql = `SELECT count(*) AS "all", count(*) - count(invalidation_id) AS counting FROM signatures WHERE ${where}`;
      return statement(sql).get(params) as { all: number; counting: number };
    },
    async lastSignatureId() {
      return lastId.get() ?? 0;
    },
    async invalidate(rule, now) {
      const { where, params } = filterWhere(rule.campaignSlug, rule.rule);
      const upToId = Math.min(rule.upToId, lastId.get() ?? 0);
      const id = Number(
        (
          await retryWhileBusy(() =>
            insertInvalidation.run(
              rule.campaignSlug,
              JSON.stringify(rule.rule),
              upToId,
              rule.appliedBy,
              rule.appliedAt,
            ),
          )
        ).lastInsertRowid,
      );
      // Walks the matches in the order of the field's index, (created_at, id) onwards from the last
      // batch, so each batch is a short seek however far into a million rows it is.
      const batch = statement(
        `UPDATE signatures SET invalidation_id = @invalidation
          WHERE id IN (SELECT id FROM signatures
                        WHERE ${where} AND invalidation_id IS NULL AND id <= @upToId
                          AND (created_at, id) > (@afterAt, @afterId)
                        ORDER BY created_at, id LIMIT @limit)
          RETURNING created_at AS createdAt, id`,
      );
      const step = db.transaction((cursor: SignatureCursor) => {
        const rows = batch.all({
          ...params,
          invalidation: id,
          upToId,
          afterAt: cursor.createdAt,
          afterId: cursor.id,
          limit: INVALIDATION_BATCH,
        }) as SignatureCursor[];
        if (rows.length) addCount.run(rows.length, id);
        return rows;
      });
      let cursor: SignatureCursor = { createdAt: '', id: 0 };
      for (;;) {
        const rows = await retryWhileBusy(() => step.immediate(cursor));
        for (const row of rows) {
          if (row.createdAt > cursor.createdAt || (row.createdAt === cursor.createdAt && row.id > cursor.id))
            cursor = row;
        }
        if (rows.length < INVALIDATION_BATCH) break;
        await nextTurn();
      }
      // One flush at the end covers every batch before it: the organizer is told when all are on the disk.
      await commitDurably(db, () => finish.run(now().toISOString(), id));
      return toInvalidation(byId.get(rule.campaignSlug, id) as StoredInvalidation);
    },
    async undo(slug, id, by, at) {
      const found = byId.get(slug, id);
      if (!found || found.undoneAt !== null) return false;
      while ((await retryWhileBusy(() => restoreBatch.run(id, INVALIDATION_BATCH))).changes === INVALIDATION_BATCH) {
        await nextTurn();
      }
      return (await commitDurably(db, () => markUndone.run(by, at, id))).changes === 1;
    },
    async invalidations(slug) {
      return list.all(slug).map(toInvalidation);
    },
    async findInvalidation(slug, id) {
      const found = byId.get(slug, id);
      return found && toInvalidation(found);
    },
  };
}

const toInvalidation = (row: StoredInvalidation): Invalidation => ({
  ...row,
  rule: JSON.parse(row.rule) as SignatureFilter,
});
