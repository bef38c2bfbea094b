-- Organizer accounts. Created from the command line (npm run organizers -- add), never from the web.
CREATE TABLE organizers (
  id INTEGER PRIMARY KEY,
  -- As typed, for showing back; email_key (trimmed, lower-cased) is what sign-in looks up.
  email TEXT NOT NULL,
  email_key TEXT NOT NULL UNIQUE,
  -- scrypt$N$r$p$salt$key: the cost travels with the hash, so raising it later needs no migration.
  password_hash TEXT NOT NULL CHECK (password_hash GLOB 'scrypt$*'),
  created_at TEXT NOT NULL,
  password_changed_at TEXT NOT NULL
) STRICT;

-- Server-side sessions. Only a SHA-256 of the session id is kept, so a copy of the database (a
-- backup, a leaked file) holds nothing that can be replayed as a cookie.
CREATE TABLE organizer_sessions (
  id_hash TEXT PRIMARY KEY,
  organizer_id INTEGER NOT NULL REFERENCES organizers (id) ON DELETE CASCADE,
  -- Synchronizer token for the forms shown during this session.
  csrf_token TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  -- min(last_seen + idle timeout, created + absolute lifetime); a session past it is dead.
  expires_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX organizer_sessions_by_expiry ON organizer_sessions (expires_at);
CREATE INDEX organizer_sessions_by_organizer ON organizer_sessions (organizer_id);
