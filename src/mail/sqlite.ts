import { commitDurably, retryWhileBusy, type Db } from '../db.js';
import { emailKey } from '../signatures/repository.js';
import type { MailKind, MailPayload, OutboxHealth, OutboxMessage, OutboxRepository } from './repository.js';

interface ClaimedRow {
  id: number;
  kind: MailKind;
  campaignSlug: string;
  to: string;
  locale: string;
  payload: string;
  attempts: number;
  createdAt: string;
}

export function createOutboxRepository(db: Db): OutboxRepository {
  // One statement claims: the subquery picks due rows through the mail_outbox_due index, and the
  // UPDATE takes them under the write lock, so two processes never take the same row. (PostgreSQL:
  // SELECT ... FOR UPDATE SKIP LOCKED does the same without making claimers wait for each other.)
  const claim = db.prepare<{ worker: string; now: string; until: string; limit: number }, ClaimedRow>(
    `UPDATE mail_outbox
        SET claimed_by = @worker, claimed_until = @until, attempts = attempts + 1
      WHERE id IN (SELECT id FROM mail_outbox
                    WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= @now
                      AND (claimed_until IS NULL OR claimed_until <= @now)
                    ORDER BY next_attempt_at, id LIMIT @limit)
      RETURNING id, kind, campaign_slug AS campaignSlug, to_address AS "to", locale, payload, attempts,
                created_at AS createdAt`,
  );
  // A read first: an UPDATE takes the write lock even when it matches nothing, and every server process
  // asks once a second, so an idle outbox would otherwise make writers in other processes wait.
  const anyDue = db
    .prepare<[string, string], number>(
      `SELECT 1 FROM mail_outbox
        WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ?
          AND (claimed_until IS NULL OR claimed_until <= ?) LIMIT 1`,
    )
    .pluck();
  const sent = db.prepare<[string, number, string]>(
    `UPDATE mail_outbox SET sent_at = ?, payload = NULL, claimed_by = NULL, claimed_until = NULL
      WHERE id = ? AND claimed_by = ? AND sent_at IS NULL`,
  );
  const retry = db.prepare<{ id: number; worker: string; retryAt: string; error: string }>(
    `UPDATE mail_outbox SET next_attempt_at = @retryAt, last_error = @error, claimed_by = NULL, claimed_until = NULL
      WHERE id = @id AND claimed_by = @worker`,
  );
  const failed = db.prepare<{ id: number; worker: string; at: string; error: string }>(
    `UPDATE mail_outbox SET failed_at = @at, payload = NULL, last_error = @error, claimed_by = NULL, claimed_until = NULL
      WHERE id = @id AND claimed_by = @worker AND sent_at IS NULL`,
  );
  const addressOf = db.prepare<[number], string>('SELECT to_address FROM mail_outbox WHERE id = ?').pluck();
  const suppress = db.prepare<{ key: string; reason: string; at: string }>(
    `INSERT INTO mail_suppressions (address_key, reason, created_at) VALUES (@key, @reason, @at)
     ON CONFLICT (address_key) DO NOTHING`,
  );
  // The other messages still waiting for that address (claimed by nobody): given up with it. Found by
  // their signature's canonical key (j.ohn@ and john@gmail.com are one mailbox), or for mail that is
  // not a signer's, by the address as typed.
  const failOthers = db.prepare<{ key: string; at: string; error: string }>(
    `UPDATE mail_outbox SET failed_at = @at, payload = NULL, last_error = @error
      WHERE sent_at IS NULL AND failed_at IS NULL AND claimed_by IS NULL
        AND (signature_id IN (SELECT id FROM signatures WHERE email_key = @key) OR lower(trim(to_address)) = @key)`,
  );
  const noteFailure = db.prepare<[string, string]>(
    'UPDATE mail_status SET last_failure_at = ?, last_failure = ? WHERE id = 1',
  );
  const release = db.prepare<[string]>(
    'UPDATE mail_outbox SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = ? AND sent_at IS NULL',
  );
  const waiting = db.prepare<[], { waiting: number; oldest: string | null }>(
    `SELECT count(*) AS waiting, min(created_at) AS oldest FROM mail_outbox
      WHERE sent_at IS NULL AND failed_at IS NULL`,
  );
  const status = db.prepare<[], { at: string | null; error: string | null }>(
    'SELECT last_failure_at AS at, last_failure AS error FROM mail_status WHERE id = 1',
  );
  const suppressedCount = db.prepare<[], number>('SELECT count(*) FROM mail_suppressions').pluck();
  const deleteFinished = db.prepare<[string]>(
    'DELETE FROM mail_outbox WHERE (sent_at IS NOT NULL OR failed_at IS NOT NULL) AND created_at < ?',
  );

  const markSent = db.transaction((worker: string, ids: number[], at: string) => {
    for (const id of ids) sent.run(at, id, worker);
  });
  const giveUp = db.transaction((worker: string, id: number, at: string, error: string, doSuppress: boolean) => {
    failed.run({ id, worker, at, error });
    noteFailure.run(at, error);
    if (!doSuppress) return;
    const address = addressOf.get(id);
    if (address === undefined) return;
    const key = emailKey(address);
    suppress.run({ key, reason: error, at });
    failOthers.run({ key, at, error: 'address refused mail earlier' });
  });
  const retryLater = db.transaction((worker: string, id: number, at: string, retryAt: string, error: string) => {
    retry.run({ id, worker, retryAt, error });
    noteFailure.run(at, error);
  });

  return {
    async claim({ worker, now, leaseMs, limit }) {
      if (anyDue.get(now.toISOString(), now.toISOString()) === undefined) return [];
      // Every write here waits for another process's lock on timers (src/db.ts), so a busy database
      // slows the sender without stopping the pages.
      const rows = await retryWhileBusy(() =>
        claim.all({ worker, now: now.toISOString(), until: new Date(now.getTime() + leaseMs).toISOString(), limit }),
      );
      return rows
        .map((r): OutboxMessage => ({ ...r, payload: JSON.parse(r.payload) as MailPayload }))
        .sort((a, b) => a.id - b.id);
    },
    async markSent(worker, ids, at) {
      if (ids.length > 0)
        // On the disk before the next claim: a mark lost to a power cut would send the message twice.
        await commitDurably(db, () => markSent.immediate(worker, ids, at.toISOString()), 10_000);
    },
    async retryLater(worker, id, at, retryAt, error) {
      await retryWhileBusy(() =>
        retryLater.immediate(worker, id, at.toISOString(), retryAt.toISOString(), error.slice(0, 500)),
      );
    },
    async giveUp(worker, id, at, error, { suppress: doSuppress }) {
      await commitDurably(db, () => giveUp.immediate(worker, id, at.toISOString(), error.slice(0, 500), doSuppress));
    },
    async release(worker) {
      await retryWhileBusy(() => release.run(worker));
    },
    async health(): Promise<OutboxHealth> {
      const w = waiting.get() ?? { waiting: 0, oldest: null };
      const s = status.get();
      return {
        waiting: w.waiting,
        oldestWaitingSince: w.oldest,
        lastFailure: s?.at && s.error ? { at: s.at, error: s.error } : null,
        suppressed: suppressedCount.get() ?? 0,
      };
    },
    async deleteFinished(before) {
      return (await retryWhileBusy(() => deleteFinished.run(before.toISOString()))).changes;
    },
  };
}
