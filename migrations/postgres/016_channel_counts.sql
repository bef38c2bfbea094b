-- Counted signatures by language and source, kept by statement-level triggers as the other totals
-- are (twin of migrations/sqlite/016, which says why). A signature counts while it is confirmed and
-- not invalidated; its language and source never change after it is stored. The triggers are named
-- after the counting ones of migration 001 so that they fire after them (PostgreSQL fires a table's
-- triggers in name order): the campaign's row is then locked first, as in every other write.
CREATE TABLE signature_counts_by_channel (
  campaign_slug text NOT NULL REFERENCES campaigns (slug),
  locale text NOT NULL,
  -- '' for a signature with no source: a primary key column cannot hold NULL.
  source text NOT NULL,
  count integer NOT NULL CHECK (count >= 0),
  PRIMARY KEY (campaign_slug, locale, source)
);

INSERT INTO signature_counts_by_channel (campaign_slug, locale, source, count)
  SELECT campaign_slug, locale, coalesce(source, ''), count(*) FROM signatures
   WHERE status = 'confirmed' AND invalidation_id IS NULL
   GROUP BY 1, 2, 3;

CREATE FUNCTION signatures_channels_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO signature_counts_by_channel (campaign_slug, locale, source, count)
    SELECT campaign_slug, locale, coalesce(source, ''), count(*) FROM new_rows
     WHERE status = 'confirmed' AND invalidation_id IS NULL
     GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (campaign_slug, locale, source)
  DO UPDATE SET count = signature_counts_by_channel.count + excluded.count;
  RETURN NULL;
END $$;

CREATE TRIGGER signatures_counted_channels AFTER INSERT ON signatures
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION signatures_channels_inserted();

-- Confirming, invalidating and undoing an invalidation move a signature in or out; anything else
-- (anonymising, opting out) moves nothing.
CREATE FUNCTION signatures_channels_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Gains are upserted; losses are updates (a CHECK is tested on the row an upsert proposes, before
  -- the conflict is found, so a negative count cannot go through the INSERT). Each key moves one way
  -- only, so the two never touch the same row.
  WITH moves AS (
    SELECT n.campaign_slug, n.locale, coalesce(n.source, '') AS source,
           sum((n.status = 'confirmed' AND n.invalidation_id IS NULL)::int
             - (o.status = 'confirmed' AND o.invalidation_id IS NULL)::int) AS moved
      FROM old_rows o JOIN new_rows n ON n.id = o.id
     WHERE o.status <> n.status OR o.invalidation_id IS DISTINCT FROM n.invalidation_id
     GROUP BY 1, 2, 3
  ), gains AS (
    INSERT INTO signature_counts_by_channel (campaign_slug, locale, source, count)
      SELECT campaign_slug, locale, source, moved FROM moves WHERE moved > 0 ORDER BY 1, 2, 3
    ON CONFLICT (campaign_slug, locale, source)
    DO UPDATE SET count = signature_counts_by_channel.count + excluded.count
    RETURNING 1
  )
  UPDATE signature_counts_by_channel t SET count = t.count + m.moved
    FROM moves m
   WHERE m.moved < 0 AND t.campaign_slug = m.campaign_slug AND t.locale = m.locale AND t.source = m.source;
  RETURN NULL;
END $$;

CREATE TRIGGER signatures_recounted_channels AFTER UPDATE ON signatures
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION signatures_channels_updated();

CREATE FUNCTION signatures_channels_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE signature_counts_by_channel t SET count = t.count - d.count
    FROM (SELECT campaign_slug, locale, coalesce(source, '') AS source, count(*) AS count FROM old_rows
           WHERE status = 'confirmed' AND invalidation_id IS NULL GROUP BY 1, 2, 3) d
   WHERE t.campaign_slug = d.campaign_slug AND t.locale = d.locale AND t.source = d.source;
  RETURN NULL;
END $$;

CREATE TRIGGER signatures_uncounted_channels AFTER DELETE ON signatures
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION signatures_channels_deleted();
