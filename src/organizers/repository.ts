import type { Db } from '../db.js';

export interface Organizer {
  id: number;
  email: string;
  passwordHash: string;
  createdAt: string;
}

export interface OrganizerSession {
  organizerId: number;
  email: string;
  csrfToken: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
}

export interface NewSession {
  idHash: string;
  organizerId: number;
  csrfToken: string;
  now: string;
  expiresAt: string;
}

export interface OrganizerRepository {
  /** False when an account with that address already exists. */
  add(email: string, passwordHash: string, now: string): Promise<boolean>;
  list(): Promise<Omit<Organizer, 'passwordHash'>[]>;
  findByEmail(email: string): Promise<Organizer | undefined>;
  /** Also ends every session of the account: a changed password must shut out whoever had the old one. */
  setPassword(email: string, passwordHash: string, now: string): Promise<boolean>;
  /** Removes the account and (by cascade) its sessions. */
  remove(email: string): Promise<boolean>;
  createSession(session: NewSession): Promise<void>;
  /** The live session with this id hash, or undefined when there is none or it has expired. */
  findSession(idHash: string, now: string): Promise<OrganizerSession | undefined>;
  touchSession(idHash: string, now: string, expiresAt: string): Promise<void>;
  deleteSession(idHash: string): Promise<void>;
  deleteExpiredSessions(now: string): Promise<number>;
}

/** Trimmed and lower-cased, as for signatures: Ann@Example.org and ann@example.org are one account. */
export const organizerKey = (email: string): string => email.trim().toLowerCase();

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
    async createSession(session) {
      createSession.run(session);
    },
    async findSession(idHash, now) {
      return findSession.get(idHash, now);
    },
    async touchSession(idHash, now, expiresAt) {
      touch.run(now, expiresAt, idHash);
    },
    async deleteSession(idHash) {
      deleteSession.run(idHash);
    },
    async deleteExpiredSessions(now) {
      return deleteExpired.run(now).changes;
    },
  };
}
