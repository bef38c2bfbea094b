/**
 * Requests from signers, run by organizers:
 *   npm run signatures -- export --email <address>        everything held about an address, as JSON
 *   npm run signatures -- erase --email <address>         delete its signatures from every campaign
 *   npm run signatures -- mailing-list --campaign <slug>  CSV of the people who ticked the updates box
 * and, before launch:
 *   npm run signatures -- clear --campaign <slug> --yes   delete every signature of a campaign (the test ones)
 * Reads DATABASE_PATH and CAMPAIGNS_DIR like the server.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadCampaigns } from '../src/campaigns/content.js';
import { loadConfig } from '../src/config.js';
import { signaturesCsv } from '../src/organizers/csv.js';
import { eraseByEmail, exportByEmail } from '../src/privacy/requests.js';
import type { Repositories } from '../src/repositories.js';
import { CliError, runCli, UsageError, withRepositories } from './cli.js';

const USAGE = `Usage:
  npm run --silent signatures -- export --email <address>        print everything held about an address, as JSON
  npm run --silent signatures -- erase --email <address>         delete that address's signatures from every campaign
  npm run --silent signatures -- mailing-list --campaign <slug>  CSV of the people who ticked the updates box
  npm run --silent signatures -- clear --campaign <slug> --yes   delete EVERY signature of a campaign (test signatures before launch)`;

function parse(argv: string[]): { command: string; email?: string; campaign?: string; yes?: boolean } {
  let values: { email?: string; campaign?: string; yes?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: { email: { type: 'string' }, campaign: { type: 'string' }, yes: { type: 'boolean' } },
      allowPositionals: true,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const [command, ...extra] = positionals;
  if (!command) throw new UsageError('Say what to do: export, erase, mailing-list or clear.');
  if (extra.length) throw new UsageError(`Unexpected argument: ${extra.join(' ')}`);
  return { command, ...values };
}

function requireEmail(email: string | undefined): string {
  if (!email) throw new UsageError('--email <address> is required.');
  if (!z.email().safeParse(email.trim()).success) throw new UsageError(`--email: "${email}" is not an email address.`);
  return email.trim();
}

/**
 * Deletes every signature of a campaign: the test signatures made before launch. Only with --yes;
 * without it, says how many there are and deletes nothing. The delete trigger brings the counts down.
 */
async function clearCampaign(repos: Repositories, slug: string, yes: boolean): Promise<void> {
  const held = (await repos.campaigns.totals(slug)).signatureCount;
  const plural = (n: number) => `${n} signature${n === 1 ? '' : 's'}`;
  if (!yes)
    throw new CliError(
      `${slug} has ${plural(held)}; nothing was deleted: to delete them all, run the same command with --yes`,
    );
  const erased = await repos.privacy.eraseCampaign(slug);
  const now = (await repos.campaigns.totals(slug)).signatureCount;
  console.log(`Deleted ${plural(erased)} from ${slug}; its count is now ${now}.`);
}

async function main(argv: string[]): Promise<number> {
  const args = parse(argv);
  if (!['export', 'erase', 'mailing-list', 'clear'].includes(args.command))
    throw new UsageError(`Unknown command: ${args.command}`);
  const config = loadConfig(process.env);
  const campaigns = loadCampaigns(config.campaignsDir);
  await withRepositories(
    config,
    async (repos) => {
      const deps = { campaigns, repos };
      if (args.command === 'export') {
        const held = await exportByEmail(deps, requireEmail(args.email), new Date());
        console.log(JSON.stringify(held, null, 2));
      } else if (args.command === 'erase') {
        const email = requireEmail(args.email);
        const report = await eraseByEmail(deps, email);
        if (report.erased === 0) console.log(`No signatures are held for ${email}. Nothing was erased.`);
        else {
          console.log(`Erased ${report.erased} signature${report.erased === 1 ? '' : 's'} for ${email}:`);
          for (const c of report.campaigns)
            console.log(`  ${c.campaignSlug}: ${c.erased} erased, count now ${c.signatureCountNow}`);
        }
      } else {
        if (!args.campaign) throw new UsageError('--campaign <slug> is required.');
        if (!campaigns.bySlug(args.campaign))
          throw new UsageError(`No campaign with slug "${args.campaign}" in ${config.campaignsDir}.`);
        if (args.command === 'clear') return clearCampaign(repos, args.campaign, args.yes ?? false);
        // The organizers' opted-in CSV, as /organizers/campaigns/<slug>/opted-in.csv gives it: only people
        // who ticked the box, formulas neutralised.
        const batches = Readable.from(repos.signatures.exportBatches(args.campaign, { optedInOnly: true }));
        await pipeline(batches, signaturesCsv(), process.stdout, { end: false });
      }
    },
    { mustExist: true },
  );
  return 0;
}

await runCli(main, USAGE);
