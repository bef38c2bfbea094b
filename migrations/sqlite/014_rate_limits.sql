-- The per-address rate limits (signing, sign-in), shared by every server process on the database
-- (issue 13): held in one process's memory, N processes allowed N times the limit. One row per
-- limit and client, for the current fixed window; the key is an HMAC of the client's address under
-- the server secret (never the address), and rows whose window has ended are deleted as new hits come.
CREATE TABLE rate_limits (
  key_hash TEXT PRIMARY KEY,
  hits INTEGER NOT NULL CHECK (hits >= 0),
  -- Milliseconds since the epoch when the window ends and the count starts again.
  reset_at_ms INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX rate_limits_by_reset ON rate_limits (reset_at_ms);
