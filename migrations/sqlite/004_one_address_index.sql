-- One index on the address instead of two. Every signature wrote both the unique (campaign_slug,
-- email_key) index and the (email_key) index used to find a person's signatures for a data request,
-- each at a place as random as the address: with a million signatures those two writes were most of
-- what storing one cost. A unique index that starts with the address does both jobs: it still allows
-- one signature per campaign and address (the INSERT's ON CONFLICT names the same two columns), and
-- lookups by address alone use its first column. Anonymised rows have a NULL key, which SQLite treats
-- as distinct, so they never collide.
DROP INDEX signatures_by_email;
DROP INDEX signatures_one_per_email;
CREATE UNIQUE INDEX signatures_one_per_email ON signatures (email_key, campaign_slug);
