import { inTransaction, isConstraintViolation, type Pool, type PoolClient } from '../postgres.js';
import type { SignerMailPayload } from '../mail/repository.js';
import {
  DISCARD_REASONS,
  emailKey,
  type AddResult,
  type ConfirmationRequest,
  type DiscardedDay,
  type DiscardReason,
  type ExportRow,
  type NewSignature,
  type RecentSignature,
  type SignatureCursor,
  type SignatureRepository,
  type TokenHolder,
} from './repository.js';

interface PendingInsert {
  signature: NewSignature;
  resolve(result: AddResult): void;
  reject(error: unknown): void;
}

/** Rows per read while exporting, as in SQLite. */
const EXPORT_BATCH = 1000;

/**
 * The first key of the advisory locks taken per address while storing signatures that queue mail (the
 * second is a hash of the address). Two-key advisory locks are a space of their own, apart from the
 * one-key lock the migrations take.
 */
const ADDRESS_LOCKS = 1;

/** Deadlock or serialization failure: the whole transaction was rolled back and may simply run again. */
const isRetryable = (error: unknown): boolean =>
  ['40P01', '40001'].includes(String((error as { code?: unknown } | null)?.code ?? ''));

const RECENT_COLUMNS = `id, first_name AS "firstName", last_name AS "lastName", country, comment, created_at AS "createdAt"`;

// The columns of one inserted row, in the order of the arrays handed to unnest() below.
const INSERT_COLUMNS = `campaign_slug, first_name, last_name, email, email_key, country, postal_code, comment,
  opted_in, consent_version, source_hash, created_at, status, locale, source, email_count, email_day, email_day_count`;
const INSERT_TYPES = [
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'smallint',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'integer',
  'text',
  'integer',
];

function rowValues(s: NewSignature, mailed: { day: string } | null): unknown[] {
  return [
    s.campaignSlug,
    s.firstName,
    s.lastName,
    s.email,
    emailKey(s.email),
    s.country,
    s.postalCode,
    s.comment,
    s.optedIn ? 1 : 0,
    s.consentVersion,
    s.sourceHash,
    s.createdAt.toISOString(),
    s.confirmation ? 'pending' : 'confirmed',
    s.locale ?? 'en',
    s.source ?? null,
    mailed ? 1 : 0,
    mailed?.day ?? null,
    mailed ? 1 : 0,
  ];
}

/** One multi-row INSERT of `rows` (each from rowValues), arrays per column: one statement, one trigger run. */
function insertMany(client: PoolClient, rows: unknown[][]) {
  const columns = INSERT_TYPES.map((_, i) => rows.map((row) => row[i]));
  const unnest = INSERT_TYPES.map((type, i) => `$${i + 1}::${type}[]`).join(', ');
  return client.query<{ id: number; email_key: string; campaign_slug: string }>(
    `INSERT INTO signatures (${INSERT_COLUMNS})
     SELECT * FROM unnest(${unnest})
     ON CONFLICT (email_key, campaign_slug, duplicate_id) DO NOTHING
     RETURNING id, email_key, campaign_slug`,
    columns,
  );
}

export function createSignatureRepository(pool: Pool): SignatureRepository {
  /*
   * Group commit, as in SQLite: signatures arriving in the same turn of the event loop are written in
   * one transaction, committed before any of them is answered. Without confirmation mail the batch is
   * one INSERT of every row (the statement-level trigger counts it once); with it, each row needs its
   * own checks and queued email, still in the one transaction. One batch is in flight at a time per
   * process: signatures arriving meanwhile form the next one, so under load batches grow instead of
   * connections piling up on the campaign's counter row.
   */
  let queue: PendingInsert[] = [];
  let writing: Promise<void> | undefined;

  async function writeBatch(batch: PendingInsert[]): Promise<(AddResult | Error)[]> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await inTransaction(pool, async (client) => {
          const plain = batch.filter((p) => !p.signature.confirmation);
          const results = new Map<PendingInsert, AddResult | Error>();
          if (plain.length > 0) for (const [p, r] of await insertPlain(client, plain)) results.set(p, r);
          // Signatures that queue mail are stored one statement each. Their campaigns' rows are locked
          // first, in slug order: otherwise this batch could hold the counter row (taken by its first
          // insert's trigger) while a later insert waits for another server's uncommitted row with the
          // same address, which in turn waits for the counter row: a deadlock (seen with three servers).
          // NO KEY UPDATE, as in the counting triggers (migration 015): the inserts' foreign-key checks
          // hold KEY SHARE on the row, which FOR UPDATE would wait for.
          const confirming = batch
            .filter((p) => p.signature.confirmation)
            .sort((a, b) => a.signature.campaignSlug.localeCompare(b.signature.campaignSlug));
          if (confirming.length > 0) {
            await client.query('SELECT 1 FROM campaigns WHERE slug = ANY($1) ORDER BY slug FOR NO KEY UPDATE', [
              [...new Set(confirming.map((p) => p.signature.campaignSlug))],
            ]);
            // Then each address, as SQLite's single writer does by itself: the daily cap is summed over
            // the address's signatures on every campaign, so two servers storing one address on two
            // campaigns would each count the day's emails before the other's row exists, and both send
            // (test/mail/caps-concurrency.test.ts). In hash order, after the campaigns, so two batches
            // always wait in the same order. PostgreSQL evaluates these calls after the ORDER BY.
            await client.query(
              `SELECT pg_advisory_xact_lock(${ADDRESS_LOCKS}, h)
                 FROM (SELECT DISTINCT hashtext(k) AS h FROM unnest($1::text[]) AS k) AS keys ORDER BY h`,
              [confirming.map((p) => emailKey(p.signature.email))],
            );
          }
          for (const p of confirming) results.set(p, await signAndQueue(client, p.signature));
          return batch.map((p) => results.get(p) as AddResult | Error);
        });
      } catch (error) {
        if (isRetryable(error) && attempt < 5) continue;
        throw error;
      }
    }
  }

  /** Inserts the batch in one statement; the first of two identical addresses in a batch wins. */
  async function insertPlain(
    client: PoolClient,
    batch: PendingInsert[],
  ): Promise<Map<PendingInsert, AddResult | Error>> {
    const results = new Map<PendingInsert, AddResult | Error>();
    await client.query('SAVEPOINT batch');
    try {
      const { rows } = await insertMany(
        client,
        batch.map((p) => rowValues(p.signature, null)),
      );
      const added = new Set(rows.map((row) => `${row.campaign_slug}\n${row.email_key}`));
      for (const p of batch) {
        const key = `${p.signature.campaignSlug}\n${emailKey(p.signature.email)}`;
        results.set(p, added.delete(key) ? 'added' : 'duplicate');
      }
      return results;
    } catch (error) {
      // A row the schema refuses fails the whole statement here (SQLite undoes only that row): go
      // back to before it and insert one at a time, so the bad row fails alone as it does there.
      if (!isConstraintViolation(error)) throw error;
      await client.query('ROLLBACK TO SAVEPOINT batch');
    }
    for (const p of batch) {
      await client.query('SAVEPOINT one');
      try {
        const { rows } = await insertMany(client, [rowValues(p.signature, null)]);
        results.set(p, rows.length === 1 ? 'added' : 'duplicate');
      } catch (error) {
        if (!isConstraintViolation(error)) throw error;
        await client.query('ROLLBACK TO SAVEPOINT one');
        results.set(p, error as Error);
      }
    }
    return results;
  }

  /** The outbox side of signing (see signatures/sqlite.ts for why each step is as it is). */
  async function signAndQueue(client: PoolClient, s: NewSignature): Promise<AddResult | Error> {
    const confirmation = s.confirmation as ConfirmationRequest;
    const key = emailKey(s.email);
    const day = s.createdAt.toISOString().slice(0, 10);
    const { caps } = confirmation;
    const allowed = await client.query<{ suppressed: boolean; today: number }>(
      `SELECT EXISTS (SELECT 1 FROM mail_suppressions WHERE address_key = $1) AS suppressed,
              coalesce((SELECT sum(email_day_count) FROM signatures WHERE email_key = $1 AND email_day = $2), 0) AS today`,
      [key, day],
    );
    const mayMail = !allowed.rows[0]?.suppressed && Number(allowed.rows[0]?.today ?? 0) < caps.perAddressPerDay;
    await client.query('SAVEPOINT one');
    let inserted;
    try {
      inserted = await insertMany(client, [rowValues(s, mayMail ? { day } : null)]);
    } catch (error) {
      if (!isConstraintViolation(error)) throw error;
      await client.query('ROLLBACK TO SAVEPOINT one');
      return error as Error;
    }
    const added = inserted.rows[0];
    if (added) {
      if (mayMail)
        await queueMail(
          client,
          'confirm',
          s,
          { id: added.id, firstName: s.firstName, optedIn: s.optedIn, locale: s.locale ?? 'en' },
          confirmation,
        );
      return 'added';
    }
    const { rows } = await client.query<{
      id: number;
      firstName: string;
      status: string;
      optedIn: number;
      emailCount: number;
      locale: string;
    }>(
      `SELECT id, first_name AS "firstName", status, opted_in AS "optedIn", email_count AS "emailCount", locale
         FROM signatures WHERE email_key = $1 AND campaign_slug = $2 AND duplicate_id = 0 FOR NO KEY UPDATE`,
      [key, s.campaignSlug],
    );
    const found = rows[0];
    if (found && mayMail && found.emailCount < caps.perSignature) {
      await client.query(
        `UPDATE signatures
            SET email_count = email_count + 1,
                email_day_count = CASE WHEN email_day = $2 THEN email_day_count + 1 ELSE 1 END,
                email_day = $2
          WHERE id = $1`,
        [found.id, day],
      );
      // In the language the signature was made in, not the one just used (see signatures/sqlite.ts).
      const signature = {
        id: found.id,
        firstName: found.firstName,
        optedIn: found.optedIn === 1,
        locale: found.locale,
      };
      await queueMail(client, found.status === 'pending' ? 'confirm' : 'already-signed', s, signature, confirmation);
    }
    return 'duplicate';
  }

  async function queueMail(
    client: PoolClient,
    kind: SignerMailPayload['kind'],
    s: NewSignature,
    signature: { id: number; firstName: string; optedIn: boolean; locale: string },
    { tokens }: ConfirmationRequest,
  ): Promise<void> {
    const purposes: ('confirm' | 'withdraw' | 'unsubscribe')[] = [kind === 'confirm' ? 'confirm' : 'withdraw'];
    if (signature.optedIn) purposes.push('unsubscribe');
    const links: SignerMailPayload['tokens'] = {};
    for (const purpose of purposes) links[purpose] = tokens[purpose].token;
    const at = s.createdAt.toISOString();
    await client.query(
      `INSERT INTO email_tokens (hash, purpose, signature_id, created_at)
       SELECT unnest($1::bytea[]), unnest($2::text[]), $3, $4`,
      [purposes.map((p) => tokens[p].hash), purposes, signature.id, at],
    );
    const payload: SignerMailPayload = { kind, firstName: signature.firstName, tokens: links };
    await client.query(
      `INSERT INTO mail_outbox (kind, campaign_slug, signature_id, to_address, locale, payload, created_at, next_attempt_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`,
      [kind, s.campaignSlug, signature.id, s.email, signature.locale, JSON.stringify(payload), at],
    );
  }

  async function flush(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      let results: (AddResult | Error)[];
      try {
        results = await writeBatch(batch);
      } catch (error) {
        // Nothing of the batch was kept (the transaction rolled back): every signer is told to try again.
        for (const pending of batch) pending.reject(error);
        continue;
      }
      batch.forEach((pending, i) => {
        const result = results[i] as AddResult | Error;
        if (result instanceof Error) pending.reject(result);
        else pending.resolve(result);
      });
    }
  }

  // The first signature of a batch waits for the rest of this turn's I/O; later ones join whichever
  // batch is still queued. Checked again after each write, so nothing is left waiting.
  function schedule(): void {
    if (writing) return;
    writing = (async () => {
      await new Promise<void>((done) => setImmediate(done));
      try {
        await flush();
      } finally {
        writing = undefined;
        if (queue.length > 0) schedule();
      }
    })();
  }

  async function* exportBatches(slug: string, optedInOnly: boolean): AsyncGenerator<ExportRow[]> {
    const { rows: top } = await pool.query<{ max: number | null }>('SELECT max(id) AS max FROM signatures');
    const maxId = top[0]?.max ?? 0;
    let cursor: SignatureCursor = { createdAt: '', id: 0 };
    for (;;) {
      const { rows } = await pool.query({
        text: `SELECT first_name, last_name, email, country, postal_code, comment, opted_in, consent_version, locale, source, created_at, id
                 FROM signatures
                WHERE campaign_slug = $1 AND (created_at, id) > ($2, $3)
                  AND id <= $4 AND email IS NOT NULL AND status = 'confirmed' AND invalidation_id IS NULL AND ($5 = false OR opted_in = 1)
                ORDER BY created_at, id LIMIT $6`,
        values: [slug, cursor.createdAt, cursor.id, maxId, optedInOnly, EXPORT_BATCH],
        rowMode: 'array',
      });
      const batch = rows as unknown as ExportRow[];
      if (batch.length > 0) yield batch;
      const last = batch.at(-1);
      if (!last || batch.length < EXPORT_BATCH) return;
      cursor = { createdAt: last[10], id: last[11] };
    }
  }

  async function any(slug: string, createdAt: string, id: number, direction: '<' | '>'): Promise<boolean> {
    const { rows } = await pool.query(
      `SELECT 1 FROM signatures WHERE campaign_slug = $1 AND (created_at, id) ${direction} ($2, $3) LIMIT 1`,
      [slug, createdAt, id],
    );
    return rows.length > 0;
  }

  return {
    add(signature) {
      return new Promise<AddResult>((resolve, reject) => {
        queue.push({ signature, resolve, reject });
        schedule();
      });
    },
    async countBetween(slug, from, to) {
      const { rows } = await pool.query<{ count: number }>(
        `SELECT count(*) AS count FROM signatures
          WHERE campaign_slug = $1 AND created_at >= $2 AND created_at < $3 AND status = 'confirmed' AND invalidation_id IS NULL`,
        [slug, from, to],
      );
      return rows[0]?.count ?? 0;
    },
    async recent(slug, limit, position) {
      const cursorOf = (row: RecentSignature | undefined) => (row ? { createdAt: row.createdAt, id: row.id } : null);
      if (position && 'before' in position) {
        const { createdAt, id } = position.before;
        const { rows } = await pool.query<RecentSignature>(
          `SELECT ${RECENT_COLUMNS} FROM signatures
            WHERE campaign_slug = $1 AND (created_at, id) > ($2, $3)
            ORDER BY created_at, id LIMIT $4`,
          [slug, createdAt, id, limit + 1],
        );
        const signatures = rows.slice(0, limit).reverse();
        const last = signatures.at(-1);
        return {
          signatures,
          previous: rows.length > limit ? cursorOf(signatures[0]) : null,
          next: last && (await any(slug, last.createdAt, last.id, '<')) ? cursorOf(last) : null,
        };
      }
      const { rows } = position
        ? await pool.query<RecentSignature>(
            `SELECT ${RECENT_COLUMNS} FROM signatures
              WHERE campaign_slug = $1 AND (created_at, id) < ($2, $3) AND status = 'confirmed' AND invalidation_id IS NULL
              ORDER BY created_at DESC, id DESC LIMIT $4`,
            [slug, position.after.createdAt, position.after.id, limit + 1],
          )
        : await pool.query<RecentSignature>(
            `SELECT ${RECENT_COLUMNS} FROM signatures WHERE campaign_slug = $1 AND status = 'confirmed' AND invalidation_id IS NULL
              ORDER BY created_at DESC, id DESC LIMIT $2`,
            [slug, limit + 1],
          );
      const signatures = rows.slice(0, limit);
      const first = signatures[0];
      return {
        signatures,
        next: rows.length > limit ? cursorOf(signatures.at(-1)) : null,
        previous: position && first && (await any(slug, first.createdAt, first.id, '>')) ? cursorOf(first) : null,
      };
    },
    exportBatches(slug, { optedInOnly }) {
      return exportBatches(slug, optedInOnly);
    },
    async countDiscarded(slug, reason, at) {
      await pool.query(
        `INSERT INTO discarded_submissions (campaign_slug, day, reason, count) VALUES ($1, $2, $3, 1)
         ON CONFLICT (campaign_slug, day, reason) DO UPDATE SET count = discarded_submissions.count + 1`,
        [slug, at.toISOString().slice(0, 10), reason],
      );
    },
    async discardedSince(slug, fromDay) {
      const { rows } = await pool.query<{ day: string; reason: DiscardReason; count: number }>(
        `SELECT day, reason, count FROM discarded_submissions
          WHERE campaign_slug = $1 AND day >= $2 ORDER BY day DESC`,
        [slug, fromDay],
      );
      const days = new Map<string, DiscardedDay>();
      for (const row of rows) {
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
    async findByToken(hash) {
      const { rows } = await pool.query<TokenHolder>(
        `SELECT t.purpose, s.id AS "signatureId", s.campaign_slug AS "campaignSlug", s.status,
                s.opted_in = 1 AS "optedIn", s.unsubscribed_at IS NOT NULL AS unsubscribed
           FROM email_tokens t JOIN signatures s ON s.id = t.signature_id
          WHERE t.hash = $1 AND s.email IS NOT NULL`,
        [hash],
      );
      return rows[0];
    },
    async confirm(id, at) {
      const { rowCount } = await pool.query(
        "UPDATE signatures SET status = 'confirmed', confirmed_at = $1 WHERE id = $2 AND status = 'pending'",
        [at.toISOString(), id],
      );
      return rowCount === 1;
    },
    // Tokens and unsent mail go with the row (ON DELETE CASCADE); the delete trigger lowers the counts.
    async withdraw(id) {
      return (await pool.query('DELETE FROM signatures WHERE id = $1', [id])).rowCount === 1;
    },
    // Kept by the triggers of migration 016: a read of a few rows, not a count of every signature.
    async countsByChannel(slug) {
      const { rows } = await pool.query<{ locale: string; source: string | null; count: number }>(
        `SELECT locale, nullif(source, '') AS source, count FROM signature_counts_by_channel
          WHERE campaign_slug = $1 AND count > 0`,
        [slug],
      );
      return rows;
    },
    async unsubscribe(id, at) {
      const { rowCount } = await pool.query(
        'UPDATE signatures SET opted_in = 0, unsubscribed_at = $1 WHERE id = $2 AND opted_in = 1',
        [at.toISOString(), id],
      );
      return rowCount === 1;
    },
  };
}
