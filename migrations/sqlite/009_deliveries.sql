-- Delivery packages: the printable letter and list of names an organizer hands to the target.
-- A package is recorded when it is built (its list's SHA-256 digest and count are worked out then), and
-- marked delivered when the organizer hands it over; delivered packages are published (digest, count,
-- time, scope; never a name) so that anyone holding the list can check it is the one the site produced.
-- No personal data is kept here: the list itself is made again from the signatures when asked for.
CREATE TABLE delivery_packages (
  id INTEGER PRIMARY KEY,
  campaign_slug TEXT NOT NULL REFERENCES campaigns (slug),
  -- ISO 3166-1 code of the one country the package lists, or NULL for every country.
  country TEXT CHECK (country IS NULL OR (length(country) = 2 AND country GLOB '[A-Z][A-Z]')),
  with_comments INTEGER NOT NULL CHECK (with_comments IN (0, 1)),
  -- The list is a snapshot: deliverable signatures with an id up to this one when it was built.
  up_to_id INTEGER NOT NULL CHECK (up_to_id >= 0),
  signer_count INTEGER NOT NULL CHECK (signer_count >= 0),
  -- SHA-256 of the canonical list (README, "Delivering the letter"), lower-case hex.
  digest TEXT NOT NULL CHECK (length(digest) = 64 AND digest NOT GLOB '*[^0-9a-f]*'),
  -- Who built and who delivered: the account's address as it was, kept even if the account goes.
  built_by TEXT NOT NULL,
  built_at TEXT NOT NULL,
  delivered_by TEXT,
  delivered_at TEXT,
  CHECK ((delivered_by IS NULL) = (delivered_at IS NULL))
) STRICT;

CREATE INDEX delivery_packages_by_campaign ON delivery_packages (campaign_slug, id);

-- What a package lists never changes after it is built; a published record is permanent: it cannot
-- be un-delivered, delivered twice or deleted, or the public digest would prove nothing.
CREATE TRIGGER delivery_packages_list_immutable
BEFORE UPDATE OF campaign_slug, country, with_comments, up_to_id, signer_count, digest, built_by, built_at
ON delivery_packages
BEGIN
  SELECT RAISE(ABORT, 'a delivery package never changes after it is built');
END;

CREATE TRIGGER delivery_packages_delivered_once
BEFORE UPDATE OF delivered_by, delivered_at ON delivery_packages
WHEN OLD.delivered_at IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'a delivered package stays as it was recorded');
END;

CREATE TRIGGER delivery_packages_delivered_kept
BEFORE DELETE ON delivery_packages
WHEN OLD.delivered_at IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'a delivered package is a public record and is never deleted');
END;
