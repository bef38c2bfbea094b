import { defineConfig } from 'vitest/config';
import { INSTALL_HINT, postgresBinDir } from './test/postgres/cluster.js';

// Every test runs on SQLite; the engine-neutral ones (repositories and HTTP) run again on PostgreSQL,
// on a throwaway cluster the run starts itself (test/postgres/globalSetup.ts). Files below stay on
// SQLite only because what they test is SQLite itself: its file, its locks, its WAL, its pragmas.
const SQLITE_ONLY = [
  'test/migrations.test.ts',
  'test/mail/migration.test.ts',
  'test/robustness/backup.test.ts',
  'test/robustness/database-trouble.test.ts',
  'test/robustness/durability.test.ts',
  'test/robustness/crash.test.ts',
  'test/robustness/mail-crash.test.ts',
  'test/robustness/shutdown.test.ts',
  'test/production.test.ts',
];

// Several server processes on one PostgreSQL: there is no SQLite version of this.
const POSTGRES_ONLY = ['test/multi-server.test.ts', 'test/tools-postgres.test.ts'];

const withPostgres = postgresBinDir() !== undefined;
if (!withPostgres) {
  if (process.env.REQUIRE_POSTGRES) throw new Error(INSTALL_HINT);
  console.warn(`${INSTALL_HINT}; running the SQLite half only.`);
}

const common = {
  // Browser tests need Chromium and a Java runtime; they run with `npm run test:browser`.
  exclude: ['test/browser/**', 'node_modules/**'],
  testTimeout: 20_000,
};

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...common,
          name: 'sqlite',
          include: ['test/**/*.test.ts'],
          exclude: [...common.exclude, ...POSTGRES_ONLY],
        },
      },
      ...(withPostgres
        ? [
            {
              test: {
                ...common,
                name: 'postgres',
                include: ['test/**/*.test.ts'],
                exclude: [...common.exclude, ...SQLITE_ONLY],
                env: { TEST_ENGINE: 'postgres' },
                globalSetup: ['test/postgres/globalSetup.ts'],
              },
            },
          ]
        : []),
    ],
  },
});
