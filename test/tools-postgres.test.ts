/**
 * The command-line tools on PostgreSQL (issue 13: every tool works on both engines). The same tools
 * are tested in depth on SQLite (test/organizers/cli.test.ts, test/privacy-cli.test.ts); here each runs
 * as its own process with DATABASE_URL, as an operator would run it. PostgreSQL project only.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromRoot } from '../src/paths.js';
import { openPostgres, type Pool } from '../src/postgres.js';
import { createRepositories } from '../src/repositories.js';
import { signature } from './organizers/helpers.js';
import { freshPostgresUrl } from './postgres/fresh.js';

let url: string;
let pool: Pool;
beforeAll(async () => {
  url = await freshPostgresUrl();
  pool = await openPostgres(url, { max: 2 });
  const repos = createRepositories({ engine: 'postgres', pool });
  await repos.campaigns.register(['amazon-ring', 'old-campaign']);
  await repos.signatures.add(signature({ email: 'grace@example.org', firstName: 'Grace', optedIn: true }));
  // old-campaign (test/fixtures) closed 2026-01-31; its six months of retention are over.
  await repos.signatures.add(
    signature({ campaignSlug: 'old-campaign', email: 'ada@example.org', createdAt: new Date('2026-01-10T09:00:00Z') }),
  );
});
afterAll(async () => {
  await pool.end();
});

function tool(script: string, args: string[], input = '') {
  const result = spawnSync(process.execPath, ['--import', 'tsx', fromRoot('scripts', `${script}.ts`), ...args], {
    cwd: fromRoot(),
    input,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'test',
      DATABASE_URL: url,
      CAMPAIGNS_DIR: fromRoot('test', 'fixtures', 'campaigns'),
    },
    timeout: 30_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the tools with DATABASE_URL', () => {
  it('organizers add and list → the account is in PostgreSQL', async () => {
    const added = tool(
      'organizers',
      ['add', 'ann@example.org', '--admin'],
      'correct horse battery\ncorrect horse battery\n',
    );
    expect(added.stderr).toBe('');
    expect(added.status).toBe(0);
    expect(tool('organizers', ['list']).stdout).toMatch(/^ann@example\.org\tadmin/m);
    const { rows } = await pool.query("SELECT is_admin FROM organizers WHERE email_key = 'ann@example.org'");
    expect(rows).toEqual([{ is_admin: 1 }]);
  });

  it('signatures export and mailing-list → read from PostgreSQL', () => {
    const exported = tool('signatures', ['export', '--email', 'grace@example.org']);
    expect(exported.status).toBe(0);
    expect(JSON.parse(exported.stdout)).toMatchObject({ signatures: [{ firstName: 'Grace' }] });
    const list = tool('signatures', ['mailing-list', '--campaign', 'amazon-ring']);
    expect(list.status).toBe(0);
    expect(list.stdout).toContain('grace@example.org');
  });

  it('purge → the closed campaign past retention is anonymised in PostgreSQL, the open one kept', async () => {
    const purged = tool('purge', []);
    expect(purged.stderr).toBe('');
    expect(purged.status).toBe(0);
    expect(purged.stdout).toMatch(/Anonymised 1 signature in total/);
    const { rows } = await pool.query(
      'SELECT campaign_slug, email, first_name, anonymised_at IS NOT NULL AS anonymised FROM signatures ORDER BY id',
    );
    expect(rows).toEqual([
      { campaign_slug: 'amazon-ring', email: 'grace@example.org', first_name: 'Grace', anonymised: false },
      { campaign_slug: 'old-campaign', email: null, first_name: null, anonymised: true },
    ]);
  });

  it('backup → refuses, and says to use pg_dump', () => {
    const backup = tool('backup', ['/tmp/never-written.db']);
    expect(backup.status).toBe(1);
    expect(backup.stderr).toContain('pg_dump');
  });

  it('a DATABASE_URL that does not answer → one sentence naming it, exit 1', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', fromRoot('scripts', 'organizers.ts'), 'list'], {
      cwd: fromRoot(),
      encoding: 'utf8',
      env: { PATH: process.env.PATH, NODE_ENV: 'test', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      'No PostgreSQL server answers at postgres://nobody@127.0.0.1:1/none: start it, or correct DATABASE_URL',
    );
  });
});
