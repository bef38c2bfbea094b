import { retryWhileBusy, type Db } from '../db.js';
import {
  organizerKey,
  type LoginAttemptRepository,
  type Organizer,
  type OrganizerRepository,
  type OrganizerSession,
} from './repository.js';

export function createOrganizerRepository(db: Db): OrganizerRepository {
  const insert = db.prepare(
    `INSERT INTO organizers (email, email_key, password_hash, created_at, password_changed_at)
     VALUES (?, ?, ?, ?, ?) ON CONFLICT (email_key) DO NOTHING`,
  );
  const list = db.prepare<[], Omit<Organizer, 'passwordHash'>>(
    'SELECT id, email, created_at AS createdAt FROM organizers ORDER BY email_key',
  );
  const byEmail = db.prepare<[string], Organizer>(
    `SELECT id, email, password_hash AS passwordHash, created_at AS createdAt FROM organizers WHERE email_key = ?`,
  );
  const setPassword = db.prepare(
    'UPDATE organizers SET password_hash = ?, password_changed_at = ? WHERE email_key = ?',
  );
  const endSessionsOf = db.prepare(
    'DELETE FROM organizer_sessions WHERE organizer_id = (SELECT id FROM organizers WHERE email_key = ?)',
  );
  const remove = db.prepare('DELETE FROM organizers WHERE email_key = ?');
  const createSession = db.prepare(
    `INSERT INTO organizer_sessions (id_hash, organizer_id, csrf_token, created_at, last_seen_at, expires_at)
     VALUES (@idHash, @organizerId, @csrfToken, @now, @now, @expiresAt)`,
  );
  const findSession = db.prepare<[string, string], OrganizerSession>(
    `SELECT s.organizer_id AS organizerId, o.email, s.csrf_token AS csrfToken, s.created_at AS createdAt,
            s.last_seen_at AS lastSeenAt, s.expires_at AS expiresAt
       FROM organizer_sessions s JOIN organizers o ON o.id = s.organizer_id
      WHERE s.id_hash = ? AND s.expires_at > ?`,
  );
  const touch = db.prepare('UPDATE organizer_sessions SET last_seen_at = ?, expires_at = ? WHERE id_hash = ?');
  const deleteSession = db.prepare('DELETE FROM organizer_sessions WHERE id_hash = ?');
  const deleteExpired = db.prepare('DELETE FROM organizer_sessions WHERE expires_at <= ?');
  const changePassword = db.transaction((key: string, hash: string, now: string) => {
    const changed = setPassword.run(hash, now, key).changes === 1;
    if (changed) endSessionsOf.run(key);
    return changed;
  });

  return {
    async add(email, passwordHash, now) {
      return insert.run(email.trim(), organizerKey(email), passwordHash, now, now).changes === 1;
    },
    async list() {
      return list.all();
    },
    async findByEmail(email) {
      return byEmail.get(organizerKey(email));
    },
    async setPassword(email, passwordHash, now) {
      return changePassword(organizerKey(email), passwordHash, now);
    },
    async remove(email) {
      return remove.run(organizerKey(email)).changes === 1;
    },
    // Writes a signed-in organizer makes wait for other processes' locks on timers, not on the main
    // thread (src/db.ts retryWhileBusy).
    async createSession(session) {
      await retryWhileBusy(() => createSession.run(session));
    },
    async findSession(idHash, now) {
      return findSession.get(idHash, now);
    },
    async touchSession(idHash, now, expiresAt) {
      await retryWhileBusy(() => touch.run(now, expiresAt, idHash));
    },
    async deleteSession(idHash) {
      await retryWhileBusy(() => deleteSession.run(idHash));
    },
    async deleteExpiredSessions(now) {
      return (await retryWhileBusy(() => deleteExpired.run(now))).changes;
    },
  };
}

export function createLoginAttemptRepository(db: Db): LoginAttemptRepository {
  const prune = db.prepare<[number]>('DELETE FROM login_attempts WHERE at_ms <= ?');
  const recent = db
    .prepare<[string, number], number>(
      'SELECT at_ms FROM login_attempts WHERE key_hash = ? AND at_ms > ? ORDER BY at_ms',
    )
    .pluck();
  const insert = db.prepare<[string, number]>('INSERT INTO login_attempts (key_hash, at_ms) VALUES (?, ?)');
  const clearKey = db.prepare<[string]>('DELETE FROM login_attempts WHERE key_hash = ?');
  const forgetOne = db.prepare<[number]>('DELETE FROM login_attempts WHERE id = ?');
  const take = db.transaction((keys: string[], since: number, now: number, decide: (recent: number[][]) => number) => {
    prune.run(since);
    const waitMs = decide(keys.map((key) => recent.all(key, since)));
    if (waitMs > 0) return { waitMs, ids: [] };
    return { waitMs: 0, ids: keys.map((key) => Number(insert.run(key, now).lastInsertRowid)) };
  });
  const clearKeys = db.transaction((keys: string[]) => keys.forEach((key) => clearKey.run(key)));
  const forget = db.transaction((ids: number[]) => ids.forEach((id) => forgetOne.run(id)));
  return {
    // IMMEDIATE: the write lock is taken before the read, so two processes cannot both read "4
    // failures" and both let a fifth guess through.
    async take(keys, since, now, decide) {
      return retryWhileBusy(() => take.immediate(keys, since, now, decide));
    },
    async clearKeys(keys) {
      await retryWhileBusy(() => clearKeys.immediate(keys));
    },
    async forget(ids) {
      await retryWhileBusy(() => forget.immediate(ids));
    },
  };
}
