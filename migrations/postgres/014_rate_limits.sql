-- The per-address rate limits, shared by every server (twin of migrations/sqlite/014; see there).
-- UNLOGGED: a window's counts are worth nothing after a crash, and not writing them to the WAL
-- keeps a hit as cheap as PostgreSQL can make a write.
CREATE UNLOGGED TABLE rate_limits (
  key_hash text PRIMARY KEY,
  hits integer NOT NULL CHECK (hits >= 0),
  reset_at_ms bigint NOT NULL
);
CREATE INDEX rate_limits_by_reset ON rate_limits (reset_at_ms);
