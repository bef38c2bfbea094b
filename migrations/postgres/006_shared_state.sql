-- In PostgreSQL this step is part of 001, which creates the schema as SQLite's 001-007 left it
-- (PostgreSQL became the second engine after 007). Kept so every migration number has its twin.
SELECT 1;
