import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadCampaigns } from '../src/campaigns/content.js';
import { openDatabase, type Db } from '../src/db.js';
import { fromRoot } from '../src/paths.js';
import { createRepositories } from '../src/repositories.js';
import { FIXTURE_CAMPAIGNS } from './helpers.js';

// The CLIs are tested as organizers run them: built once, then spawned against a temporary database file.
beforeAll(() => {
  const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: fromRoot(), encoding: 'utf8' });
  if (
    !existsSync(fromRoot('dist', 'scripts', 'signatures.js')) ||
    !existsSync(fromRoot('dist', 'scripts', 'purge.js'))
  ) {
    throw new Error(`build failed:\n${build.stdout}${build.stderr}`);
  }
}, 120_000);

let dir: string;
let databasePath: string;

function run(script: 'signatures' | 'purge', ...args: string[]) {
  const result = spawnSync(process.execPath, [fromRoot('dist', 'scripts', `${script}.js`), ...args], {
    cwd: dir,
    encoding: 'utf8',
    // Not the test runner's environment: vitest sets BASE_URL=/ for itself, which the config rightly refuses.
    env: { PATH: process.env.PATH, DATABASE_PATH: databasePath, CAMPAIGNS_DIR: FIXTURE_CAMPAIGNS },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A database file as the server leaves it: Ada signed two campaigns, Bob one, Carol the closed one. */
async function seed(): Promise<void> {
  const db = openDatabase(databasePath);
  const repos = createRepositories(db);
  await repos.campaigns.register(loadCampaigns(FIXTURE_CAMPAIGNS).all.map((c) => c.slug));
  const add = (
    campaignSlug: string,
    firstName: string,
    email: string,
    optedIn: boolean,
    createdAt: string,
    consentVersion = 'v1',
  ) =>
    repos.signatures.add({
      campaignSlug,
      firstName,
      lastName: 'Example',
      email,
      country: 'US',
      postalCode: '12345',
      comment: null,
      optedIn,
      consentVersion,
      sourceHash: 'hmac-of-address',
      createdAt: new Date(createdAt),
    });
  await add('amazon-ring', 'Ada', 'Ada.Lovelace@Example.org', true, '2026-11-01T10:00:00.000Z', '2026-11-28');
  await add('library-hours', 'Ada', 'ada.lovelace@example.org', false, '2026-11-02T10:00:00.000Z');
  await add('amazon-ring', 'Bob', 'bob@example.org', false, '2026-11-03T10:00:00.000Z', '2026-11-28');
  await add(
    'amazon-ring',
    '=HYPERLINK("http://evil.example")',
    'mallory@example.org',
    true,
    '2026-11-04T10:00:00.000Z',
    '2026-11-28',
  );
  await add('old-campaign', 'Carol', 'carol@example.org', true, '2026-01-05T10:00:00.000Z');
  db.close();
}

const fileBytes = () =>
  Buffer.concat([databasePath, `${databasePath}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f)));
const count = (db: Db, slug: string) =>
  db.prepare('SELECT signature_count FROM campaigns WHERE slug = ?').pluck().get(slug);

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'undersigned-cli-'));
  databasePath = join(dir, 'undersigned.db');
  await seed();
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run signatures -- export', () => {
  it('export --email → address signed two campaigns → prints both signatures as JSON, whatever the letter case, and nobody else’s', () => {
    const { status, stdout } = run('signatures', 'export', '--email', ' ADA.lovelace@example.ORG ');
    expect(status).toBe(0);
    const held = JSON.parse(stdout) as { email: string; signatures: Array<Record<string, unknown>> };
    expect(held.email).toBe('ADA.lovelace@example.ORG');
    expect(held.signatures).toHaveLength(2);
    expect(held.signatures[0]).toMatchObject({
      campaignSlug: 'amazon-ring',
      campaignTitle: 'Tell Amazon Ring: stop sharing information with police',
      organizer: 'The Undersigned campaign team',
      firstName: 'Ada',
      lastName: 'Example',
      email: 'Ada.Lovelace@Example.org',
      country: 'US',
      postalCode: '12345',
      optedIn: true,
      consentVersion: '2026-11-28',
      sourceHash: 'hmac-of-address',
      createdAt: '2026-11-01T10:00:00.000Z',
      anonymisedAt: null,
    });
    expect(held.signatures[1]).toMatchObject({ campaignSlug: 'library-hours', optedIn: false, consentVersion: 'v1' });
    expect(stdout).not.toContain('bob@example.org');
  });

  it('export --email → address never signed → an empty list, not an error', () => {
    const { status, stdout } = run('signatures', 'export', '--email', 'nobody@example.org');
    expect(status).toBe(0);
    expect((JSON.parse(stdout) as { signatures: unknown[] }).signatures).toEqual([]);
  });

  it('export → no --email → usage on stderr and exit status 2', () => {
    const { status, stdout, stderr } = run('signatures', 'export');
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('--email <address> is required.');
    expect(stderr).toContain('npm run --silent signatures -- erase --email <address>');
  });

  it('export → DATABASE_PATH points nowhere → says so, exit 1, and creates no empty database', () => {
    databasePath = join(dir, 'typo.db');
    const { status, stderr } = run('signatures', 'export', '--email', 'ada.lovelace@example.org');
    expect(status).toBe(1);
    expect(stderr).toContain(`No database at ${databasePath}`);
    expect(existsSync(databasePath)).toBe(false);
  });
});

describe('npm run signatures -- erase', () => {
  it('erase --email → signed two campaigns → both signatures gone, counts down, others untouched, address gone from the file', () => {
    expect(fileBytes().includes('ada.lovelace@example.org')).toBe(true);

    const { status, stdout } = run('signatures', 'erase', '--email', 'ada.lovelace@example.org');

    expect(status).toBe(0);
    expect(stdout).toContain('Erased 2 signatures for ada.lovelace@example.org:');
    expect(stdout).toContain('amazon-ring: 1 erased, count now 2');
    expect(stdout).toContain('library-hours: 1 erased, count now 0');
    const db = openDatabase(databasePath);
    expect(
      db.prepare("SELECT count(*) FROM signatures WHERE email_key = 'ada.lovelace@example.org'").pluck().get(),
    ).toBe(0);
    expect(count(db, 'amazon-ring')).toBe(2);
    expect(count(db, 'library-hours')).toBe(0);
    expect(db.prepare("SELECT opted_in_count FROM campaigns WHERE slug = 'amazon-ring'").pluck().get()).toBe(1);
    expect(
      db
        .prepare("SELECT count FROM signature_counts_daily WHERE campaign_slug = 'amazon-ring' AND day = '2026-11-01'")
        .pluck()
        .get(),
    ).toBe(0);
    expect(
      db
        .prepare("SELECT count FROM signature_counts_by_country WHERE campaign_slug = 'amazon-ring' AND country = 'US'")
        .pluck()
        .get(),
    ).toBe(2);
    expect(db.prepare("SELECT first_name FROM signatures WHERE email_key = 'bob@example.org'").pluck().get()).toBe(
      'Bob',
    );
    db.close();
    // Deleted, not just unlinked: no trace of the address is left in the database's bytes.
    expect(fileBytes().includes('ada.lovelace@example.org')).toBe(false);
    expect(fileBytes().includes('Ada.Lovelace@Example.org')).toBe(false);
    expect(fileBytes().includes('bob@example.org')).toBe(true);
  });

  it('erase --email → while the server has the database open → it sees the new counts at once, and the WAL keeps no copy of the address', () => {
    const server = openDatabase(databasePath);
    expect(count(server, 'amazon-ring')).toBe(3);
    const { status } = run('signatures', 'erase', '--email', 'bob@example.org');
    expect(status).toBe(0);
    expect(count(server, 'amazon-ring')).toBe(2);
    expect(fileBytes().includes('bob@example.org')).toBe(false);
    server.close();
  });

  it('erase --email → address never signed → says nothing was erased and changes nothing', () => {
    const { status, stdout } = run('signatures', 'erase', '--email', 'nobody@example.org');
    expect(status).toBe(0);
    expect(stdout).toContain('No signatures are held for nobody@example.org. Nothing was erased.');
    const db = openDatabase(databasePath);
    expect(count(db, 'amazon-ring')).toBe(3);
    db.close();
  });

  it('erase --email → not an email address → refused with exit status 2', () => {
    const { status, stderr } = run('signatures', 'erase', '--email', 'ada');
    expect(status).toBe(2);
    expect(stderr).toContain('--email: "ada" is not an email address.');
  });
});

describe('npm run signatures -- mailing-list', () => {
  it('mailing-list --campaign → prints only the people who ticked the box, with formulas defused', () => {
    const { status, stdout } = run('signatures', 'mailing-list', '--campaign', 'amazon-ring');
    expect(status).toBe(0);
    const rows = parse(stdout, { columns: true, bom: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => r.Email)).toEqual(['Ada.Lovelace@Example.org', 'mallory@example.org']);
    expect(rows[0]).toMatchObject({
      'First name': 'Ada',
      'Opted in': 'yes',
      'Signed at (UTC)': '2026-11-01 10:00:00',
      'Signed at (ISO 8601)': '2026-11-01T10:00:00.000Z',
    });
    expect(rows[1]?.['First name']).toBe(`'=HYPERLINK("http://evil.example")`);
    expect(stdout).not.toContain('bob@example.org');
  });

  it('mailing-list → unknown campaign → refused with exit status 2', () => {
    const { status, stderr } = run('signatures', 'mailing-list', '--campaign', 'no-such-campaign');
    expect(status).toBe(2);
    expect(stderr).toContain('No campaign with slug "no-such-campaign"');
  });
});

describe('npm run signatures -- clear', () => {
  it('clear --campaign without --yes → says how many there are, deletes nothing, exit 1', () => {
    const { status, stderr } = run('signatures', 'clear', '--campaign', 'amazon-ring');
    expect(status).toBe(1);
    expect(stderr.trim()).toBe(
      'amazon-ring has 3 signatures; nothing was deleted: to delete them all, run the same command with --yes',
    );
    const db = openDatabase(databasePath);
    expect(count(db, 'amazon-ring')).toBe(3);
    db.close();
  });

  it('clear --campaign --yes → every signature of that campaign gone, counts at 0, other campaigns untouched', () => {
    const { status, stdout } = run('signatures', 'clear', '--campaign', 'amazon-ring', '--yes');
    expect(status).toBe(0);
    expect(stdout.trim()).toBe('Deleted 3 signatures from amazon-ring; its count is now 0.');
    const db = openDatabase(databasePath);
    expect(db.prepare("SELECT count(*) FROM signatures WHERE campaign_slug = 'amazon-ring'").pluck().get()).toBe(0);
    expect(count(db, 'amazon-ring')).toBe(0);
    expect(db.prepare("SELECT opted_in_count FROM campaigns WHERE slug = 'amazon-ring'").pluck().get()).toBe(0);
    expect(
      db
        .prepare("SELECT count(*) FROM signature_counts_daily WHERE campaign_slug = 'amazon-ring' AND count > 0")
        .pluck()
        .get(),
    ).toBe(0);
    expect(count(db, 'library-hours')).toBe(1);
    db.close();
    expect(fileBytes().includes('bob@example.org')).toBe(false);
  });

  it('clear → unknown campaign → refused with exit status 2', () => {
    const { status, stderr } = run('signatures', 'clear', '--campaign', 'no-such-campaign', '--yes');
    expect(status).toBe(2);
    expect(stderr).toContain('No campaign with slug "no-such-campaign"');
  });
});

describe('npm run purge', () => {
  it('purge → closed campaign past retention → anonymised, reported, and its personal data gone from the file; twice is harmless', () => {
    const first = run('purge');
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('old-campaign: anonymised 1 signature (retention ended 2026-07-31)');
    expect(first.stdout).toContain('amazon-ring: open, 3 signatures with personal data kept');
    expect(first.stdout).toMatch(/Anonymised 1 signature in total at \d{4}-\d\d-\d\dT/);
    expect(fileBytes().includes('carol@example.org')).toBe(false);
    expect(fileBytes().includes('bob@example.org')).toBe(true);

    const second = run('purge');
    expect(second.status).toBe(0);
    expect(second.stdout).toContain('old-campaign: anonymised 0 signatures');
    const db = openDatabase(databasePath);
    expect(count(db, 'old-campaign')).toBe(1);
    expect(db.prepare("SELECT country FROM signatures WHERE campaign_slug = 'old-campaign'").pluck().get()).toBe('US');
    db.close();
  });

  it('purge --dry-run → reports and changes nothing', () => {
    const { status, stdout } = run('purge', '--dry-run');
    expect(status).toBe(0);
    expect(stdout).toContain('old-campaign: would anonymise 1 signature');
    expect(fileBytes().includes('carol@example.org')).toBe(true);
  });
});
