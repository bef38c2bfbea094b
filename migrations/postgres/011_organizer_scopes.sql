-- Organizer accounts scoped to campaigns (twin of migrations/sqlite/011; see there for why).
-- Every account made before this migration could see every campaign: they become admins.
ALTER TABLE organizers ADD COLUMN is_admin smallint NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1));
UPDATE organizers SET is_admin = 1;

-- No foreign key to campaigns: an account may be given a campaign whose row is not registered yet.
CREATE TABLE organizer_campaigns (
  organizer_id bigint NOT NULL REFERENCES organizers (id) ON DELETE CASCADE,
  campaign_slug text NOT NULL CHECK (campaign_slug ~ '^[a-z0-9]' AND length(campaign_slug) BETWEEN 1 AND 80),
  granted_at text NOT NULL,
  PRIMARY KEY (organizer_id, campaign_slug)
);
CREATE INDEX organizer_campaigns_by_campaign ON organizer_campaigns (campaign_slug);
