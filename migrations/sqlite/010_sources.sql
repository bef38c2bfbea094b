-- Where a signature came from (issue 14): the channel code of the link or embed it was made through,
-- `?source=whatsapp` or a partner organization's name, lower-case letters, digits, '_' and '-', at
-- most 40 characters (src/signatures/source.ts); NULL when the link said nothing. It names a channel,
-- never a person, so it is kept when a signature is anonymised.
ALTER TABLE signatures ADD COLUMN source TEXT
  CHECK (source IS NULL OR (length(source) BETWEEN 1 AND 40 AND source = lower(source)
                            AND source NOT GLOB '*[^a-z0-9_-]*'));

-- The organizers' count page groups a campaign's confirmed signatures by language and source
-- (signatures.countsByChannel): with this index that is a read of the index alone, never of the rows.
CREATE INDEX signatures_by_channel ON signatures (campaign_slug, status, locale, source);
