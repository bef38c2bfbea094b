-- Organizer accounts scoped to campaigns (issue 15), so that what the privacy page tells signers
-- ("the organizers of the campaign you signed can see the signatures for it") is what the site does.
--
-- An account is either an admin (every campaign, and the accounts themselves, from the command line)
-- or the organizer of the campaigns granted to it in organizer_campaigns, and of nothing else.
--
-- Every account made before this migration could see every campaign. They become admins, so nobody
-- is locked out of a campaign they were running; an admin narrows one down with
-- `npm run organizers -- revoke <email> --admin` and `grant <email> <slug>`.
ALTER TABLE organizers ADD COLUMN is_admin INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1));
UPDATE organizers SET is_admin = 1;

-- No foreign key to campaigns: an account may be given a campaign whose file is new and whose row the
-- server has not registered yet. The command line checks the slug against the campaign files instead.
CREATE TABLE organizer_campaigns (
  organizer_id INTEGER NOT NULL REFERENCES organizers (id) ON DELETE CASCADE,
  campaign_slug TEXT NOT NULL CHECK (campaign_slug GLOB '[a-z0-9]*' AND length(campaign_slug) BETWEEN 1 AND 80),
  granted_at TEXT NOT NULL,
  PRIMARY KEY (organizer_id, campaign_slug)
) STRICT, WITHOUT ROWID;

-- Who organizes a campaign (milestone mail, the account list), without reading every account.
CREATE INDEX organizer_campaigns_by_campaign ON organizer_campaigns (campaign_slug);
