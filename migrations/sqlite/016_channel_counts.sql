-- Counted signatures by language and source (the organizer page's "where they came from"), kept by
-- triggers as the counts by country are, instead of counted from the signatures_by_channel index on
-- every view: at a million signatures that count took 105 ms on the main thread (110 ms of a 180 ms
-- count page), while every page view waited behind it (BENCHMARKS.md). A signature counts while it
-- is confirmed and not invalidated; its language and source never change after it is stored.
-- PostgreSQL's twin is migrations/postgres/016.
CREATE TABLE signature_counts_by_channel (
  campaign_slug TEXT NOT NULL REFERENCES campaigns (slug),
  locale TEXT NOT NULL,
  -- '' for a signature with no source: a primary key column cannot hold NULL.
  source TEXT NOT NULL,
  count INTEGER NOT NULL CHECK (count >= 0),
  PRIMARY KEY (campaign_slug, locale, source)
) STRICT, WITHOUT ROWID;

INSERT INTO signature_counts_by_channel (campaign_slug, locale, source, count)
  SELECT campaign_slug, locale, coalesce(source, ''), count(*) FROM signatures
   WHERE status = 'confirmed' AND invalidation_id IS NULL
   GROUP BY 1, 2, 3;

CREATE TRIGGER signatures_channel_counted AFTER INSERT ON signatures
  WHEN NEW.status = 'confirmed' AND NEW.invalidation_id IS NULL
BEGIN
  INSERT INTO signature_counts_by_channel (campaign_slug, locale, source, count)
       VALUES (NEW.campaign_slug, NEW.locale, coalesce(NEW.source, ''), 1)
  ON CONFLICT (campaign_slug, locale, source) DO UPDATE SET count = count + 1;
END;

CREATE TRIGGER signatures_channel_confirmed AFTER UPDATE OF status ON signatures
  WHEN OLD.status = 'pending' AND NEW.status = 'confirmed' AND NEW.invalidation_id IS NULL
BEGIN
  INSERT INTO signature_counts_by_channel (campaign_slug, locale, source, count)
       VALUES (NEW.campaign_slug, NEW.locale, coalesce(NEW.source, ''), 1)
  ON CONFLICT (campaign_slug, locale, source) DO UPDATE SET count = count + 1;
END;

CREATE TRIGGER signatures_channel_uncounted AFTER DELETE ON signatures
  WHEN OLD.status = 'confirmed' AND OLD.invalidation_id IS NULL
BEGIN
  UPDATE signature_counts_by_channel SET count = count - 1
   WHERE campaign_slug = OLD.campaign_slug AND locale = OLD.locale AND source = coalesce(OLD.source, '');
END;

CREATE TRIGGER signatures_channel_invalidated AFTER UPDATE OF invalidation_id ON signatures
  WHEN OLD.invalidation_id IS NULL AND NEW.invalidation_id IS NOT NULL
   AND OLD.status = 'confirmed' AND NEW.status = 'confirmed'
BEGIN
  UPDATE signature_counts_by_channel SET count = count - 1
   WHERE campaign_slug = NEW.campaign_slug AND locale = NEW.locale AND source = coalesce(NEW.source, '');
END;

CREATE TRIGGER signatures_channel_restored AFTER UPDATE OF invalidation_id ON signatures
  WHEN OLD.invalidation_id IS NOT NULL AND NEW.invalidation_id IS NULL
   AND OLD.status = 'confirmed' AND NEW.status = 'confirmed'
BEGIN
  INSERT INTO signature_counts_by_channel (campaign_slug, locale, source, count)
       VALUES (NEW.campaign_slug, NEW.locale, coalesce(NEW.source, ''), 1)
  ON CONFLICT (campaign_slug, locale, source) DO UPDATE SET count = count + 1;
END;
