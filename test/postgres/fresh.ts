import pg from 'pg';
import { inject } from 'vitest';
import { openPostgres, type Pool } from '../../src/postgres.js';
import { syncPostgres, type SyncPostgres } from './syncDb.js';

const TEMPLATE = 'undersigned_template';

/** Which engine this test run is on: the vitest project sets TEST_ENGINE (vitest.config.ts). */
export const testEngine = (): 'sqlite' | 'postgres' => (process.env.TEST_ENGINE === 'postgres' ? 'postgres' : 'sqlite');

export const postgresUrl = (name: string): string => {
  const { socketDir, user } = inject('postgres');
  return `postgres://${user}@/${name}?host=${encodeURIComponent(socketDir)}`;
};

let admin: pg.Client | undefined;
let counter = 0;
/** Databases made for a name (a test's databasePath), so apps given the same name share one. */
const named = new Map<string, Promise<string>>();

/** A new empty database with every migration applied (a copy of the template), and its URL. */
export async function freshPostgresUrl(): Promise<string> {
  if (!admin) {
    admin = new pg.Client({ connectionString: postgresUrl('postgres') });
    await admin.connect();
  }
  const name = `t_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE}`);
  return postgresUrl(name);
}

/**
 * A fresh database, opened the way the app opens it, and a synchronous handle for the test's own
 * reads. With a name, the database made for that name the first time (two apps on one database).
 */
export async function freshPostgres(name?: string): Promise<{ url: string; pool: Pool; sync: SyncPostgres }> {
  let url: Promise<string>;
  if (name === undefined) url = freshPostgresUrl();
  else {
    url = named.get(name) ?? freshPostgresUrl();
    named.set(name, url);
  }
  return openFresh(await url);
}

async function openFresh(url: string): Promise<{ url: string; pool: Pool; sync: SyncPostgres }> {
  // Connections close soon after use: hundreds of tests each open a pool and most never close it.
  const pool = await openPostgres(url, { max: 4, idleTimeoutMillis: 200 });
  return { url, pool, sync: syncPostgres(url, () => void pool.end()) };
}
