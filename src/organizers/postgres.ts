import { inTransaction, type Pool } from '../postgres.js';
import {
  organizerKey,
  type LoginAttemptRepository,
  type Organizer,
  type OrganizerRepository,
  type OrganizerSession,
} from './repository.js';

/** The account's access (migration 011) as two columns of its row: admin or not, and its campaigns, sorted. */
const ACCESS_OF = `o.is_admin = 1 AS "isAdmin",
  ARRAY(SELECT campaign_slug FROM organizer_campaigns WHERE organizer_id = o.id ORDER BY campaign_slug) AS campaigns`;

export function createOrganizerRepository(pool: Pool): OrganizerRepository {
  return {
    async add(email, passwordHash, now, access = {}) {
      return inTransaction(pool, async (client) => {
        const { rows } = await client.query<{ id: number }>(
          `INSERT INTO organizers (email, email_key, password_hash, created_at, password_changed_at, is_admin)
           VALUES ($1, $2, $3, $4, $4, $5) ON CONFLICT (email_key) DO NOTHING RETURNING id`,
          [email.trim(), organizerKey(email), passwordHash, now, access.isAdmin ? 1 : 0],
        );
        const id = rows[0]?.id;
        if (id === undefined) return false;
        await client.query(
          `INSERT INTO organizer_campaigns (organizer_id, campaign_slug, granted_at)
           SELECT $1, unnest($2::text[]), $3 ON CONFLICT DO NOTHING`,
          [id, access.campaigns ?? [], now],
        );
        return true;
      });
    },
    async list() {
      const { rows } = await pool.query<Omit<Organizer, 'passwordHash'>>(
        `SELECT id, email, created_at AS "createdAt", ${ACCESS_OF} FROM organizers o ORDER BY email_key`,
      );
      return rows;
    },
    async findByEmail(email) {
      const { rows } = await pool.query<Organizer>(
        `SELECT id, email, password_hash AS "passwordHash", created_at AS "createdAt", ${ACCESS_OF}
           FROM organizers o WHERE email_key = $1`,
        [organizerKey(email)],
      );
      return rows[0];
    },
    async grant(email, slug, now) {
      const { rows } = await pool.query<{ id: number }>('SELECT id FROM organizers WHERE email_key = $1', [
        organizerKey(email),
      ]);
      const id = rows[0]?.id;
      if (id === undefined) return false;
      await pool.query(
        `INSERT INTO organizer_campaigns (organizer_id, campaign_slug, granted_at) VALUES ($1, $2, $3)
         ON CONFLICT (organizer_id, campaign_slug) DO NOTHING`,
        [id, slug, now],
      );
      return true;
    },
    async revoke(email, slug) {
      const { rowCount } = await pool.query(
        `DELETE FROM organizer_campaigns
          WHERE campaign_slug = $1 AND organizer_id = (SELECT id FROM organizers WHERE email_key = $2)`,
        [slug, organizerKey(email)],
      );
      return rowCount === 1;
    },
    async setAdmin(email, isAdmin) {
      const { rowCount } = await pool.query('UPDATE organizers SET is_admin = $1 WHERE email_key = $2', [
        isAdmin ? 1 : 0,
        organizerKey(email),
      ]);
      return rowCount === 1;
    },
    async setPassword(email, passwordHash, now) {
      return inTransaction(pool, async (client) => {
        const key = organizerKey(email);
        const { rowCount } = await client.query(
          'UPDATE organizers SET password_hash = $1, password_changed_at = $2 WHERE email_key = $3',
          [passwordHash, now, key],
        );
        if (rowCount !== 1) return false;
        await client.query(
          'DELETE FROM organizer_sessions WHERE organizer_id = (SELECT id FROM organizers WHERE email_key = $1)',
          [key],
        );
        return true;
      });
    },
    async remove(email) {
      const { rowCount } = await pool.query('DELETE FROM organizers WHERE email_key = $1', [organizerKey(email)]);
      return rowCount === 1;
    },
    async createSession(s) {
      await pool.query(
        `INSERT INTO organizer_sessions (id_hash, organizer_id, csrf_token, created_at, last_seen_at, expires_at)
         VALUES ($1, $2, $3, $4, $4, $5)`,
        [s.idHash, s.organizerId, s.csrfToken, s.now, s.expiresAt],
      );
    },
    async findSession(idHash, now) {
      const { rows } = await pool.query<OrganizerSession>(
        `SELECT s.organizer_id AS "organizerId", o.email, s.csrf_token AS "csrfToken", s.created_at AS "createdAt",
                s.last_seen_at AS "lastSeenAt", s.expires_at AS "expiresAt", ${ACCESS_OF}
           FROM organizer_sessions s JOIN organizers o ON o.id = s.organizer_id
          WHERE s.id_hash = $1 AND s.expires_at > $2`,
        [idHash, now],
      );
      return rows[0];
    },
    async touchSession(idHash, now, expiresAt) {
      await pool.query('UPDATE organizer_sessions SET last_seen_at = $1, expires_at = $2 WHERE id_hash = $3', [
        now,
        expiresAt,
        idHash,
      ]);
    },
    async deleteSession(idHash) {
      await pool.query('DELETE FROM organizer_sessions WHERE id_hash = $1', [idHash]);
    },
    async deleteExpiredSessions(now) {
      return (await pool.query('DELETE FROM organizer_sessions WHERE expires_at <= $1', [now])).rowCount ?? 0;
    },
  };
}

// Any constant works, as long as every server uses it: it names "the sign-in throttle".
const THROTTLE_LOCK = 73_2_2026;

export function createLoginAttemptRepository(pool: Pool): LoginAttemptRepository {
  return {
    // A transaction-scoped advisory lock plays the part of SQLite's IMMEDIATE: two servers cannot both
    // read "4 failures" and both let a fifth guess through.
    async take(keys, since, now, decide) {
      return inTransaction(pool, async (client) => {
        await client.query('SELECT pg_advisory_xact_lock($1)', [THROTTLE_LOCK]);
        await client.query('DELETE FROM login_attempts WHERE at_ms <= $1', [since]);
        const { rows } = await client.query<{ key_hash: string; at_ms: number }>(
          'SELECT key_hash, at_ms FROM login_attempts WHERE key_hash = ANY($1) AND at_ms > $2 ORDER BY at_ms',
          [keys, since],
        );
        const waitMs = decide(keys.map((key) => rows.filter((row) => row.key_hash === key).map((row) => row.at_ms)));
        if (waitMs > 0) return { waitMs, ids: [] };
        const inserted = await client.query<{ id: number }>(
          'INSERT INTO login_attempts (key_hash, at_ms) SELECT unnest($1::text[]), $2 RETURNING id',
          [keys, now],
        );
        return { waitMs: 0, ids: inserted.rows.map((row) => row.id) };
      });
    },
    async clearKeys(keys) {
      await pool.query('DELETE FROM login_attempts WHERE key_hash = ANY($1)', [keys]);
    },
    async forget(ids) {
      await pool.query('DELETE FROM login_attempts WHERE id = ANY($1)', [ids]);
    },
  };
}
