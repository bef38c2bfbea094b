import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { fromRoot } from './paths.js';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

export const PG_MIGRATIONS_DIR = fromRoot('migrations', 'postgres');

// bigint (count(*), sum(), identity ids) arrives as a string by default, because it can exceed 2^53.
// Our counts and ids never come near that, and the repositories' interfaces promise numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => Number(value));

/** Raised when DATABASE_URL does not lead to a PostgreSQL server we can use; its message says what to fix. */
export class PostgresUnavailableError extends Error {}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the DATABASE_URL';
  }
}

export interface PostgresOptions {
  /** Connections this process keeps; one app server needs few, because group commit batches writes. */
  max?: number;
  /** How long an unused connection stays open (tests shorten it). */
  idleTimeoutMillis?: number;
  migrationsDir?: string;
}

/**
 * Connects to PostgreSQL, checks that it answers, and applies pending migrations. A URL that does not
 * work stops here with a PostgresUnavailableError naming the problem: the site never falls back to
 * SQLite, which would quietly split the signatures across two databases.
 */
export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<Pool> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    // A server that stops answering must fail requests (a 503 "try again"), not hang them.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: options.idleTimeoutMillis ?? 30_000,
    // UTC on every connection, so now() and date arithmetic agree with the ISO strings the code writes.
    options: '-c TimeZone=UTC',
  });
  // An idle connection that the server drops (a restart, a failover) emits 'error' on the pool; without
  // a listener that would end the process. The next query simply takes a new connection.
  pool.on('error', () => {});
  try {
    await pool.query('SELECT 1');
    await migratePostgres(pool, options.migrationsDir ?? PG_MIGRATIONS_DIR);
  } catch (error) {
    await pool.end().catch(() => {});
    throw new PostgresUnavailableError(explainPostgres(error, url));
  }
  return pool;
}

/** One sentence for a failure to reach or use the server at `url`. */
export function explainPostgres(error: unknown, url: string): string {
  const where = redactUrl(url);
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  switch (code) {
    case 'ECONNREFUSED':
    case 'ENOENT':
      return `No PostgreSQL server answers at ${where}: start it, or correct DATABASE_URL`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `The host in DATABASE_URL (${where}) cannot be found: correct DATABASE_URL`;
    case '28P01':
    case '28000':
      return `PostgreSQL refused the user or password in DATABASE_URL (${where}): correct them`;
    case '3D000':
      return `The database named in DATABASE_URL (${where}) does not exist: create it (createdb), or correct DATABASE_URL`;
    case '42501':
      return `The user in DATABASE_URL (${where}) may not create tables in that database: grant it, or use the database's owner`;
    default:
      return `PostgreSQL at ${where} could not be used (${message ?? String(error)}): check DATABASE_URL and the server`;
  }
}

// Any constant works, as long as every server uses the same one: it names "the migration lock".
const MIGRATION_LOCK = 73_1_2026;

/**
 * Applies each numbered `NNN_name.sql` not yet recorded, in order, each in its own transaction. Several
 * servers starting together take a session advisory lock first, so one applies the migrations while
 * the others wait, then find them recorded and apply nothing.
 */
export async function migratePostgres(pool: Pool, dir: string = PG_MIGRATIONS_DIR): Promise<string[]> {
  const client = await pool.connect();
  const done: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      id integer PRIMARY KEY,
      name text NOT NULL,
      applied_at text NOT NULL
    )`);
    const { rows } = await client.query<{ id: number }>('SELECT id FROM schema_migrations');
    const applied = new Set(rows.map((row) => Number(row.id)));
    const files = readdirSync(dir)
      .filter((file) => /^\d{3}_[a-z0-9_]+\.sql$/.test(file))
      .sort();
    for (const file of files) {
      const id = Number(file.slice(0, 3));
      if (applied.has(id)) continue;
      await client.query('BEGIN');
      try {
        await client.query(readFileSync(join(dir, file), 'utf8'));
        await client.query('INSERT INTO schema_migrations (id, name, applied_at) VALUES ($1, $2, $3)', [
          id,
          file,
          new Date().toISOString(),
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
      done.push(file);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    client.release();
  }
  return done;
}

/** Runs `work` in one transaction on one connection: committed when it returns, rolled back when it throws. */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A connection whose ROLLBACK fails is broken (the server went away): it is destroyed, not returned
  // to the pool for the next request to fail on.
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: Error) => {
      broken = rollbackError;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

/** PostgreSQL's integrity-constraint class (23xxx): a row the schema refuses. */
export const isConstraintViolation = (error: unknown): boolean =>
  /^23/.test(String((error as { code?: unknown } | null)?.code ?? ''));
