/**
 * Retention: anonymises the signatures of closed campaigns whose retention period has run out.
 *   npm run purge              do it, and report what was done
 *   npm run purge -- --dry-run report what would be done, change nothing
 * Idempotent, so safe to run daily from cron. Reads DATABASE_PATH and CAMPAIGNS_DIR like the server.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CampaignContentError, loadCampaigns } from '../src/campaigns/content.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db.js';
import { describePurge, purge } from '../src/privacy/retention.js';
import { createRepositories } from '../src/repositories.js';

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { 'dry-run': { type: 'boolean', default: false } } });
  const config = loadConfig(process.env);
  if (config.databasePath !== ':memory:' && !existsSync(config.databasePath)) {
    console.error(`No database at ${config.databasePath} (set DATABASE_PATH).`);
    return 1;
  }
  const campaigns = loadCampaigns(config.campaignsDir);
  const db = openDatabase(config.databasePath);
  try {
    const report = await purge({ campaigns, repos: createRepositories(db) }, new Date(), { dryRun: values['dry-run'] });
    for (const line of describePurge(report)) console.log(line);
  } finally {
    db.close();
  }
  return 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof ConfigError || error instanceof CampaignContentError) {
    console.error(error.message);
    process.exitCode = 1;
  } else if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error(`${(error as Error).message}\n\nUsage: npm run purge [-- --dry-run]`);
    process.exitCode = 2;
  } else {
    throw error;
  }
}
