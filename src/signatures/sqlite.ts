import { retryWhileBusy, WRITE_WAIT_MS, type Db } from '../db.js';
import {
  DISCARD_REASONS,
  emailKey,
  type AddResult,
  type DiscardedDay,
  type DiscardReason,
  type ExportRow,
  type RecentSignature,
  type SignatureCursor,
  type SignatureRepository,
} from './repository.js';

interface InsertRow {
  campaignSlug: string;
  firstName: string;
  lastName: string;
  email: string;
  emailKey: string;
  country: string;
  postalCode: string | null;
  comment: string | null;
  optedIn: 0 | 1;
  consentVersion: string;
  sourceHash: string | null;
  createdAt: string;
}

interface PendingInsert {
  row: InsertRow;
  resolve(result: AddResult): void;
  reject(error: unknown): void;
}

const isConstraintError = (error: unknown): boolean =>
  String((error as { code?: unknown } | null)?.code ?? '').startsWith('SQLITE_CONSTRAINT');

/** Rows per read while exporting: large enough to be quick, small enough to stay a few hundred kB. */
const EXPORT_BATCH = 1000;

export interface SignatureStoreOptions {
  /** How long a batch keeps trying for the write lock before its signers are told to try again. */
  writeWaitMs?: number;
}

export function createSignatureRepository(db: Db, options: SignatureStoreOptions = {}): SignatureRepository {
  const writeWaitMs = options.writeWaitMs ?? WRITE_WAIT_MS;
  const insert = db.prepare<[InsertRow]>(
    `INSERT INTO signatures (campaign_slug, first_name, last_name, email, email_key, country, postal_code,
                             comment, opted_in, consent_version, source_hash, created_at)
     VALUES (@campaignSlug, @firstName, @lastName, @email, @emailKey, @country, @postalCode,
             @comment, @optedIn, @consentVersion, @sourceHash, @createdAt)
     ON CONFLICT (campaign_slug, email_key) DO NOTHING`,
  );

  // Row-value comparisons let SQLite seek straight into (campaign_slug, created_at[, rowid]) at the
  // cursor, so page 1,000 costs what page 1 does.
  const newest = db.prepare<[string, number], RecentSignature>(
    `SELECT id, first_name AS firstName, last_name AS lastName, country, comment, created_at AS createdAt
       FROM signatures WHERE campaign_slug = ?
      ORDER BY created_at DESC, id DESC LIMIT ?`,
  );
  const older = db.prepare<[string, string, number, number], RecentSignature>(
    `SELECT id, first_name AS firstName, last_name AS lastName, country, comment, created_at AS createdAt
       FROM signatures WHERE campaign_slug = ? AND (created_at, id) < (?, ?)
      ORDER BY created_at DESC, id DESC LIMIT ?`,
  );
  const countBetween = db
    .prepare<[string, string, string], number>(
      'SELECT count(*) FROM signatures WHERE campaign_slug = ? AND created_at >= ? AND created_at < ?',
    )
    .pluck();
  const lastId = db.prepare<[], number | null>('SELECT max(id) FROM signatures').pluck();
  const exportBatch = db
    .prepare<[{ slug: string; createdAt: string; id: number; maxId: number; optedInOnly: number; limit: number }]>(
      `SELECT first_name, last_name, email, country, postal_code, comment, opted_in, consent_version, created_at, id
         FROM signatures
        WHERE campaign_slug = @slug AND (created_at, id) > (@createdAt, @id)
          AND id <= @maxId AND email IS NOT NULL AND (@optedInOnly = 0 OR opted_in = 1)
        ORDER BY created_at, id LIMIT @limit`,
    )
    .raw();

  const countDiscarded = db.prepare<[string, string, DiscardReason]>(
    `INSERT INTO discarded_submissions (campaign_slug, day, reason, count) VALUES (?, ?, ?, 1)
     ON CONFLICT (campaign_slug, day, reason) DO UPDATE SET count = count + 1`,
  );
  const discardedSince = db.prepare<[string, string], { day: string; reason: DiscardReason; count: number }>(
    `SELECT day, reason, count FROM discarded_submissions
      WHERE campaign_slug = ? AND day >= ? ORDER BY day DESC`,
  );

  /*
   * Why batches and not one .iterate() over the whole campaign: while a better-sqlite3 iterator is
   * open its connection refuses every write ("connection is busy"), so a slow download would stop
   * people signing. Each batch is read in one synchronous step and the connection is free between.
   */
  // Batches, not rows: a million-row export yields a thousand times instead of a million, and each
  // step through an async generator and a stream costs more than formatting the row.
  async function* exportBatches(slug: string, optedInOnly: boolean): AsyncGenerator<ExportRow[]> {
    const maxId = lastId.get() ?? 0;
    let cursor: SignatureCursor = { createdAt: '', id: 0 };
    for (;;) {
      const params = { slug, ...cursor, maxId, optedInOnly: optedInOnly ? 1 : 0, limit: EXPORT_BATCH };
      const batch = exportBatch.all(params) as ExportRow[];
      if (batch.length > 0) yield batch;
      const last = batch.at(-1);
      if (!last || batch.length < EXPORT_BATCH) return;
      cursor = { createdAt: last[8], id: last[9] };
    }
  }

  /*
   * Group commit. Signatures that arrive in the same turn of the event loop are written in one
   * transaction, committed before any of them is answered. Each commit costs a WAL write of every page
   * it touched (the row, three indexes, four counters), so at a crowd's rate one commit for several
   * signatures is most of what signing costs, saved (BENCHMARKS.md). A lone signature waits for no one:
   * the batch is written as soon as the current turn's I/O has been read.
   */
  let queue: PendingInsert[] = [];
  const writeBatch = db.transaction((batch: PendingInsert[]): (AddResult | Error)[] =>
    batch.map(({ row }) => {
      try {
        return insert.run(row).changes === 1 ? 'added' : 'duplicate';
      } catch (error) {
        // A row breaking a constraint fails alone: SQLite undoes that statement, not the transaction.
        // Anything else (disk full, I/O, busy) throws, the whole batch rolls back, and every one of
        // its signers is told to try again: nobody is thanked for a signature that was not kept.
        if (isConstraintError(error)) return error as Error;
        throw error;
      }
    }),
  );
  // While another process holds the write lock the batch waits on timers (retryWhileBusy), never on
  // the main thread, so pages keep being served; signatures arriving meanwhile form the next batch.
  async function flush(): Promise<void> {
    const batch = queue;
    queue = [];
    let results: (AddResult | Error)[];
    try {
      results = await retryWhileBusy(() => writeBatch.immediate(batch), writeWaitMs);
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    batch.forEach((pending, i) => {
      const result = results[i] as AddResult | Error;
      if (result instanceof Error) pending.reject(result);
      else pending.resolve(result);
    });
  }

  return {
    async countBetween(slug, from, to) {
      return countBetween.get(slug, from, to) ?? 0;
    },
    async recent(slug, limit, after) {
      // One extra row tells whether there is a next page without counting.
      const rows = after ? older.all(slug, after.createdAt, after.id, limit + 1) : newest.all(slug, limit + 1);
      const signatures = rows.slice(0, limit);
      const last = signatures.at(-1);
      return { signatures, next: rows.length > limit && last ? { createdAt: last.createdAt, id: last.id } : null };
    },
    exportBatches(slug, { optedInOnly }) {
      return exportBatches(slug, optedInOnly);
    },
    async countDiscarded(slug, reason, at) {
      await retryWhileBusy(() => countDiscarded.run(slug, at.toISOString().slice(0, 10), reason));
    },
    async discardedSince(slug, fromDay) {
      const days = new Map<string, DiscardedDay>();
      for (const row of discardedSince.all(slug, fromDay)) {
        let day = days.get(row.day);
        if (!day) {
          day = {
            day: row.day,
            counts: Object.fromEntries(DISCARD_REASONS.map((r) => [r, 0])) as DiscardedDay['counts'],
          };
          days.set(row.day, day);
        }
        day.counts[row.reason] = row.count;
      }
      return [...days.values()];
    },
    add(s) {
      const row: InsertRow = {
        campaignSlug: s.campaignSlug,
        firstName: s.firstName,
        lastName: s.lastName,
        email: s.email,
        emailKey: emailKey(s.email),
        country: s.country,
        postalCode: s.postalCode,
        comment: s.comment,
        optedIn: s.optedIn ? 1 : 0,
        consentVersion: s.consentVersion,
        sourceHash: s.sourceHash,
        createdAt: s.createdAt.toISOString(),
      };
      return new Promise<AddResult>((resolve, reject) => {
        if (queue.length === 0) setImmediate(() => void flush());
        queue.push({ row, resolve, reject });
      });
    },
  };
}
