-- Where a signature came from (twin of migrations/sqlite/010; see there): a channel code, never a person.
ALTER TABLE signatures ADD COLUMN source text
  CHECK (source IS NULL OR (length(source) BETWEEN 1 AND 40 AND source ~ '^[a-z0-9_-]+$'));

-- The organizers' count by language and source reads this index alone.
CREATE INDEX signatures_by_channel ON signatures (campaign_slug, status, locale, source);
