import { createApp, type App } from '../../src/app.js';
import { loadCampaigns } from '../../src/campaigns/content.js';
import { loadConfig, type Config } from '../../src/config.js';
import { flushOffMainThread, neverBlockOnLocks, type Db, type SyncFile } from '../../src/db.js';
import { fixedClock } from '../../src/clock.js';
import { createSigner } from '../../src/http/signing.js';
import { silentLogger } from '../../src/logger.js';
import { createRepositories, type Repositories } from '../../src/repositories.js';
import { FIXTURE_CAMPAIGNS, NOW } from '../helpers.js';

/**
 * Like buildTestApp, but over a database the test opened (a file, a read-only connection) and with
 * repositories the test may wrap to inject faults.
 */
export async function buildAppOver(
  db: Db,
  options: {
    env?: Record<string, string>;
    wrap?: (repos: Repositories) => Repositories;
    /** How long a write waits for another process's lock (the server's default is 2 s). */
    writeWaitMs?: number;
    /** The write-ahead log's flush (fsync by default), for a test that holds it back or makes it fail. */
    sync?: SyncFile;
  } = {},
): Promise<{ app: App; config: Config; repos: Repositories; clock: ReturnType<typeof fixedClock> }> {
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    SIGN_RATE_LIMIT: '0',
    MIN_FILL_SECONDS: '0',
    CAMPAIGNS_DIR: FIXTURE_CAMPAIGNS,
    ...options.env,
  });
  const base = createRepositories(db, { writeWaitMs: options.writeWaitMs });
  const campaigns = loadCampaigns(config.campaignsDir);
  if (!db.readonly) await base.campaigns.register(campaigns.all.map((c) => c.slug));
  // As the server does once started (src/database.ts serveFrom).
  neverBlockOnLocks(db);
  if (!db.readonly) flushOffMainThread(db, options.sync);
  const repos = options.wrap ? options.wrap(base) : base;
  const clock = fixedClock(NOW);
  const app = createApp({
    config,
    repos,
    campaigns,
    clock,
    logger: silentLogger,
    signer: createSigner('test-secret-test-secret-test-secret'),
  });
  return { app, config, repos, clock };
}
