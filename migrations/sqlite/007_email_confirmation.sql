-- Signatures that count because a person confirmed them (issue 12).
--
-- A signature to a campaign with confirm_email is stored 'pending' and counts nowhere until the
-- person presses "Confirm my signature" on the page their email links to. Every signature made
-- before this migration was counted the day it was made, so it becomes 'confirmed' (the column's
-- default); its confirmed_at stays NULL: it was never confirmed by email, and saying otherwise would
-- be untrue.
ALTER TABLE signatures ADD COLUMN status TEXT NOT NULL DEFAULT 'confirmed'
  CHECK (status IN ('pending', 'confirmed'));
ALTER TABLE signatures ADD COLUMN confirmed_at TEXT;
-- The language the person signed in; later mail goes out in it (issue 14).
ALTER TABLE signatures ADD COLUMN locale TEXT NOT NULL DEFAULT 'en' CHECK (length(locale) BETWEEN 2 AND 10);
-- Set when the person used an unsubscribe link; opted_in goes to 0 at the same moment.
ALTER TABLE signatures ADD COLUMN unsubscribed_at TEXT;
-- The caps on email caused by signing (src/mail/caps): how many this signature has had in all, and
-- how many on email_day (UTC). Kept on the row, so the per-address cap is a read of the address's
-- few signatures through the (email_key, campaign_slug) index, and erasing the person erases these.
ALTER TABLE signatures ADD COLUMN email_count INTEGER NOT NULL DEFAULT 0 CHECK (email_count >= 0);
ALTER TABLE signatures ADD COLUMN email_day TEXT;
ALTER TABLE signatures ADD COLUMN email_day_count INTEGER NOT NULL DEFAULT 0 CHECK (email_day_count >= 0);

-- Pending signatures per campaign, for the organizers' confirmation rate. Kept by the triggers like the
-- other totals, and never shown publicly.
ALTER TABLE campaigns ADD COLUMN pending_count INTEGER NOT NULL DEFAULT 0 CHECK (pending_count >= 0);

-- Retention finds never-confirmed signatures by age without reading the confirmed ones.
CREATE INDEX signatures_pending_by_time ON signatures (created_at) WHERE status = 'pending';

-- The totals count confirmed signatures only. The triggers of 001 are replaced by ones that count a
-- row when it is inserted confirmed (campaigns without confirmation), when it goes from pending to
-- confirmed, and uncount it when a confirmed row is deleted. A pending row moves only pending_count,
-- and never updated_at: the public JSON shows updated_at, and it must not move when someone signs,
-- or watching it would tell whether an address had signed before.
DROP TRIGGER signatures_counted;
DROP TRIGGER signatures_uncounted;
DROP TRIGGER signatures_opt_in_changed;

CREATE TRIGGER signatures_counted AFTER INSERT ON signatures
WHEN NEW.status = 'confirmed'
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

CREATE TRIGGER signatures_pending_counted AFTER INSERT ON signatures
WHEN NEW.status = 'pending'
BEGIN
  UPDATE campaigns SET pending_count = pending_count + 1 WHERE slug = NEW.campaign_slug;
END;

-- A confirmed signature is counted in the hour and day it was signed, like every other signature, so
-- the charts say when people signed and removing one takes it from the same place.
CREATE TRIGGER signatures_confirmed AFTER UPDATE OF status ON signatures
WHEN OLD.status = 'pending' AND NEW.status = 'confirmed'
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

-- Confirmation is one way: nothing makes a counted signature pending again.
CREATE TRIGGER signatures_status_one_way BEFORE UPDATE OF status ON signatures
WHEN OLD.status <> NEW.status AND NOT (OLD.status = 'pending' AND NEW.status = 'confirmed')
BEGIN
  SELECT RAISE(ABORT, 'a confirmed signature never becomes pending again');
END;

CREATE TRIGGER signatures_uncounted AFTER DELETE ON signatures
WHEN OLD.status = 'confirmed'
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
WHEN OLD.status = 'pending'
BEGIN
  UPDATE campaigns SET pending_count = pending_count - 1 WHERE slug = OLD.campaign_slug;
END;

-- Opting out (unsubscribing, or being anonymised) moves the opted-in total of a counted signature.
-- A row whose status changes in the same statement is left to signatures_confirmed, which adds
-- NEW.opted_in itself.
CREATE TRIGGER signatures_opt_in_changed AFTER UPDATE OF opted_in ON signatures
WHEN OLD.opted_in <> NEW.opted_in AND OLD.status = 'confirmed' AND NEW.status = 'confirmed'
BEGIN
  UPDATE campaigns SET opted_in_count = opted_in_count + NEW.opted_in - OLD.opted_in
   WHERE slug = NEW.campaign_slug;
END;

-- The links in emails. Each email carries fresh random tokens (32 bytes, base64url in the link); only
-- their SHA-256 is kept, so a copy of the database opens no link. Every email's links stay valid, so a
-- person may use whichever message they find first. What a token may do is its purpose:
--   confirm      confirm the signature, or remove it, or stop updates (the confirmation email's link)
--   withdraw     remove the signature, or stop updates (the "you have already signed" email's link)
--   unsubscribe  stop updates only (the List-Unsubscribe header, which mail providers act on)
-- Tokens go with their signature (ON DELETE CASCADE), so a removed signature's links open nothing.
CREATE TABLE email_tokens (
  hash BLOB PRIMARY KEY CHECK (length(hash) = 32),
  purpose TEXT NOT NULL CHECK (purpose IN ('confirm', 'withdraw', 'unsubscribe')),
  signature_id INTEGER NOT NULL REFERENCES signatures (id) ON DELETE CASCADE,
  created_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX email_tokens_by_signature ON email_tokens (signature_id);

-- The outbox. A message is written in the same transaction as the change that causes it (the
-- signature, in the group-commit batch), so a crash never loses the email of a stored signature nor
-- sends one for a signature that was rolled back. The sender (src/mail/sender.ts) claims due rows with
-- a lease (claimed_by, claimed_until), so with several processes on one database each message is sent
-- by one of them, and one whose sender died is claimed again when its lease runs out.
--
-- payload is the JSON the message is rendered from at sending time (first name, the links' tokens); it
-- is cleared when the message is sent or given up, so the raw tokens live only while they must.
CREATE TABLE mail_outbox (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('confirm', 'already-signed')),
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
  -- Set when the message was given up: the address rejected it permanently (5xx).
  failed_at TEXT,
  last_error TEXT,
  CHECK (sent_at IS NULL OR failed_at IS NULL),
  CHECK ((sent_at IS NULL AND failed_at IS NULL) OR payload IS NULL)
) STRICT;
-- What the sender asks for: messages still to send, by when they are due.
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX mail_outbox_by_signature ON mail_outbox (signature_id);
-- Retention deletes finished messages by age.
CREATE INDEX mail_outbox_finished ON mail_outbox (created_at) WHERE sent_at IS NOT NULL OR failed_at IS NOT NULL;

-- Addresses a mail server refused permanently (5xx to RCPT TO). Nothing more is sent to them: sending
-- again to an address that does not exist is how a site's mail comes to be treated as spam. The key is
-- the trimmed, lower-cased address, like signatures.email_key; erasing a person's data removes it.
CREATE TABLE mail_suppressions (
  address_key TEXT PRIMARY KEY,
  reason TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- The last failure the sender saw, for /healthz/mail and the organizer page (one row).
CREATE TABLE mail_status (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  last_failure_at TEXT,
  last_failure TEXT
) STRICT;
INSERT INTO mail_status (id) VALUES (1);

-- An anonymised signature keeps no address, so its links and unsent mail go with its personal data.
CREATE TRIGGER signatures_anonymised_forget_mail AFTER UPDATE OF email ON signatures
WHEN NEW.email IS NULL AND OLD.email IS NOT NULL
BEGIN
  DELETE FROM email_tokens WHERE signature_id = NEW.id;
  DELETE FROM mail_outbox WHERE signature_id = NEW.id;
END;
