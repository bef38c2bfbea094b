import { inTransaction, type Pool } from '../postgres.js';
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

export function createOutboxRepository(pool: Pool): OutboxRepository {
  return {
    // FOR UPDATE SKIP LOCKED: each server's sender takes rows nobody else is taking at that moment,
    // without waiting for the others; the lease (claimed_until) covers a sender that dies mid-send.
    async claim({ worker, now, leaseMs, limit }) {
      const at = now.toISOString();
      const { rows } = await pool.query<ClaimedRow>(
        `UPDATE mail_outbox o
            SET claimed_by = $1, claimed_until = $3, attempts = o.attempts + 1
           FROM (SELECT id FROM mail_outbox
                  WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $2
                    AND (claimed_until IS NULL OR claimed_until <= $2)
                  ORDER BY next_attempt_at, id LIMIT $4
                  FOR UPDATE SKIP LOCKED) due
          WHERE o.id = due.id
          RETURNING o.id, o.kind, o.campaign_slug AS "campaignSlug", o.to_address AS "to", o.locale, o.payload,
                    o.attempts, o.created_at AS "createdAt"`,
        [worker, at, new Date(now.getTime() + leaseMs).toISOString(), limit],
      );
      return rows
        .map((r): OutboxMessage => ({ ...r, payload: JSON.parse(r.payload) as MailPayload }))
        .sort((a, b) => a.id - b.id);
    },
    async markSent(worker, ids, at) {
      if (ids.length === 0) return;
      await pool.query(
        `UPDATE mail_outbox SET sent_at = $1, payload = NULL, claimed_by = NULL, claimed_until = NULL
          WHERE id = ANY($2) AND claimed_by = $3 AND sent_at IS NULL`,
        [at.toISOString(), ids, worker],
      );
    },
    async retryLater(worker, id, at, retryAt, error) {
      await inTransaction(pool, async (client) => {
        await client.query(
          `UPDATE mail_outbox SET next_attempt_at = $3, last_error = $4, claimed_by = NULL, claimed_until = NULL
            WHERE id = $1 AND claimed_by = $2`,
          [id, worker, retryAt.toISOString(), error.slice(0, 500)],
        );
        await client.query('UPDATE mail_status SET last_failure_at = $1, last_failure = $2 WHERE id = 1', [
          at.toISOString(),
          error.slice(0, 500),
        ]);
      });
    },
    async giveUp(worker, id, at, error, { suppress }) {
      const when = at.toISOString();
      const why = error.slice(0, 500);
      await inTransaction(pool, async (client) => {
        const { rows } = await client.query<{ to: string }>(
          `UPDATE mail_outbox SET failed_at = $3, payload = NULL, last_error = $4, claimed_by = NULL, claimed_until = NULL
            WHERE id = $1 AND claimed_by = $2 AND sent_at IS NULL
            RETURNING to_address AS "to"`,
          [id, worker, when, why],
        );
        await client.query('UPDATE mail_status SET last_failure_at = $1, last_failure = $2 WHERE id = 1', [when, why]);
        const address = rows[0]?.to;
        if (!suppress || address === undefined) return;
        const key = emailKey(address);
        await client.query(
          `INSERT INTO mail_suppressions (address_key, reason, created_at) VALUES ($1, $2, $3)
           ON CONFLICT (address_key) DO NOTHING`,
          [key, why, when],
        );
        // The other messages still waiting for that address (claimed by nobody): given up with it, found
        // by their signature's canonical key or, for mail that is not a signer's, the address as typed.
        await client.query(
          `UPDATE mail_outbox SET failed_at = $2, payload = NULL, last_error = 'address refused mail earlier'
            WHERE sent_at IS NULL AND failed_at IS NULL AND claimed_by IS NULL
              AND (signature_id IN (SELECT id FROM signatures WHERE email_key = $1) OR lower(trim(to_address)) = $1)`,
          [key, when],
        );
      });
    },
    async release(worker) {
      await pool.query(
        'UPDATE mail_outbox SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = $1 AND sent_at IS NULL',
        [worker],
      );
    },
    async health(): Promise<OutboxHealth> {
      const { rows } = await pool.query<{
        waiting: number;
        oldest: string | null;
        at: string | null;
        error: string | null;
        suppressed: number;
      }>(
        `SELECT (SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL) AS waiting,
                (SELECT min(created_at) FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL) AS oldest,
                s.last_failure_at AS at, s.last_failure AS error,
                (SELECT count(*) FROM mail_suppressions) AS suppressed
           FROM mail_status s WHERE s.id = 1`,
      );
      const r = rows[0];
      return {
        waiting: r?.waiting ?? 0,
        oldestWaitingSince: r?.oldest ?? null,
        lastFailure: r?.at && r.error ? { at: r.at, error: r.error } : null,
        suppressed: r?.suppressed ?? 0,
      };
    },
    async deleteFinished(before) {
      const { rowCount } = await pool.query(
        'DELETE FROM mail_outbox WHERE (sent_at IS NOT NULL OR failed_at IS NOT NULL) AND created_at < $1',
        [before.toISOString()],
      );
      return rowCount ?? 0;
    },
  };
}
