import type { Config } from './config.js';
import { flushOffMainThread, neverBlockOnLocks, openDatabase, stopFlushing, type Db } from './db.js';
import { openPostgres, redactUrl, type Pool } from './postgres.js';

/**
 * The one database the site keeps everything in: the embedded SQLite file (the default, for one
 * machine) or a PostgreSQL server (DATABASE_URL, for several app servers). Only this module,
 * src/repositories.ts and the engine files (src/<feature>/sqlite.ts, postgres.ts) see which it is.
 */
export type Database = { engine: 'sqlite'; db: Db } | { engine: 'postgres'; pool: Pool };

/** Opens the configured engine and applies its pending migrations; PostgreSQL failures say what to fix. */
export async function openConfiguredDatabase(config: Pick<Config, 'databasePath' | 'databaseUrl'>): Promise<Database> {
  if (config.databaseUrl) return { engine: 'postgres', pool: await openPostgres(config.databaseUrl) };
  return { engine: 'sqlite', db: openDatabase(config.databasePath) };
}

/**
 * After start-up: a server's SQLite connection stops waiting on the main thread, for other processes'
 * locks and for the disk (src/db.ts). PostgreSQL waits on the server, never in this process.
 */
export function serveFrom(database: Database): void {
  if (database.engine !== 'sqlite') return;
  neverBlockOnLocks(database.db);
  flushOffMainThread(database.db);
}

export async function closeDatabase(database: Database): Promise<void> {
  if (database.engine === 'sqlite') {
    stopFlushing(database.db);
    database.db.close();
  } else await database.pool.end();
}

/** Where the data is, for a log line or a message: the file, or the URL without its password. */
export function describeDatabase(config: Pick<Config, 'databasePath' | 'databaseUrl'>): string {
  return config.databaseUrl ? redactUrl(config.databaseUrl) : config.databasePath;
}
