import { createApp, type App } from '../src/app.js';
import { loadCampaigns, type CampaignCatalog } from '../src/campaigns/content.js';
import { fixedClock } from '../src/clock.js';
import { loadConfig, type Config } from '../src/config.js';
import type { Database } from '../src/database.js';
import { openDatabase, type Db } from '../src/db.js';
import { createSigner } from '../src/http/signing.js';
import { createLogger, silentLogger, type Logger } from '../src/logger.js';
import { fromRoot } from '../src/paths.js';
import { createRepositories, type Repositories } from '../src/repositories.js';
import { freshPostgres, testEngine } from './postgres/fresh.js';

export const FIXTURE_CAMPAIGNS = fromRoot('test', 'fixtures', 'campaigns');
export const NOW = '2026-11-28T12:00:00.000Z';

export interface TestApp {
  app: App;
  db: Db;
  /** What `repos` run on, for a test that builds a repository of its own (with other options). */
  database: Database;
  repos: Repositories;
  config: Config;
  clock: ReturnType<typeof fixedClock>;
  campaigns: CampaignCatalog;
}

/**
 * The whole app over a fresh in-memory database, a fixed clock and the fixture campaigns.
 * Rate limits and the minimum fill time are off unless a test sets them.
 */
export interface TestDeps {
  /**
   * A named database instead of a fresh private one; apps given the same path share it (two servers
   * on one database). On SQLite it is that file; on PostgreSQL, one database per path.
   */
  databasePath?: string;
  /** SQLite even in the PostgreSQL run: for tests about the SQLite file itself (its bytes). */
  sqliteFile?: boolean;
  /** Instead of the silent logger (tests that read what was logged). */
  logger?: Logger;
  /** Instead of the fixture folder (tests that change a campaign's settings). */
  campaigns?: CampaignCatalog;
  /** Told when a signature queued mail (tests that run a mail sender). */
  mailQueued?: () => void;
}

export async function buildTestApp(
  env: Record<string, string> = {},
  overrides: Partial<Config> = {},
  deps: TestDeps = {},
): Promise<TestApp> {
  const config = {
    ...loadConfig({
      NODE_ENV: 'test',
      SIGN_RATE_LIMIT: '0',
      LOGIN_RATE_LIMIT: '0',
      MIN_FILL_SECONDS: '0',
      CAMPAIGNS_DIR: FIXTURE_CAMPAIGNS,
      ...env,
    }),
    ...overrides,
  };
  // The PostgreSQL project runs the same tests on a fresh PostgreSQL database (vitest.config.ts); `db`
  // is then a synchronous stand-in for the tests' own reads (test/postgres/syncDb.ts).
  let db: Db;
  let database: Database;
  if (testEngine() === 'postgres' && !deps.sqliteFile) {
    const fresh = await freshPostgres(deps.databasePath);
    db = fresh.sync as unknown as Db;
    database = { engine: 'postgres', pool: fresh.pool };
  } else {
    db = openDatabase(deps.databasePath ?? ':memory:');
    database = { engine: 'sqlite', db };
  }
  const repos = createRepositories(database);
  const campaigns = deps.campaigns ?? loadCampaigns(config.campaignsDir);
  await repos.campaigns.register(campaigns.all);
  const clock = fixedClock(NOW);
  const app = createApp({
    config,
    repos,
    campaigns,
    clock,
    // TEST_LOG=error (or any level) shows what the app logs, such as the error behind a 500.
    logger:
      deps.logger ?? (process.env.TEST_LOG ? createLogger(process.env.TEST_LOG as Config['logLevel']) : silentLogger),
    signer: createSigner('test-secret-test-secret-test-secret'),
    mailQueued: deps.mailQueued,
  });
  return { app, db, database, repos, config, clock, campaigns };
}

/** A valid signature form; override fields per test. */
export function validForm(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const form: Record<string, string | undefined> = {
    first_name: 'Ada',
    last_name: 'Lovelace',
    email: 'ada@example.org',
    country: 'US',
    postal_code: '12345',
    comment: '',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(form).filter((e): e is [string, string] => e[1] !== undefined));
}

export const rowCount = (db: Db, campaign?: string): number =>
  campaign
    ? (db.prepare('SELECT count(*) FROM signatures WHERE campaign_slug = ?').pluck().get(campaign) as number)
    : (db.prepare('SELECT count(*) FROM signatures').pluck().get() as number);
