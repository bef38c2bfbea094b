-- Canonical email keys (twin of migrations/sqlite/012; see there for the rule and why no signature is
-- deleted): keys become src/signatures/emailKey.ts's canonical form, a later signature that now
-- repeats an earlier one's key is marked with duplicate_id = its own id (kept and counted), and the
-- indexes the organizers' search reads are added.
CREATE TEMP TABLE email_rekey ON COMMIT DROP AS
WITH keys AS (
  SELECT email_key AS k FROM signatures WHERE email_key IS NOT NULL
  UNION
  SELECT address_key FROM mail_suppressions
), split AS (
  -- Up to the last '@', and after it; keys with no '@' past the first character are left alone.
  SELECT k, substring(k FROM '^(.*)@[^@]*$') AS local, substring(k FROM '@([^@]*)$') AS domain
    FROM keys WHERE strpos(k, '@') > 1
), untagged AS (
  SELECT k, domain, CASE WHEN strpos(local, '+') > 1 THEN split_part(local, '+', 1) ELSE local END AS local
    FROM split
   WHERE domain IN ('gmail.com', 'googlemail.com', 'fastmail.com', 'fastmail.fm', 'protonmail.com', 'protonmail.ch',
                    'proton.me', 'pm.me')
), canonical AS (
  SELECT k,
         CASE WHEN domain IN ('gmail.com', 'googlemail.com') THEN replace(local, '.', '') || '@gmail.com'
              ELSE local || '@' || domain END AS new_key
    FROM untagged
)
SELECT k AS old_key, new_key FROM canonical WHERE new_key <> k;

ALTER TABLE signatures ADD COLUMN duplicate_id bigint NOT NULL DEFAULT 0
  CHECK (duplicate_id = 0 OR duplicate_id = id);

DROP INDEX signatures_one_per_email;

UPDATE signatures s SET email_key = r.new_key FROM email_rekey r WHERE s.email_key = r.old_key;

UPDATE signatures s SET duplicate_id = s.id
 WHERE s.email_key IN (SELECT new_key FROM email_rekey)
   AND EXISTS (SELECT 1 FROM signatures earlier
                WHERE earlier.email_key = s.email_key AND earlier.campaign_slug = s.campaign_slug
                  AND earlier.id < s.id);

CREATE UNIQUE INDEX signatures_one_per_email ON signatures (email_key, campaign_slug, duplicate_id);

INSERT INTO mail_suppressions (address_key, reason, created_at)
SELECT r.new_key, s.reason, s.created_at FROM mail_suppressions s JOIN email_rekey r ON r.old_key = s.address_key
ON CONFLICT (address_key) DO NOTHING;
DELETE FROM mail_suppressions WHERE address_key IN (SELECT old_key FROM email_rekey);

-- The organizers' search, each within one campaign and newest first: by canonical email domain (the
-- key after its first '@', the expression the search uses), by last name ignoring case, by postcode.
CREATE INDEX signatures_search_domain
  ON signatures (campaign_slug, substr(email_key, strpos(email_key, '@') + 1), created_at, id)
  WHERE email_key IS NOT NULL;
CREATE INDEX signatures_search_last_name ON signatures (campaign_slug, lower(last_name), created_at, id)
  WHERE last_name IS NOT NULL;
CREATE INDEX signatures_search_postal_code ON signatures (campaign_slug, postal_code, created_at, id)
  WHERE postal_code IS NOT NULL;
