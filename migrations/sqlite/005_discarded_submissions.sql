-- Submissions answered as if signed but not stored because they looked automated, counted per
-- campaign, UTC day and reason, so organizers can see when the checks start catching people. Only
-- counts: nothing about who sent them.
CREATE TABLE discarded_submissions (
  campaign_slug TEXT NOT NULL REFERENCES campaigns (slug),
  day TEXT NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  -- honeypot: the hidden field was filled; too_fast: sent sooner than MIN_FILL_SECONDS after the form
  -- was drawn; no_token: sent without the form's timing token; bad_token: with one we did not sign.
  reason TEXT NOT NULL CHECK (reason IN ('honeypot', 'too_fast', 'no_token', 'bad_token')),
  count INTEGER NOT NULL CHECK (count > 0),
  PRIMARY KEY (campaign_slug, day, reason)
) STRICT, WITHOUT ROWID;
