-- Twin of migrations/sqlite/017: the index of migration 010 is read by nothing since the counts by
-- language and source have their own table (migration 016), and every signature pays for writing it.
DROP INDEX signatures_by_channel;
