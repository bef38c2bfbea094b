-- State every server process on this database must share (issue 13): what one process knows, the
-- others must know too, so none of it may live in a process's memory.

-- Organizer sign-in attempts, per throttle key (an account, a browser's device cookie, an address),
-- each recorded BEFORE its password is checked, so parallel guesses cannot all pass the check first.
-- The key is an HMAC (never an email or an address), and rows older than the throttle window are
-- deleted as new attempts come, so the table holds minutes of history at most.
CREATE TABLE login_attempts (
  id INTEGER PRIMARY KEY,
  key_hash TEXT NOT NULL,
  -- Milliseconds since the epoch.
  at_ms INTEGER NOT NULL
) STRICT;

CREATE INDEX login_attempts_by_key ON login_attempts (key_hash, at_ms);
CREATE INDEX login_attempts_by_time ON login_attempts (at_ms);

-- Jobs that one process at a time may run (retention). A process takes a lease by a conditional
-- update that succeeds only when the lease is free or expired, so two cannot both hold it; one that
-- dies holding it loses it when it expires.
CREATE TABLE job_leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  -- When the job last completed (UTC ISO), by whichever process; null before the first run.
  last_finished_at TEXT
) STRICT, WITHOUT ROWID;

-- One row the health check rewrites, to prove that a write still reaches the disk.
CREATE TABLE health_probe (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  checked_at TEXT NOT NULL
) STRICT;

INSERT INTO health_probe (id, checked_at) VALUES (1, '');
