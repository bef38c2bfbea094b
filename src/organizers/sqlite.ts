import { commitDurably, retryWhileBusy, type Db } from '../db.js';
import {
  organizerKey,
  type LoginAttemptRepository,
  type OrganizerAccess,
  type Organizer,
  type OrganizerRepository,
  type OrganizerSession,
} from './repository.js';

/** The account's granted campaigns as one JSON array, so an account and its scope are one row. */
const CAMPAIGNS_OF = `(SELECT json_group_array(campaign_slug) FROM
    (SELECT campaign_slug FROM organizer_campaigns WHERE organizer_id = o.id ORDER BY campaign_slug))`;

type Stored<T extends OrganizerAccess> = Omit<T, keyof OrganizerAccess> & { isAdmin: number; campaigns: string };
function withAccess<T extends OrganizerAccess>(row: Stored<T>): T;
function withAccess<T extends OrganizerAccess>(row: Stored<T> | undefined): T | undefined;
function withAccess<T extends OrganizerAccess>(row: Stored<T> | undefined): T | undefined {
  if (!row) return undefined;
  return { ...row, isAdmin: row.isAdmin === 1, campaigns: JSON.parse(row.campaigns) as string[] } as unknown as T;
}

export function createOrganizerRepository(db: Db): OrganizerRepository {
  const insert = db.prepare(
    `INSERT INTO organizers (email, email_key, password_hash, created_at, password_changed_at, is_admin)
     VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (email_key) DO NOTHING`,
  );
  const list = db.prepare<[], Stored<Omit<Organizer, 'passwordHash'>>>(
    `SELECT id, email, created_at AS createdAt, is_admin AS isAdmin, ${CAMPAIGNS_OF} AS campaigns
       FROM organizers o ORDER BY email_key`,
  );
  const byEmail = db.prepare<[string], Stored<Organizer>>(
    `SELECT id, email, password_hash AS passwordHash, created_at AS createdAt, is_admin AS isAdmin,
            ${CAMPAIGNS_OF} AS campaigns
       FROM organizers o WHERE email_key = ?`,
  );
  const grant = db.prepare<[string, string, string]>(
    `INSERT INTO organizer_campaigns (organizer_id, campaign_slug, granted_at)
     SELECT id, ?, ? FROM organizers WHERE email_key = ?
     ON CONFLICT (organizer_id, campaign_slug) DO NOTHING`,
  );
  const revoke = db.prepare<[string, string]>(
    `DELETE FROM organizer_campaigns
      WHERE campaign_slug = ? AND organizer_id = (SELECT id FROM organizers WHERE email_key = ?)`,
  );
  const setAdmin = db.prepare<[number, string]>('UPDATE organizers SET is_admin = ? WHERE email_key = ?');
  const addWithAccess = db.transaction(
    (email: string, hash: string, now: string, isAdmin: boolean, campaigns: string[]): boolean => {
      const key = organizerKey(email);
      if (insert.run(email.trim(), key, hash, now, now, isAdmin ? 1 : 0).changes !== 1) return false;
      for (const slug of campaigns) grant.run(slug, now, key);
      return true;
    },
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
  // The scope is read with the session on every request, so a revoked campaign is gone at the next click.
  const findSession = db.prepare<[string, string], Stored<OrganizerSession>>(
    `SELECT s.organizer_id AS organizerId, o.email, s.csrf_token AS csrfToken, s.created_at AS createdAt,
            s.last_seen_at AS lastSeenAt, s.expires_at AS expiresAt, o.is_admin AS isAdmin,
            ${CAMPAIGNS_OF} AS campaigns
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
    async add(email, passwordHash, now, access = {}) {
      return addWithAccess.immediate(email, passwordHash, now, access.isAdmin ?? false, access.campaigns ?? []);
    },
    async list() {
      return list.all().map((row) => withAccess(row));
    },
    async findByEmail(email) {
      return withAccess(byEmail.get(organizerKey(email)));
    },
    async grant(email, slug, now) {
      if (!byEmail.get(organizerKey(email))) return false;
      grant.run(slug, now, organizerKey(email));
      return true;
    },
    async revoke(email, slug) {
      return revoke.run(slug, organizerKey(email)).changes === 1;
    },
    async setAdmin(email, isAdmin) {
      return setAdmin.run(isAdmin ? 1 : 0, organizerKey(email)).changes === 1;
    },
    async setPassword(email, passwordHash, now) {
      // Durable, and it ends the account's sessions: a password changed because it leaked must stay changed.
      return commitDurably(db, () => changePassword(organizerKey(email), passwordHash, now));
    },
    async remove(email) {
      return remove.run(organizerKey(email)).changes === 1;
    },
    // Writes a signed-in organizer makes wait for other processes' locks on timers, not on the main
    // thread (src/db.ts retryWhileBusy).
    async createSession(session) {
      await commitDurably(db, () => createSession.run(session));
    },
    async findSession(idHash, now) {
      return withAccess(findSession.get(idHash, now));
    },
    async touchSession(idHash, now, expiresAt) {
      await retryWhileBusy(() => touch.run(now, expiresAt, idHash));
    },
    async deleteSession(idHash) {
      // Durable: a sign-out undone by a power cut would bring the session back.
      await commitDurably(db, () => deleteSession.run(idHash));
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
