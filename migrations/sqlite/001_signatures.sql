-- Campaigns are content files; this table mirrors their slugs so that signatures have something to
-- reference and the running totals have one row to live in. The totals are kept by the triggers
-- below, in the same transaction as each insert or delete, so a page view never counts rows and the
-- totals cannot drift from the signatures whatever code writes them.
CREATE TABLE campaigns (
  slug TEXT PRIMARY KEY CHECK (slug GLOB '[a-z0-9]*' AND length(slug) BETWEEN 1 AND 80),
  signature_count INTEGER NOT NULL DEFAULT 0 CHECK (signature_count >= 0),
  opted_in_count INTEGER NOT NULL DEFAULT 0 CHECK (opted_in_count >= 0),
  updated_at TEXT
) STRICT;

CREATE TABLE signatures (
  id INTEGER PRIMARY KEY,
  campaign_slug TEXT NOT NULL REFERENCES campaigns (slug),
  -- Personal fields are NULL once a signature is anonymised after the campaign's retention period.
  first_name TEXT,
  last_name TEXT,
  email TEXT,
  -- Trimmed and lower-cased: the key that makes a second signature with the same address impossible.
  email_key TEXT,
  country TEXT NOT NULL CHECK (length(country) = 2),
  postal_code TEXT,
  comment TEXT,
  opted_in INTEGER NOT NULL CHECK (opted_in IN (0, 1)),
  -- Which wording of the updates checkbox the person saw when they ticked it or did not.
  consent_version TEXT NOT NULL,
  -- HMAC of the client address under the server secret, for recognising a repeated source of abuse;
  -- never the address itself.
  source_hash TEXT,
  -- UTC, ISO 8601 with milliseconds: sorts as text and slices into days and hours.
  created_at TEXT NOT NULL CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*Z'),
  anonymised_at TEXT,
  CHECK ((email IS NULL) = (email_key IS NULL))
) STRICT;

-- One signature per campaign and address. Anonymised rows have a NULL key, which SQLite treats as
-- distinct, so they never collide.
CREATE UNIQUE INDEX signatures_one_per_email ON signatures (campaign_slug, email_key);
-- Recent signatures and exports walk this index in order instead of sorting the table.
CREATE INDEX signatures_by_campaign_time ON signatures (campaign_slug, created_at);
-- Retention and subject-access requests look people up by address across campaigns.
CREATE INDEX signatures_by_email ON signatures (email_key) WHERE email_key IS NOT NULL;

-- Per-day, per-hour and per-country totals, kept by the same triggers, so the organizers' figures
-- cost the same at a million signatures as at ten.
CREATE TABLE signature_counts_daily (
  campaign_slug TEXT NOT NULL REFERENCES campaigns (slug),
  day TEXT NOT NULL,
  count INTEGER NOT NULL CHECK (count >= 0),
  PRIMARY KEY (campaign_slug, day)
) STRICT, WITHOUT ROWID;

CREATE TABLE signature_counts_hourly (
  campaign_slug TEXT NOT NULL REFERENCES campaigns (slug),
  hour TEXT NOT NULL,
  count INTEGER NOT NULL CHECK (count >= 0),
  PRIMARY KEY (campaign_slug, hour)
) STRICT, WITHOUT ROWID;

CREATE TABLE signature_counts_by_country (
  campaign_slug TEXT NOT NULL REFERENCES campaigns (slug),
  country TEXT NOT NULL,
  count INTEGER NOT NULL CHECK (count >= 0),
  PRIMARY KEY (campaign_slug, country)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER signatures_counted AFTER INSERT ON signatures
BEGIN
  UPDATE campaigns
     SET signature_count = signature_count + 1,
         opted_in_count = opted_in_count + NEW.opted_in,
         updated_at = NEW.created_at
   WHERE slug = NEW.campaign_slug;
  INSERT INTO signature_counts_daily (campaign_slug, day, count)
       VALUES (NEW.campaign_slug, substr(NEW.created_at, 1, 10), 1)
  ON CONFLICT (campaign_slug, day) DO UPDATE SET count = count + 1;
  INSERT INTO signature_counts_hourly (campaign_slug, hour, count)
       VALUES (NEW.campaign_slug, substr(NEW.created_at, 1, 13), 1)
  ON CONFLICT (campaign_slug, hour) DO UPDATE SET count = count + 1;
  INSERT INTO signature_counts_by_country (campaign_slug, country, count)
       VALUES (NEW.campaign_slug, NEW.country, 1)
  ON CONFLICT (campaign_slug, country) DO UPDATE SET count = count + 1;
END;

CREATE TRIGGER signatures_uncounted AFTER DELETE ON signatures
BEGIN
  UPDATE campaigns
     SET signature_count = signature_count - 1,
         opted_in_count = opted_in_count - OLD.opted_in,
         updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
   WHERE slug = OLD.campaign_slug;
  UPDATE signature_counts_daily SET count = count - 1
   WHERE campaign_slug = OLD.campaign_slug AND day = substr(OLD.created_at, 1, 10);
  UPDATE signature_counts_hourly SET count = count - 1
   WHERE campaign_slug = OLD.campaign_slug AND hour = substr(OLD.created_at, 1, 13);
  UPDATE signature_counts_by_country SET count = count - 1
   WHERE campaign_slug = OLD.campaign_slug AND country = OLD.country;
END;

-- Opting out later (or being anonymised) must move the opted-in total too.
CREATE TRIGGER signatures_opt_in_changed AFTER UPDATE OF opted_in ON signatures
WHEN OLD.opted_in <> NEW.opted_in
BEGIN
  UPDATE campaigns SET opted_in_count = opted_in_count + NEW.opted_in - OLD.opted_in
   WHERE slug = NEW.campaign_slug;
END;

-- Country and time are what the totals are keyed on; they never change after signing.
CREATE TRIGGER signatures_keys_immutable BEFORE UPDATE OF campaign_slug, country, created_at ON signatures
BEGIN
  SELECT RAISE(ABORT, 'campaign, country and signing time of a signature never change');
END;

-- Secrets generated on first start (HMAC keys) live with the data they protect.
CREATE TABLE app_secrets (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;
