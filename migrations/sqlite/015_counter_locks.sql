-- PostgreSQL's twin (migrations/postgres/015) changes how its counting triggers lock a campaign's row
-- between concurrent writers. SQLite has one writer at a time and nothing to change; this file keeps
-- the numbers of the two engines' migrations in step.
SELECT 1;
