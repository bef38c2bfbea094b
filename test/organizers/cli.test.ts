import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db.js';
import { verifyPassword } from '../../src/organizers/passwords.js';
import { fromRoot } from '../../src/paths.js';

/*
 * The CLI runs as its own process, with the password piped in as `echo "$PW" | npm run organizers`
 * would. It is run through tsx rather than from dist/: other engineers build into the same dist/
 * folder at the same time, and a half-written file there would make this test flaky.
 */
const dir = mkdtempSync(join(tmpdir(), 'undersigned-organizers-'));
const databasePath = join(dir, 'cli.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[], input = '') {
  const result = spawnSync(process.execPath, ['--import', 'tsx', fromRoot('scripts', 'organizers.ts'), ...args], {
    cwd: fromRoot(),
    input,
    encoding: 'utf8',
    // A clean environment: vitest's own (BASE_URL=/, MODE…) is not what an operator's shell holds.
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_PATH: databasePath, NODE_ENV: 'test' },
    timeout: 30_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function stored(email: string) {
  const db = openDatabase(databasePath);
  try {
    return db.prepare('SELECT email, password_hash AS hash FROM organizers WHERE email_key = ?').get(email) as
      { email: string; hash: string } | undefined;
  } finally {
    db.close();
  }
}

function access(email: string) {
  const db = openDatabase(databasePath);
  try {
    const admin = db.prepare('SELECT is_admin FROM organizers WHERE email_key = ?').pluck().get(email);
    const campaigns = db
      .prepare(
        `SELECT campaign_slug FROM organizer_campaigns
          WHERE organizer_id = (SELECT id FROM organizers WHERE email_key = ?) ORDER BY campaign_slug`,
      )
      .pluck()
      .all(email);
    return { admin, campaigns };
  } finally {
    db.close();
  }
}

// One sequence, in order: each step builds on the account the one before left.
describe('npm run organizers', () => {
  it('add <email> with a piped password → an account hashed with scrypt at OWASP cost', async () => {
    const run = cli(['add', 'Ann@Example.org'], 'a long enough password\n');
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('Added organizer Ann@Example.org, organizer of no campaign yet.');
    expect(run.status).toBe(0);
    const row = stored('ann@example.org');
    expect(row?.hash).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(row?.hash).not.toContain('a long enough password');
    expect(await verifyPassword('a long enough password', row?.hash ?? '')).toBe(true);
  });

  it('add the same address again (any case) → refused, exit 1', () => {
    const run = cli(['add', 'ann@EXAMPLE.org'], 'another long password\n');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('already exists');
  });

  it('add with a password under 12 characters → refused, nothing stored', () => {
    const run = cli(['add', 'bob@example.org'], 'elevenchars\n');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('at least 12 characters');
    expect(stored('bob@example.org')).toBeUndefined();
  });

  it('add with something that is not an email address → refused', () => {
    const run = cli(['add', 'not-an-email'], 'a long enough password\n');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('is not an email address');
  });

  it('list → every account, and never a hash', () => {
    const run = cli(['list']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Ann@Example\.org\torganizer of no campaign yet\tadded \d{4}-\d\d-\d\d$/m);
    expect(run.stdout).not.toContain('scrypt');
  });

  it('passwd <email> → the new password works and the old one does not', async () => {
    const run = cli(['passwd', 'ann@example.org'], 'a brand new passphrase\r\n');
    expect(run.status).toBe(0);
    const hash = stored('ann@example.org')?.hash ?? '';
    expect(await verifyPassword('a brand new passphrase', hash)).toBe(true);
    expect(await verifyPassword('a long enough password', hash)).toBe(false);
  });

  it('passwd with a short password → refused, nothing changed', async () => {
    const run = cli(['passwd', 'ann@example.org'], 'short\n');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('at least 12 characters');
    expect(await verifyPassword('a brand new passphrase', stored('ann@example.org')?.hash ?? '')).toBe(true);
  });

  it('grant <email> <slug> → the account organizes that campaign', () => {
    const run = cli(['grant', 'ann@example.org', 'amazon-ring']);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('ann@example.org is now an organizer of amazon-ring.');
    expect(access('ann@example.org')).toEqual({ admin: 0, campaigns: ['amazon-ring'] });
  });

  it('grant a campaign with no file → refused, naming the campaigns there are', () => {
    const run = cli(['grant', 'ann@example.org', 'amazon-rnig']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('No campaign "amazon-rnig"');
    expect(run.stderr).toContain('amazon-ring');
    expect(access('ann@example.org')).toEqual({ admin: 0, campaigns: ['amazon-ring'] });
  });

  it('grant --admin, then revoke --admin → admin, then back to its campaigns', () => {
    expect(cli(['grant', 'ann@example.org', '--admin']).stdout).toContain('is now an admin (every campaign)');
    expect(access('ann@example.org').admin).toBe(1);
    expect(cli(['list']).stdout).toMatch(/^Ann@Example\.org\tadmin \(every campaign\)\t/m);
    expect(cli(['revoke', 'ann@example.org', '--admin']).stdout).toContain('is now an organizer of amazon-ring.');
    expect(access('ann@example.org').admin).toBe(0);
  });

  it('revoke <email> <slug> → the campaign is taken away', () => {
    const run = cli(['revoke', 'ann@example.org', 'amazon-ring']);
    expect(run.stdout).toContain('ann@example.org is now an organizer of no campaign yet.');
    expect(access('ann@example.org')).toEqual({ admin: 0, campaigns: [] });
  });

  it('grant with neither a slug nor --admin → usage, exit 2', () => {
    const run = cli(['grant', 'ann@example.org']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('either one or more campaign slugs, or --admin');
  });

  it('add --admin → an admin from the start', () => {
    const run = cli(['add', 'root@example.org', '--admin'], 'a long enough password\n');
    expect(run.stdout).toContain('Added organizer root@example.org, admin (every campaign).');
    expect(access('root@example.org').admin).toBe(1);
    cli(['remove', 'root@example.org']);
  });

  it('remove <email> → gone from the database and the list', () => {
    const run = cli(['remove', 'ANN@example.org']);
    expect(run.status).toBe(0);
    expect(stored('ann@example.org')).toBeUndefined();
    expect(cli(['list']).stdout).toContain('No organizers yet');
  });

  it('an unknown command → usage, exit 2', () => {
    const run = cli(['frobnicate']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('Unknown command "frobnicate"');
    expect(run.stderr).toContain('Usage: npm run organizers');
  });
});
