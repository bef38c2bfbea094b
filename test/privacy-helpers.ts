import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createApp } from '../src/app.js';
import { catalogOf, loadCampaigns, type Campaign, type CampaignCatalog } from '../src/campaigns/content.js';
import { fixedClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db.js';
import { createSigner } from '../src/http/signing.js';
import { silentLogger, type Logger } from '../src/logger.js';
import { createRepositories } from '../src/repositories.js';
import { FIXTURE_CAMPAIGNS, NOW, type TestApp } from './helpers.js';

/** The fixture campaigns with some fields changed, as a catalog: no extra fixture files needed. */
export function fixtureCatalog(changes: Record<string, Partial<Campaign>> = {}): CampaignCatalog {
  return catalogOf(loadCampaigns(FIXTURE_CAMPAIGNS).all.map((c) => ({ ...c, ...changes[c.slug] })));
}

/**
 * Like buildTestApp, but the database may be a file, the logger may be a capturing one and the
 * campaigns may be a catalog built in the test.
 */
export async function buildPrivacyApp(
  options: { databasePath?: string; logger?: Logger; campaigns?: CampaignCatalog; env?: Record<string, string> } = {},
): Promise<TestApp> {
  const config = loadConfig({
    NODE_ENV: 'test',
    SIGN_RATE_LIMIT: '0',
    LOGIN_RATE_LIMIT: '0',
    MIN_FILL_SECONDS: '0',
    CAMPAIGNS_DIR: FIXTURE_CAMPAIGNS,
    ...options.env,
  });
  const db = openDatabase(options.databasePath ?? ':memory:');
  const repos = createRepositories(db);
  const campaigns = options.campaigns ?? loadCampaigns(config.campaignsDir);
  await repos.campaigns.register(campaigns.all.map((c) => c.slug));
  const clock = fixedClock(NOW);
  const app = createApp({
    config,
    repos,
    campaigns,
    clock,
    logger: options.logger ?? silentLogger,
    signer: createSigner('test-secret-test-secret-test-secret'),
  });
  return { app, db, repos, config, clock, campaigns };
}

/** A pino logger at the most talkative level whose lines are kept in memory for the test to read. */
export function capturingLogger(): { logger: Logger; text: () => string; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ level: 'trace' }, stream), text: () => lines.join(''), lines };
}
