-- The counting triggers lock the campaign's row FOR NO KEY UPDATE instead of FOR UPDATE (twin of
-- migrations/sqlite/015, which has nothing to do: SQLite has one writer). Each insert's foreign-key
-- check holds a KEY SHARE lock on the campaign's row; FOR UPDATE conflicts with it, so two servers
-- inserting batches into one campaign waited for each other's KEY SHARE and deadlocked (found by the
-- three-server test under load). The UPDATE of the counters changes no key and needs no more than
-- NO KEY UPDATE, which KEY SHARE does not block; two batches still take turns on the row.

CREATE OR REPLACE FUNCTION signatures_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM campaigns WHERE slug IN (SELECT campaign_slug FROM new_rows) ORDER BY slug FOR NO KEY UPDATE;
  UPDATE campaigns c
     SET signature_count = c.signature_count + n.signed,
         opted_in_count = c.opted_in_count + n.opted,
         pending_count = c.pending_count + n.pending,
         updated_at = CASE WHEN n.signed > 0 THEN n.last ELSE c.updated_at END
    FROM (SELECT campaign_slug,
                 count(*) FILTER (WHERE status = 'confirmed') AS signed,
                 coalesce(sum(opted_in) FILTER (WHERE status = 'confirmed'), 0) AS opted,
                 count(*) FILTER (WHERE status = 'pending') AS pending,
                 max(created_at) FILTER (WHERE status = 'confirmed') AS last
            FROM new_rows GROUP BY campaign_slug) n
   WHERE c.slug = n.campaign_slug;
  INSERT INTO signature_counts_daily (campaign_slug, day, count)
    SELECT campaign_slug, substr(created_at, 1, 10), count(*) FROM new_rows WHERE status = 'confirmed'
     GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (campaign_slug, day) DO UPDATE SET count = signature_counts_daily.count + excluded.count;
  INSERT INTO signature_counts_hourly (campaign_slug, hour, count)
    SELECT campaign_slug, substr(created_at, 1, 13), count(*) FROM new_rows WHERE status = 'confirmed'
     GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (campaign_slug, hour) DO UPDATE SET count = signature_counts_hourly.count + excluded.count;
  INSERT INTO signature_counts_by_country (campaign_slug, country, count)
    SELECT campaign_slug, country, count(*) FROM new_rows WHERE status = 'confirmed'
     GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (campaign_slug, country) DO UPDATE SET count = signature_counts_by_country.count + excluded.count;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION signatures_count_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
                  WHERE o.status <> n.status OR o.opted_in <> n.opted_in
                     OR o.invalidation_id IS DISTINCT FROM n.invalidation_id) THEN
    RETURN NULL;
  END IF;
  PERFORM 1 FROM campaigns WHERE slug IN (SELECT campaign_slug FROM new_rows) ORDER BY slug FOR NO KEY UPDATE;
  UPDATE campaigns c
     SET signature_count = c.signature_count + a.signed,
         opted_in_count = c.opted_in_count + a.opted,
         pending_count = c.pending_count + a.pending,
         updated_at = CASE WHEN a.moved THEN coalesce(a.confirmed, iso_now()) ELSE c.updated_at END
    FROM (SELECT campaign_slug, sum(signed) AS signed, sum(opted) AS opted, sum(pending) AS pending,
                 bool_or(signed <> 0) AS moved,
                 max(confirmed_at) FILTER (WHERE signed > 0 AND old_status = 'pending') AS confirmed
            FROM (SELECT n.campaign_slug, n.created_at, n.country, n.confirmed_at, o.status AS old_status,
                 (n.status = 'confirmed' AND n.invalidation_id IS NULL)::int
                   - (o.status = 'confirmed' AND o.invalidation_id IS NULL)::int AS signed,
                 (n.status = 'confirmed' AND n.invalidation_id IS NULL)::int * n.opted_in
                   - (o.status = 'confirmed' AND o.invalidation_id IS NULL)::int * o.opted_in AS opted,
                 (n.status = 'pending' AND n.invalidation_id IS NULL)::int
                   - (o.status = 'pending' AND o.invalidation_id IS NULL)::int AS pending
            FROM old_rows o JOIN new_rows n ON n.id = o.id) d GROUP BY campaign_slug) a
   WHERE c.slug = a.campaign_slug AND (a.signed <> 0 OR a.opted <> 0 OR a.pending <> 0);
  -- Gains are upserted; losses are updates (a CHECK is tested on the row an upsert proposes, before
  -- the conflict is found, so a negative count cannot go through the INSERT).
  INSERT INTO signature_counts_daily (campaign_slug, day, count)
    SELECT campaign_slug, substr(created_at, 1, 10), sum(signed) FROM (SELECT n.campaign_slug, n.created_at, n.country, n.confirmed_at, o.status AS old_status,
                 (n.status = 'confirmed' AND n.invalidation_id IS NULL)::int
                   - (o.status = 'confirmed' AND o.invalidation_id IS NULL)::int AS signed,
                 (n.status = 'confirmed' AND n.invalidation_id IS NULL)::int * n.opted_in
                   - (o.status = 'confirmed' AND o.invalidation_id IS NULL)::int * o.opted_in AS opted,
                 (n.status = 'pending' AND n.invalidation_id IS NULL)::int
                   - (o.status = 'pending' AND o.invalidation_id IS NULL)::int AS pending
            FROM old_rows o JOIN new_rows n ON n.id = o.id) d
     WHERE signed <> 0 GROUP BY 1, 2 HAVING sum(signed) > 0 ORDER BY 1, 2
  ON CONFLICT (campaign_slug, day) DO UPDATE SET count = signature_counts_daily.count + excluded.count;
  UPDATE signature_counts_daily t SET count = t.count + m.signed
    FROM (SELECT campaign_slug, substr(created_at, 1, 10) AS day, sum(signed) AS signed FROM (SELECT n.campaign_slug, n.created_at, n.country, n.confirmed_at, o.status AS old_status,
                 (n.status = 'confirmed' AND n.invalidation_id IS NULL)::int
                   - (o.status = 'confirmed' AND o.invalidation_id IS NULL)::int AS signed,
                 (n.status = 'confirmed' AND n.invalidation_id IS NULL)::int * n.opted_in
                   - (o.status = 'confirmed' AND o.invalidation_id IS NULL)::int * o.opted_in AS opted,
                 (n.status = 'pending' AND n.invalidation_id IS NULL)::int
                   - (o.status = 'pending' AND o.invalidation_id IS NULL)::int AS pending
            FROM old_rows o JOIN new_rows n ON n.id = o.id) d
           WHERE signed <> 0 GROUP BY 1, 2 HAVING sum(signed) < 0) m
   WHERE t.campaign_slug = m.campaign_slug AND t.day = m.day;
  INSERT INTO signature_counts_hourly (campaign_slug, hour, count)
    SELECT campaign_slug, substr(created_at, 1, 13), sum(signed) FROM (SELECT n.campaign_slug, n.created_at, n.country, n.confirmed_at, o.status AS old_status,
                 (n.status = 'confirmed' AND n.invalidation_id IS NULL)::int
                   - (o.status = 'confirmed' AND o.invalidation_id IS NULL)::int AS signed,
                 (n.status = 'confirmed' AND n.invalidation_id IS NULL)::int * n.opted_in
                   - (o.status = 'confirmed' AND o.invalidation_id IS NULL)::int * o.opted_in AS opted,
                 (n.status = 'pending' AND n.invalidation_id IS NULL)::int
                   - (o.status = 'pending' AND o.invalidation_id IS NULL)::int AS pending
            FROM old_rows o JOIN new_rows n ON n.id = o.id) d
     WHERE signed <> 0 GROUP BY 1, 2 HAVING sum(signed) > 0 ORDER BY 1, 2
  ON CONFLICT (campaign_slug, hour) DO UPDATE SET count = signature_counts_hourly.count + excluded.count;
  UPDATE signature_counts_hourly t SET count = t.count + m.signed
    FROM (SELECT campaign_slug, substr(created_at, 1, 13) AS hour, sum(signed) AS signed FROM (SELECT n.campaign_slug, n.created_at, n.country, n.confirmed_at, o.status AS old_status,
                 (n.status = 'confirmed' AND n.invalidation_id IS NULL)::int
                   - (o.status = 'confirmed' AND o.invalidation_id IS NULL)::int AS signed,
                 (n.status = 'confirmed' AND n.invalidation_id IS NULL)::int * n.opted_in
                   - (o.status = 'confirmed' AND o.invalidation_id IS NULL)::int * o.opted_in AS opted,
                 (n.status = 'pending' AND n.invalidation_id IS NULL)::int
                   - (o.status = 'pending' AND o.invalidation_id IS NULL)::int AS pending
            FROM old_rows o JOIN new_rows n ON n.id = o.id) d
           WHERE signed <> 0 GROUP BY 1, 2 HAVING sum(signed) < 0) m
   WHERE t.campaign_slug = m.campaign_slug AND t.hour = m.hour;
  INSERT INTO signature_counts_by_country (campaign_slug, country, count)
    SELECT campaign_slug, country, sum(signed) FROM (SELECT n.campaign_slug, n.created_at, n.country, n.confirmed_at, o.status AS old_status,
                 (n.status = 'confirmed' AND n.invalidation_id IS NULL)::int
                   - (o.status = 'confirmed' AND o.invalidation_id IS NULL)::int AS signed,
                 (n.status = 'confirmed' AND n.invalidation_id IS NULL)::int * n.opted_in
                   - (o.status = 'confirmed' AND o.invalidation_id IS NULL)::int * o.opted_in AS opted,
                 (n.status = 'pending' AND n.invalidation_id IS NULL)::int
                   - (o.status = 'pending' AND o.invalidation_id IS NULL)::int AS pending
            FROM old_rows o JOIN new_rows n ON n.id = o.id) d
     WHERE signed <> 0 GROUP BY 1, 2 HAVING sum(signed) > 0 ORDER BY 1, 2
  ON CONFLICT (campaign_slug, country) DO UPDATE SET count = signature_counts_by_country.count + excluded.count;
  UPDATE signature_counts_by_country t SET count = t.count + m.signed
    FROM (SELECT campaign_slug, country AS country, sum(signed) AS signed FROM (SELECT n.campaign_slug, n.created_at, n.country, n.confirmed_at, o.status AS old_status,
                 (n.status = 'confirmed' AND n.invalidation_id IS NULL)::int
                   - (o.status = 'confirmed' AND o.invalidation_id IS NULL)::int AS signed,
                 (n.status = 'confirmed' AND n.invalidation_id IS NULL)::int * n.opted_in
                   - (o.status = 'confirmed' AND o.invalidation_id IS NULL)::int * o.opted_in AS opted,
                 (n.status = 'pending' AND n.invalidation_id IS NULL)::int
                   - (o.status = 'pending' AND o.invalidation_id IS NULL)::int AS pending
            FROM old_rows o JOIN new_rows n ON n.id = o.id) d
           WHERE signed <> 0 GROUP BY 1, 2 HAVING sum(signed) < 0) m
   WHERE t.campaign_slug = m.campaign_slug AND t.country = m.country;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION signatures_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM campaigns WHERE slug IN (SELECT campaign_slug FROM old_rows WHERE invalidation_id IS NULL)
    ORDER BY slug FOR NO KEY UPDATE;
  UPDATE campaigns c
     SET signature_count = c.signature_count - n.signed,
         opted_in_count = c.opted_in_count - n.opted,
         pending_count = c.pending_count - n.pending,
         updated_at = CASE WHEN n.signed > 0 THEN iso_now() ELSE c.updated_at END
    FROM (SELECT campaign_slug,
                 count(*) FILTER (WHERE status = 'confirmed') AS signed,
                 coalesce(sum(opted_in) FILTER (WHERE status = 'confirmed'), 0) AS opted,
                 count(*) FILTER (WHERE status = 'pending') AS pending
            FROM old_rows WHERE invalidation_id IS NULL GROUP BY campaign_slug) n
   WHERE c.slug = n.campaign_slug;
  UPDATE signature_counts_daily t SET count = t.count - n.count
    FROM (SELECT campaign_slug, substr(created_at, 1, 10) AS day, count(*) AS count FROM old_rows
           WHERE status = 'confirmed' AND invalidation_id IS NULL GROUP BY 1, 2) n
   WHERE t.campaign_slug = n.campaign_slug AND t.day = n.day;
  UPDATE signature_counts_hourly t SET count = t.count - n.count
    FROM (SELECT campaign_slug, substr(created_at, 1, 13) AS hour, count(*) AS count FROM old_rows
           WHERE status = 'confirmed' AND invalidation_id IS NULL GROUP BY 1, 2) n
   WHERE t.campaign_slug = n.campaign_slug AND t.hour = n.hour;
  UPDATE signature_counts_by_country t SET count = t.count - n.count
    FROM (SELECT campaign_slug, country, count(*) AS count FROM old_rows
           WHERE status = 'confirmed' AND invalidation_id IS NULL GROUP BY 1, 2) n
   WHERE t.campaign_slug = n.campaign_slug AND t.country = n.country;
  RETURN NULL;
END $$;
