-- Address codes (source_hash) are kept only for a short window: long enough to spot a flood of
-- signatures from one place, short enough that a stolen copy of the database holds few of them.
-- This index finds the ones past the window without scanning every signature.
CREATE INDEX signatures_with_source_by_time ON signatures (created_at) WHERE source_hash IS NOT NULL;
