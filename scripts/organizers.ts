/**
 * Organizer accounts, from the command line only (there is no sign-up page):
 *   npm run organizers -- add <email>      create an account; asks for the password
 *   npm run organizers -- list             list accounts
 *   npm run organizers -- passwd <email>   set a new password (signs the account out everywhere)
 *   npm run organizers -- remove <email>   delete the account (and its sessions)
 * On a terminal the password is typed without echo, twice; piped in, the first line of standard
 * input is the password, so `echo "$PW" | npm run organizers -- add ann@example.org` works.
 * Reads DATABASE_PATH like the server.
 */
import { z } from 'zod';
import { loadConfig } from '../src/config.js';
import { hashPassword, passwordProblem } from '../src/organizers/passwords.js';
import type { Repositories } from '../src/repositories.js';
import { CliError, runCli, UsageError, withRepositories } from './cli.js';

const USAGE = `Usage: npm run organizers -- <command>
  add <email>      create an organizer account (asks for the password)
  list             list organizer accounts
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

async function run(repos: Repositories, command: string | undefined, args: string[]): Promise<void> {
  const now = new Date().toISOString();
  switch (command) {
    case 'add': {
      const email = emailArg(args);
      if (await repos.organizers.findByEmail(email)) throw alreadyExists(email);
      const hash = await hashPassword(await readNewPassword());
      if (!(await repos.organizers.add(email, hash, now))) throw alreadyExists(email);
      console.log(`Added organizer ${email}.`);
      return;
    }
    case 'list': {
      if (args.length) throw new UsageError('list takes no arguments.');
      const all = await repos.organizers.list();
      if (!all.length) console.log('No organizers yet. Add one with: npm run organizers -- add <email>');
      for (const o of all) console.log(`${o.email}\tadded ${o.createdAt.slice(0, 10)}`);
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
  await withRepositories(loadConfig(process.env), (repos) => run(repos, command, args));
  return 0;
}

await runCli(main, USAGE);
