import { commitDurably, forgetLogHistory, retryWhileBusy, WRITE_WAIT_MS, type Db } from '../db.js';
import type { SignerMailPayload } from '../mail/repository.js';
import {
  DISCARD_REASONS,
  emailKey,
  type AddResult,
  type ConfirmationRequest,
  type DiscardedDay,
  type DiscardReason,
  type ExportRow,
  type RecentSignature,
  type SignatureCursor,
  type SignatureRepository,
  type TokenHolder,
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
  status: 'pending' | 'confirmed';
  locale: string;
  source: string | null;
  emailCount: number;
  emailDay: string | null;
}

interface PendingInsert {
  row: InsertRow;
  confirmation: ConfirmationRequest | undefined;
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
                             comment, opted_in, consent_version, source_hash, created_at, status, locale, source,
                             email_count, email_day, email_day_count)
     VALUES (@campaignSlug, @firstName, @lastName, @email, @emailKey, @country, @postalCode,
             @comment, @optedIn, @consentVersion, @sourceHash, @createdAt, @status, @locale, @source,
             @emailCount, @emailDay, @emailCount)
     ON CONFLICT (email_key, campaign_slug, duplicate_id) DO NOTHING`,
  );
  const mail = createMailQueue(db);
  // Kept by the triggers of migration 016: a read of a few rows, not a count of every signature.
  const byChannel = db.prepare<{ slug: string }, { locale: string; source: string | null; count: number }>(
    `SELECT locale, nullif(source, '') AS source, count FROM signature_counts_by_channel
      WHERE campaign_slug = @slug AND count > 0`,
  );

  // Row-value comparisons let SQLite seek straight into (campaign_slug, created_at[, rowid]) at the
  // cursor, so page 1,000 costs what page 1 does.
  const newest = db.prepare<[string, number], RecentSignature>(
    `SELECT id, first_name AS firstName, last_name AS lastName, country, comment, created_at AS createdAt
       FROM signatures WHERE campaign_slug = ? AND status = 'confirmed' AND invalidation_id IS NULL
      ORDER BY created_at DESC, id DESC LIMIT ?`,
  );
  const older = db.prepare<[string, string, number, number], RecentSignature>(
    `SELECT id, first_name AS firstName, last_name AS lastName, country, comment, created_at AS createdAt
       FROM signatures WHERE campaign_slug = ? AND (created_at, id) < (?, ?) AND status = 'confirmed' AND invalidation_id IS NULL
      ORDER BY created_at DESC, id DESC LIMIT ?`,
  );
  // Read upwards from the cursor, then turned round: the page just above it, newest first.
  const newer = db.prepare<[string, string, number, number], RecentSignature>(
    `SELECT id, first_name AS firstName, last_name AS lastName, country, comment, created_at AS createdAt
       FROM signatures WHERE campaign_slug = ? AND (created_at, id) > (?, ?)
      ORDER BY created_at, id LIMIT ?`,
  );
  const anyOlder = db
    .prepare<[string, string, number], number>(
      'SELECT count(*) FROM (SELECT 1 FROM signatures WHERE campaign_slug = ? AND (created_at, id) < (?, ?) LIMIT 1)',
    )
    .pluck();
  const anyNewer = db
    .prepare<[string, string, number], number>(
      'SELECT count(*) FROM (SELECT 1 FROM signatures WHERE campaign_slug = ? AND (created_at, id) > (?, ?) LIMIT 1)',
    )
    .pluck();
  const countBetween = db
    .prepare<[string, string, string], number>(
      `SELECT count(*) FROM signatures
        WHERE campaign_slug = ? AND created_at >= ? AND created_at < ? AND status = 'confirmed' AND invalidation_id IS NULL`,
    )
    .pluck();
  const lastId = db.prepare<[], number | null>('SELECT max(id) FROM signatures').pluck();
  const exportBatch = db
    .prepare<[{ slug: string; createdAt: string; id: number; maxId: number; optedInOnly: number; limit: number }]>(
      `SELECT first_name, last_name, email, country, postal_code, comment, opted_in, consent_version, locale, source,
              created_at, id
         FROM signatures
        WHERE campaign_slug = @slug AND (created_at, id) > (@createdAt, @id)
          AND id <= @maxId AND email IS NOT NULL AND status = 'confirmed' AND invalidation_id IS NULL AND (@optedInOnly = 0 OR opted_in = 1)
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
      cursor = { createdAt: last[10], id: last[11] };
    }
  }

  const byToken = db.prepare<
    [Buffer],
    Omit<TokenHolder, 'optedIn' | 'unsubscribed'> & { optedIn: number; unsubscribed: number }
  >(
    `SELECT t.purpose, s.id AS signatureId, s.campaign_slug AS campaignSlug, s.status, s.opted_in AS optedIn,
            s.unsubscribed_at IS NOT NULL AS unsubscribed
       FROM email_tokens t JOIN signatures s ON s.id = t.signature_id
      WHERE t.hash = ? AND s.email IS NOT NULL`,
  );
  const confirm = db.prepare<[string, number]>(
    "UPDATE signatures SET status = 'confirmed', confirmed_at = ? WHERE id = ? AND status = 'pending'",
  );
  // Tokens and unsent mail go with the row (ON DELETE CASCADE); the delete trigger lowers the counts.
  const withdraw = db.prepare<[number]>('DELETE FROM signatures WHERE id = ?');
  const unsubscribe = db.prepare<[string, number]>(
    'UPDATE signatures SET opted_in = 0, unsubscribed_at = ? WHERE id = ? AND opted_in = 1',
  );

  /*
   * Group commit. Signatures that arrive in the same turn of the event loop are written in one
   * transaction, committed before any of them is answered. Each commit costs a WAL write of every page
   * it touched (the row, three indexes, four counters), so at a crowd's rate one commit for several
   * signatures is most of what signing costs, saved (BENCHMARKS.md). A lone signature waits for no one:
   * the batch is written as soon as the current turn's I/O has been read.
   */
  let queue: PendingInsert[] = [];
  const writeBatch = db.transaction((batch: PendingInsert[]): (AddResult | Error)[] =>
    batch.map(({ row, confirmation }) => {
      try {
        if (!confirmation) return insert.run(row).changes === 1 ? 'added' : 'duplicate';
        return mail.signAndQueue(insert, row, confirmation);
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
      // Nobody is thanked before the batch is on the disk (src/db.ts WalFlusher); the next batch is
      // written while this one's flush runs on the thread pool.
      results = await commitDurably(db, () => writeBatch.immediate(batch), writeWaitMs);
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
    async recent(slug, limit, position) {
      // One extra row tells whether there is a further page in the direction read, without counting;
      // the other direction is one index probe from the first or last row shown.
      const cursorOf = (row: RecentSignature | undefined) => (row ? { createdAt: row.createdAt, id: row.id } : null);
      if (position && 'before' in position) {
        const { createdAt, id } = position.before;
        const rows = newer.all(slug, createdAt, id, limit + 1);
        const signatures = rows.slice(0, limit).reverse();
        const last = signatures.at(-1);
        return {
          signatures,
          previous: rows.length > limit ? cursorOf(signatures[0]) : null,
          next: last && anyOlder.get(slug, last.createdAt, last.id) ? cursorOf(last) : null,
        };
      }
      const rows = position
        ? older.all(slug, position.after.createdAt, position.after.id, limit + 1)
        : newest.all(slug, limit + 1);
      const signatures = rows.slice(0, limit);
      const first = signatures[0];
      return {
        signatures,
        next: rows.length > limit ? cursorOf(signatures.at(-1)) : null,
        previous: position && first && anyNewer.get(slug, first.createdAt, first.id) ? cursorOf(first) : null,
      };
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
        status: s.confirmation ? 'pending' : 'confirmed',
        locale: s.locale ?? 'en',
        source: s.source ?? null,
        emailCount: 0,
        emailDay: null,
      };
      return new Promise<AddResult>((resolve, reject) => {
        if (queue.length === 0) setImmediate(() => void flush());
        queue.push({ row, confirmation: s.confirmation, resolve, reject });
      });
    },
    async findByToken(hash) {
      const found = byToken.get(hash);
      if (!found) return undefined;
      const { optedIn, unsubscribed, ...rest } = found;
      return { ...rest, optedIn: optedIn === 1, unsubscribed: unsubscribed === 1 };
    },
    // Single writes wait for another process's lock on timers, never on the main thread (src/db.ts).
    async confirm(id, at) {
      return (await commitDurably(db, () => confirm.run(at.toISOString(), id))).changes === 1;
    },
    async withdraw(id) {
      const gone = (await commitDurably(db, () => withdraw.run(id))).changes === 1;
      // As in erasing (privacy/sqlite.ts): the removed row's old pages leave the write-ahead log now.
      if (gone) await forgetLogHistory(db);
      return gone;
    },
    async unsubscribe(id, at) {
      return (await commitDurably(db, () => unsubscribe.run(at.toISOString(), id))).changes === 1;
    },
    async countsByChannel(slug) {
      return byChannel.all({ slug });
    },
  };
}

/**
 * The outbox side of signing, run inside the group-commit transaction: the signature and its email
 * are one commit, so neither exists without the other.
 */
function createMailQueue(db: Db) {
  const suppressed = db.prepare<[string], number>('SELECT 1 FROM mail_suppressions WHERE address_key = ?').pluck();
  // The address's signatures are found through the (email_key, campaign_slug) index: a handful of rows.
  const addressToday = db
    .prepare<[string, string], number | null>(
      'SELECT sum(email_day_count) FROM signatures WHERE email_key = ? AND email_day = ?',
    )
    .pluck();
  const existing = db.prepare<
    [string, string],
    {
      id: number;
      firstName: string;
      status: 'pending' | 'confirmed';
      optedIn: number;
      emailCount: number;
      locale: string;
    }
  >(
    `SELECT id, first_name AS firstName, status, opted_in AS optedIn, email_count AS emailCount, locale
       FROM signatures WHERE email_key = ? AND campaign_slug = ? AND duplicate_id = 0`,
  );
  const counted = db.prepare<{ id: number; day: string }>(
    `UPDATE signatures
        SET email_count = email_count + 1,
            email_day_count = CASE WHEN email_day = @day THEN email_day_count + 1 ELSE 1 END,
            email_day = @day
      WHERE id = @id`,
  );
  const token = db.prepare<[Buffer, string, number, string]>(
    'INSERT INTO email_tokens (hash, purpose, signature_id, created_at) VALUES (?, ?, ?, ?)',
  );
  const outbox = db.prepare<{
    kind: string;
    slug: string;
    signatureId: number;
    to: string;
    locale: string;
    payload: string;
    at: string;
  }>(
    `INSERT INTO mail_outbox (kind, campaign_slug, signature_id, to_address, locale, payload, created_at, next_attempt_at)
     VALUES (@kind, @slug, @signatureId, @to, @locale, @payload, @at, @at)`,
  );

  function queue(
    kind: SignerMailPayload['kind'],
    row: InsertRow,
    signature: { id: number; firstName: string; optedIn: boolean; locale: string },
    { tokens }: ConfirmationRequest,
  ): void {
    const links: SignerMailPayload['tokens'] = {};
    const store = (purpose: 'confirm' | 'withdraw' | 'unsubscribe') => {
      token.run(tokens[purpose].hash, purpose, signature.id, row.createdAt);
      links[purpose] = tokens[purpose].token;
    };
    store(kind === 'confirm' ? 'confirm' : 'withdraw');
    if (signature.optedIn) store('unsubscribe');
    const payload: SignerMailPayload = { kind, firstName: signature.firstName, tokens: links };
    outbox.run({
      kind,
      slug: row.campaignSlug,
      signatureId: signature.id,
      to: row.email,
      locale: signature.locale,
      payload: JSON.stringify(payload),
      at: row.createdAt,
    });
  }

  return {
    signAndQueue(
      insert: { run(row: InsertRow): { changes: number; lastInsertRowid: number | bigint } },
      row: InsertRow,
      confirmation: ConfirmationRequest,
    ): AddResult {
      const day = row.createdAt.slice(0, 10);
      const { caps } = confirmation;
      const mayMail =
        suppressed.get(row.emailKey) === undefined &&
        (addressToday.get(row.emailKey, day) ?? 0) < caps.perAddressPerDay;
      const inserted = insert.run({ ...row, emailCount: mayMail ? 1 : 0, emailDay: mayMail ? day : null });
      if (inserted.changes === 1) {
        const signature = {
          id: Number(inserted.lastInsertRowid),
          firstName: row.firstName,
          optedIn: row.optedIn === 1,
          locale: row.locale,
        };
        if (mayMail) queue('confirm', row, signature, confirmation);
        return 'added';
      }
      // Signing again is how a confirmation is resent (as e-petitions does); to a confirmed signer it
      // says they have already signed. Addressed to the stored name: a stranger typing someone's address
      // must not choose what that person's inbox receives, nor its language: the mail is in the one
      // the signature was made in.
      const found = existing.get(row.emailKey, row.campaignSlug);
      if (found && mayMail && found.emailCount < caps.perSignature) {
        counted.run({ id: found.id, day });
        const signature = {
          id: found.id,
          firstName: found.firstName,
          optedIn: found.optedIn === 1,
          locale: found.locale,
        };
        queue(found.status === 'pending' ? 'confirm' : 'already-signed', row, signature, confirmation);
      }
      return 'duplicate';
    },
  };
}
