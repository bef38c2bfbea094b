/**
 * Retention: anonymises the signatures of closed campaigns whose retention period has run out.
 *   npm run purge              do it, and report what was done
 *   npm run purge -- --dry-run report what would be done, change nothing
 * Idempotent, so safe to run daily from cron. Reads DATABASE_PATH and CAMPAIGNS_DIR like the server.
 */
import { parseArgs } from 'node:util';
import { loadCampaigns } from '../src/campaigns/content.js';
import { loadConfig } from '../src/config.js';
import { describePurge, purge } from '../src/privacy/retention.js';
import { runCli, withRepositories } from './cli.js';

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { 'dry-run': { type: 'boolean', default: false } } });
  const config = loadConfig(process.env);
  const campaigns = loadCampaigns(config.campaignsDir);
  const report = await withRepositories(
    config,
    (repos) => purge({ campaigns, repos }, new Date(), { dryRun: values['dry-run'] }),
    { mustExist: true },
  );
  for (const line of describePurge(report)) console.log(line);
  return 0;
}

await runCli(main, 'Usage: npm run purge [-- --dry-run]');
