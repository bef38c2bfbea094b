/**
 * Organizer accounts, from the command line only (there is no sign-up page):
 *   npm run organizers -- add <email> [--admin] [--campaign <slug>]...
 *                                          create an account; asks for the password
 *   npm run organizers -- grant <email> <slug>... | --admin
 *   npm run organizers -- revoke <email> <slug>... | --admin
 *   npm run organizers -- list             list accounts and what each holds
 *   npm run organizers -- passwd <email>   set a new password (signs the account out everywhere)
 *   npm run organizers -- remove <email>   delete the account (and its sessions)
 * On a terminal the password is typed without echo, twice; piped in, the first line of standard
 * input is the password, so `echo "$PW" | npm run organizers -- add ann@example.org` works.
 * Reads DATABASE_PATH like the server.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadCampaigns } from '../src/campaigns/content.js';
import { loadConfig, type Config } from '../src/config.js';
import { hashPassword, passwordProblem } from '../src/organizers/passwords.js';
import type { Repositories } from '../src/repositories.js';
import { CliError, runCli, UsageError, withRepositories } from './cli.js';

const USAGE = `Usage: npm run organizers -- <command>
  add <email> [--admin] [--campaign <slug>]...
                   create an account (asks for the password); it sees only the campaigns given
                   with --campaign, or every campaign with --admin
  grant <email> <slug>...    let the account organize these campaigns
  grant <email> --admin      make the account an admin (every campaign)
  revoke <email> <slug>...   take these campaigns from the account
  revoke <email> --admin     make an admin an organizer of its granted campaigns only
  list             list accounts and what each may see
  passwd <email>   set a new password for an account
  remove <email>   delete an account`;

/** Reads one line from a terminal without showing what is typed. */
function promptHidden(question: string): Promise<string> {
  const input = process.stdin;
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (result: () => void) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
      result();
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish(() => resolve(value));
        // Ctrl-C, or Ctrl-D on an empty line.
        if (ch === '\u0003' || (ch === '\u0004' && !value)) return finish(() => reject(new CliError('Cancelled.')));
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        // An arrow or function key arrives as an escape sequence: drop the rest of it.
        else if (ch === '\u001b') break;
        else if (ch >= ' ') value += ch;
      }
    };
    // Echo goes off before the prompt appears, so nothing typed at once can be shown.
    input.setEncoding('utf8');
    input.setRawMode(true);
    input.resume();
    input.on('data', onData);
    process.stderr.write(question);
  });
}

async function readPipedLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

async function readNewPassword(): Promise<string> {
  let password: string;
  if (process.stdin.isTTY) {
    password = await promptHidden('Password (at least 12 characters): ');
    const again = await promptHidden('Same password again: ');
    if (again !== password) throw new CliError('The two passwords are not the same. Nothing was changed.');
  } else {
    password = await readPipedLine();
  }
  const problem = passwordProblem(password);
  if (problem) throw new CliError(`${problem} Nothing was changed.`);
  return password;
}

function emailArg(args: string[]): string {
  if (args.length !== 1) throw new UsageError('Give exactly one email address.');
  const parsed = z.email().safeParse(args[0]?.trim());
  if (!parsed.success) throw new CliError(`"${args[0]}" is not an email address.`);
  return parsed.data;
}

const alreadyExists = (email: string) =>
  new CliError(
    `An organizer with ${email} already exists: to give it a new password, run npm run organizers -- passwd ${email}`,
  );
const noSuchOrganizer = (email: string) =>
  new CliError(`No organizer with ${email}: see who there is with npm run organizers -- list`);

/** `<email> [<slug>...] [--admin] [--campaign <slug>...]`, the slugs checked against the campaign files. */
function accessArgs(config: Config, args: string[], options: { checkSlugs: boolean }) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { admin: { type: 'boolean', default: false }, campaign: { type: 'string', multiple: true, default: [] } },
  });
  const [first, ...slugs] = positionals;
  const email = emailArg(first === undefined ? [] : [first]);
  const campaigns = [...slugs, ...values.campaign];
  if (options.checkSlugs && campaigns.length) {
    const known = loadCampaigns(config.campaignsDir);
    for (const slug of campaigns) {
      if (!known.bySlug(slug)) {
        const all = known.all.map((c) => c.slug).join(', ');
        throw new CliError(
          `No campaign "${slug}" in ${config.campaignsDir}: the campaigns are ${all}. Nothing was changed.`,
        );
      }
    }
  }
  return { email, admin: values.admin, campaigns };
}

/** "admin (every campaign)", "organizer of amazon-ring, library-hours" or "organizer of no campaign yet". */
function accessText(o: { isAdmin: boolean; campaigns: string[] }): string {
  if (o.isAdmin) return 'admin (every campaign)';
  return `organizer of ${o.campaigns.length ? o.campaigns.join(', ') : 'no campaign yet'}`;
}

async function run(config: Config, repos: Repositories, command: string | undefined, args: string[]): Promise<void> {
  const now = new Date().toISOString();
  switch (command) {
    case 'add': {
      const { email, admin, campaigns } = accessArgs(config, args, { checkSlugs: true });
      if (await repos.organizers.findByEmail(email)) throw alreadyExists(email);
      const hash = await hashPassword(await readNewPassword());
      if (!(await repos.organizers.add(email, hash, now, { isAdmin: admin, campaigns }))) throw alreadyExists(email);
      const added = await repos.organizers.findByEmail(email);
      console.log(`Added organizer ${email}, ${added ? accessText(added) : ''}.`);
      if (added && !added.isAdmin && !added.campaigns.length) {
        console.log(`It sees no campaign until given one: npm run organizers -- grant ${email} <slug>`);
      }
      return;
    }
    case 'grant':
    case 'revoke': {
      const { email, admin, campaigns } = accessArgs(config, args, { checkSlugs: command === 'grant' });
      if (admin === campaigns.length > 0) {
        throw new UsageError(`Give ${command} either one or more campaign slugs, or --admin.`);
      }
      if (!(await repos.organizers.findByEmail(email))) throw noSuchOrganizer(email);
      if (admin) await repos.organizers.setAdmin(email, command === 'grant');
      for (const slug of campaigns) {
        if (command === 'grant') await repos.organizers.grant(email, slug, now);
        else if (!(await repos.organizers.revoke(email, slug))) console.log(`${email} did not hold ${slug}.`);
      }
      const after = await repos.organizers.findByEmail(email);
      if (after) console.log(`${email} is now an ${accessText(after)}.`);
      return;
    }
    case 'list': {
      if (args.length) throw new UsageError('list takes no arguments.');
      const all = await repos.organizers.list();
      if (!all.length) console.log('No organizers yet. Add one with: npm run organizers -- add <email> --admin');
      for (const o of all) console.log(`${o.email}\t${accessText(o)}\tadded ${o.createdAt.slice(0, 10)}`);
      return;
    }
    case 'passwd': {
      const email = emailArg(args);
      if (!(await repos.organizers.findByEmail(email))) throw noSuchOrganizer(email);
      const hash = await hashPassword(await readNewPassword());
      await repos.organizers.setPassword(email, hash, now);
      console.log(`Changed the password of ${email}; any open sessions were signed out.`);
      return;
    }
    case 'remove': {
      const email = emailArg(args);
      if (!(await repos.organizers.remove(email))) throw noSuchOrganizer(email);
      console.log(`Removed organizer ${email}.`);
      return;
    }
    default:
      throw new UsageError(command ? `Unknown command "${command}".` : 'Give a command.');
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return 0;
  }
  const config = loadConfig(process.env);
  await withRepositories(config, (repos) => run(config, repos, command, args));
  return 0;
}

await runCli(main, USAGE);
