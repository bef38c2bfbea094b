-- Invalidation by rule, and campaign milestones (issue 15).

------------------------------------------------------------------------------------------------------
-- Invalidations. An organizer's rule (a search: names, email, domain, postal code, time window) takes
-- the signatures it matches out of every count, export and delivery, without deleting them: the rule,
-- who applied it, when and how many are recorded, and undoing it puts every one of them back.
CREATE TABLE invalidations (
  id INTEGER PRIMARY KEY,
  campaign_slug TEXT NOT NULL REFERENCES campaigns (slug),
  -- The filter as JSON (src/moderation/filter.ts); never empty: a rule that matches everything is a
  -- mistake, and clearing a campaign has its own command.
  rule TEXT NOT NULL CHECK (json_valid(rule) AND rule <> '{}'),
  -- A snapshot: only signatures with an id up to this one, stored when it was applied, are matched, so
  -- people signing while it runs are never caught by it.
  up_to_id INTEGER NOT NULL CHECK (up_to_id >= 0),
  -- How many signatures it took out, counted batch by batch as it runs.
  signature_count INTEGER NOT NULL DEFAULT 0 CHECK (signature_count >= 0),
  applied_by TEXT NOT NULL,
  applied_at TEXT NOT NULL,
  -- NULL while its batches are still running.
  finished_at TEXT,
  undone_by TEXT,
  undone_at TEXT,
  CHECK ((undone_by IS NULL) = (undone_at IS NULL))
) STRICT;
CREATE INDEX invalidations_by_campaign ON invalidations (campaign_slug, id);

-- The invalidation that took the signature out, or NULL for one that counts.
ALTER TABLE signatures ADD COLUMN invalidation_id INTEGER REFERENCES invalidations (id);
-- Undoing finds an invalidation's signatures without reading the others.
CREATE INDEX signatures_by_invalidation ON signatures (invalidation_id) WHERE invalidation_id IS NOT NULL;

-- The totals (migration 007) count confirmed signatures that are not invalidated. The triggers that
-- move them at confirming, deleting and opting out now leave an invalidated signature alone (it was
-- uncounted when it was invalidated), and two pairs of new ones move them at invalidating and undoing.
DROP TRIGGER signatures_confirmed;
DROP TRIGGER signatures_uncounted;
DROP TRIGGER signatures_pending_uncounted;
DROP TRIGGER signatures_opt_in_changed;

CREATE TRIGGER signatures_confirmed AFTER UPDATE OF status ON signatures
WHEN OLD.status = 'pending' AND NEW.status = 'confirmed' AND NEW.invalidation_id IS NULL
BEGIN
  UPDATE campaigns
     SET signature_count = signature_count + 1,
         pending_count = pending_count - 1,
         opted_in_count = opted_in_count + NEW.opted_in,
         updated_at = coalesce(NEW.confirmed_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
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
WHEN OLD.status = 'confirmed' AND OLD.invalidation_id IS NULL
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

CREATE TRIGGER signatures_pending_uncounted AFTER DELETE ON signatures
WHEN OLD.status = 'pending' AND OLD.invalidation_id IS NULL
BEGIN
  UPDATE campaigns SET pending_count = pending_count - 1 WHERE slug = OLD.campaign_slug;
END;

CREATE TRIGGER signatures_opt_in_changed AFTER UPDATE OF opted_in ON signatures
WHEN OLD.opted_in <> NEW.opted_in AND OLD.status = 'confirmed' AND NEW.status = 'confirmed'
     AND OLD.invalidation_id IS NULL AND NEW.invalidation_id IS NULL
BEGIN
  UPDATE campaigns SET opted_in_count = opted_in_count + NEW.opted_in - OLD.opted_in
   WHERE slug = NEW.campaign_slug;
END;

CREATE TRIGGER signatures_invalidated AFTER UPDATE OF invalidation_id ON signatures
WHEN OLD.invalidation_id IS NULL AND NEW.invalidation_id IS NOT NULL AND NEW.status = 'confirmed'
BEGIN
  UPDATE campaigns
     SET signature_count = signature_count - 1,
         opted_in_count = opted_in_count - NEW.opted_in,
         updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
   WHERE slug = NEW.campaign_slug;
  UPDATE signature_counts_daily SET count = count - 1
   WHERE campaign_slug = NEW.campaign_slug AND day = substr(NEW.created_at, 1, 10);
  UPDATE signature_counts_hourly SET count = count - 1
   WHERE campaign_slug = NEW.campaign_slug AND hour = substr(NEW.created_at, 1, 13);
  UPDATE signature_counts_by_country SET count = count - 1
   WHERE campaign_slug = NEW.campaign_slug AND country = NEW.country;
END;

-- An invalidated pending signature no longer waits for confirmation either; if its signer confirms it
-- later it becomes confirmed, still uncounted, and counts only if the invalidation is undone.
CREATE TRIGGER signatures_invalidated_pending AFTER UPDATE OF invalidation_id ON signatures
WHEN OLD.invalidation_id IS NULL AND NEW.invalidation_id IS NOT NULL AND NEW.status = 'pending'
BEGIN
  UPDATE campaigns SET pending_count = pending_count - 1 WHERE slug = NEW.campaign_slug;
END;

CREATE TRIGGER signatures_restored AFTER UPDATE OF invalidation_id ON signatures
WHEN OLD.invalidation_id IS NOT NULL AND NEW.invalidation_id IS NULL AND NEW.status = 'confirmed'
BEGIN
  UPDATE campaigns
     SET signature_count = signature_count + 1,
         opted_in_count = opted_in_count + NEW.opted_in,
         updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
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

CREATE TRIGGER signatures_restored_pending AFTER UPDATE OF invalidation_id ON signatures
WHEN OLD.invalidation_id IS NOT NULL AND NEW.invalidation_id IS NULL AND NEW.status = 'pending'
BEGIN
  UPDATE campaigns SET pending_count = pending_count + 1 WHERE slug = NEW.campaign_slug;
END;

------------------------------------------------------------------------------------------------------
-- Milestones. A campaign's content names them (`milestones: [1000, 10000]`); the server writes them
-- here when it registers the campaign. Crossing one is noticed by a trigger on the count itself, in
-- the very transaction of the signature, confirmation or undone invalidation that crossed it, and the
-- row can be marked crossed only once (crossed_at IS NULL in the same UPDATE, under SQLite's single
-- writer), so however many people sign at once the milestone is crossed, and mailed, exactly once. A
-- count that falls back below it (an erasure, an invalidation) does not make it crossable again.
CREATE TABLE campaign_milestones (
  campaign_slug TEXT NOT NULL REFERENCES campaigns (slug),
  milestone INTEGER NOT NULL CHECK (milestone > 0),
  crossed_at TEXT,
  PRIMARY KEY (campaign_slug, milestone)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER campaign_milestones_crossed AFTER UPDATE OF signature_count ON campaigns
WHEN NEW.signature_count > OLD.signature_count
BEGIN
  UPDATE campaign_milestones
     SET crossed_at = coalesce(NEW.updated_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
   WHERE campaign_slug = NEW.slug AND crossed_at IS NULL AND milestone <= NEW.signature_count;
END;

-- The outbox gains a kind, 'milestone': a message to each account that holds the campaign (its
-- organizers and the admins), queued in the same transaction that crossed it. SQLite cannot change a
-- CHECK in place, so the table is rebuilt with the same columns, rows and indexes.
DROP TRIGGER signatures_anonymised_forget_mail;
CREATE TABLE mail_outbox_013 (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('confirm', 'already-signed', 'milestone')),
  campaign_slug TEXT NOT NULL,
  signature_id INTEGER REFERENCES signatures (id) ON DELETE CASCADE,
  to_address TEXT NOT NULL,
  locale TEXT NOT NULL DEFAULT 'en',
  payload TEXT,
  created_at TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at TEXT NOT NULL,
  claimed_by TEXT,
  claimed_until TEXT,
  sent_at TEXT,
  failed_at TEXT,
  last_error TEXT,
  CHECK (sent_at IS NULL OR failed_at IS NULL),
  CHECK ((sent_at IS NULL AND failed_at IS NULL) OR payload IS NULL)
) STRICT;
INSERT INTO mail_outbox_013 (id, kind, campaign_slug, signature_id, to_address, locale, payload, created_at, attempts,
                             next_attempt_at, claimed_by, claimed_until, sent_at, failed_at, last_error)
SELECT id, kind, campaign_slug, signature_id, to_address, locale, payload, created_at, attempts,
       next_attempt_at, claimed_by, claimed_until, sent_at, failed_at, last_error
  FROM mail_outbox;
DROP TABLE mail_outbox;
ALTER TABLE mail_outbox_013 RENAME TO mail_outbox;
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX mail_outbox_by_signature ON mail_outbox (signature_id);
CREATE INDEX mail_outbox_finished ON mail_outbox (created_at) WHERE sent_at IS NOT NULL OR failed_at IS NOT NULL;
CREATE TRIGGER signatures_anonymised_forget_mail AFTER UPDATE OF email ON signatures
WHEN NEW.email IS NULL AND OLD.email IS NOT NULL
BEGIN
  DELETE FROM email_tokens WHERE signature_id = NEW.id;
  DELETE FROM mail_outbox WHERE signature_id = NEW.id;
END;

CREATE TRIGGER campaign_milestones_mail AFTER UPDATE OF crossed_at ON campaign_milestones
WHEN OLD.crossed_at IS NULL AND NEW.crossed_at IS NOT NULL
BEGIN
  INSERT INTO mail_outbox (kind, campaign_slug, signature_id, to_address, locale, payload, created_at, next_attempt_at)
  SELECT 'milestone', NEW.campaign_slug, NULL, email, 'en', json_object('kind', 'milestone', 'milestone', NEW.milestone),
         NEW.crossed_at, NEW.crossed_at
    FROM organizers
   WHERE is_admin = 1 OR id IN (SELECT organizer_id FROM organizer_campaigns WHERE campaign_slug = NEW.campaign_slug);
END;
