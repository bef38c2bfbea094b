-- The index migration 010 made for counting signatures by language and source is read by nothing
-- since migration 016 keeps those counts in a table. Every index is written by every signature: this
-- one cost about a sixth of an insert's time on its own here (BENCHMARKS.md, seventh session).
-- PostgreSQL's twin is migrations/postgres/017.
DROP INDEX signatures_by_channel;
