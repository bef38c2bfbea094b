-- Canonical email keys (issue 15): j.o.h.n+1@gmail.com and John@gmail.com are one signature.
--
-- signatures.email_key and mail_suppressions.address_key were the trimmed, lower-cased address. They
-- become the canonical key of src/signatures/emailKey.ts: letter case everywhere; for gmail.com and
-- googlemail.com (one mailbox, keyed as gmail.com) no dots and nothing from a '+' on; for the
-- providers that document '+' sub-addressing (Fastmail, Proton) nothing from a '+' on. The same
-- rule is written here in SQL, on the old key (already trimmed and lower-cased by JavaScript, which
-- SQLite's ASCII-only lower() could not redo); test/signatures/email-key.test.ts checks that it gives
-- what emailKey() gives for any address.
--
-- Two signatures of one campaign can already share a canonical key (john@ and j.ohn@ signed both).
-- None is deleted or uncounted here: a person may well have meant to sign only once, but a migration
-- cannot ask them. The first (lowest id) keeps the key as the signature; every later one keeps its row,
-- its count and its key, and is marked with duplicate_id = its own id, which takes it out of the
-- one-per-address rule. Organizers find them with the search (email is compared by this key) and can
-- invalidate them; a data request finds and erases them with the rest of the person's signatures.

-- Old key → new key, for every key whose canonical form differs.
CREATE TEMP TABLE email_rekey (old_key TEXT PRIMARY KEY, new_key TEXT NOT NULL) WITHOUT ROWID;
INSERT INTO email_rekey (old_key, new_key)
WITH keys AS (
  SELECT email_key AS k FROM signatures WHERE email_key IS NOT NULL
  UNION
  SELECT address_key FROM mail_suppressions
), parts AS (
  -- rtrim(k, every character of k but '@') leaves k up to and including its last '@'.
  SELECT k, rtrim(k, replace(k, '@', '')) AS through_at FROM keys WHERE instr(k, '@') > 1
), split AS (
  SELECT k, substr(through_at, 1, length(through_at) - 1) AS local, substr(k, length(through_at) + 1) AS domain
    FROM parts
), untagged AS (
  SELECT k, domain,
         CASE WHEN instr(local, '+') > 1 THEN substr(local, 1, instr(local, '+') - 1) ELSE local END AS local
    FROM split
   WHERE domain IN ('gmail.com', 'googlemail.com', 'fastmail.com', 'fastmail.fm', 'protonmail.com', 'protonmail.ch',
                    'proton.me', 'pm.me')
), canonical AS (
  SELECT k,
         CASE WHEN domain IN ('gmail.com', 'googlemail.com') THEN replace(local, '.', '') || '@gmail.com'
              ELSE local || '@' || domain END AS new_key
    FROM untagged
)
SELECT k, new_key FROM canonical WHERE new_key <> k;

-- 0 for every signature; its own id for a later signature repeating an earlier one's address (above).
ALTER TABLE signatures ADD COLUMN duplicate_id INTEGER NOT NULL DEFAULT 0
  CHECK (duplicate_id = 0 OR duplicate_id = id);

DROP INDEX signatures_one_per_email;
-- Only while this migration runs: finds each key's earlier signatures without a scan per row.
CREATE INDEX signatures_rekeying ON signatures (email_key, campaign_slug);

UPDATE signatures SET email_key = (SELECT new_key FROM email_rekey WHERE old_key = signatures.email_key)
 WHERE email_key IN (SELECT old_key FROM email_rekey);

UPDATE signatures SET duplicate_id = id
 WHERE email_key IN (SELECT new_key FROM email_rekey)
   AND EXISTS (SELECT 1 FROM signatures earlier
                WHERE earlier.email_key = signatures.email_key AND earlier.campaign_slug = signatures.campaign_slug
                  AND earlier.id < signatures.id);

DROP INDEX signatures_rekeying;
-- One signature per campaign and canonical address, as before (migration 004's index, which also
-- serves lookups by address alone), with the repeats kept above standing outside the rule.
CREATE UNIQUE INDEX signatures_one_per_email ON signatures (email_key, campaign_slug, duplicate_id);

-- A suppressed address stays suppressed under its canonical key; two that become one key are one.
INSERT OR IGNORE INTO mail_suppressions (address_key, reason, created_at)
SELECT r.new_key, s.reason, s.created_at FROM mail_suppressions s JOIN email_rekey r ON r.old_key = s.address_key;
DELETE FROM mail_suppressions WHERE address_key IN (SELECT old_key FROM email_rekey);

DROP TABLE email_rekey;

-- The organizers' search (issue 15), each within one campaign and newest first (the rowid, which is the
-- id, ends every index, so keyset pages by (created_at, id) read straight down them):
-- by canonical email domain (the key's part after its '@', the same expression the search uses),
CREATE INDEX signatures_search_domain
  ON signatures (campaign_slug, substr(email_key, instr(email_key, '@') + 1), created_at)
  WHERE email_key IS NOT NULL;
-- by last name, ignoring letter case,
CREATE INDEX signatures_search_last_name ON signatures (campaign_slug, last_name COLLATE NOCASE, created_at)
  WHERE last_name IS NOT NULL;
-- and by postal code (stored upper-case, as the form writes it).
CREATE INDEX signatures_search_postal_code ON signatures (campaign_slug, postal_code, created_at)
  WHERE postal_code IS NOT NULL;
