/**
 * The PostgreSQL project's set-up (vitest.config.ts): one throwaway cluster for the whole run, and a
 * template database with every migration applied, from which each test gets a fresh database in
 * milliseconds (CREATE DATABASE … TEMPLATE).
 */
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openPostgres } from '../../src/postgres.js';
import { startCluster } from './cluster.js';

export const TEMPLATE = 'undersigned_template';

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: { socketDir: string; user: string };
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const cluster = startCluster();
  const admin = new pg.Client({ connectionString: cluster.url('postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${TEMPLATE}`);
  await admin.end();
  const pool = await openPostgres(cluster.url(TEMPLATE));
  await pool.end();
  project.provide('postgres', { socketDir: cluster.socketDir, user: cluster.user });
  return () => cluster.stop();
}
