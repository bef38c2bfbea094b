import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { migrate, openDatabase } from '../../src/db.js';
import { createOrganizerRepository } from '../../src/organizers/sqlite.js';
import { buildTestApp, NOW, type TestApp } from '../helpers.js';
import { migrationsUpTo } from '../migration-helpers.js';
import { seed } from '../deliveries/helpers.js';
import { sessionToken, signedIn } from './helpers.js';

/*
 * Scoped access (issue 15): every organizer URL of a campaign, asked by an admin, by an organizer of
 * that campaign, by an organizer of another campaign and by a stranger. The other campaign's organizer
 * must get exactly the 404 of a campaign that does not exist, so it cannot map which campaigns there are.
 */

interface OrganizerUrl {
  method: 'get' | 'post';
  /** With SLUG where the campaign goes and PKG where a package id goes. */
  path: string;
  /** What a holder of the campaign gets. */
  ok: number;
  /** Downloads answer a stranger 401; pages and forms send them to sign in. */
  download?: boolean;
  form?: Record<string, string>;
}

export const ORGANIZER_URLS: OrganizerUrl[] = [
  { method: 'get', path: '/organizers/campaigns/SLUG', ok: 200 },
  { method: 'get', path: '/organizers/campaigns/SLUG?after=2026-11-28T12%3A00%3A00.000Z~9', ok: 200 },
  { method: 'get', path: '/organizers/campaigns/SLUG/signatures.csv', ok: 200, download: true },
  { method: 'get', path: '/organizers/campaigns/SLUG/signatures.xlsx', ok: 200, download: true },
  { method: 'get', path: '/organizers/campaigns/SLUG/opted-in.csv', ok: 200, download: true },
  { method: 'get', path: '/organizers/campaigns/SLUG/opted-in.xlsx', ok: 200, download: true },
  { method: 'get', path: '/organizers/campaigns/SLUG/delivery', ok: 200 },
  { method: 'post', path: '/organizers/campaigns/SLUG/delivery/packages', ok: 303, form: { country: 'all' } },
  { method: 'get', path: '/organizers/campaigns/SLUG/delivery/packages/PKG', ok: 200 },
  { method: 'get', path: '/organizers/campaigns/SLUG/delivery/packages/PKG/list.txt', ok: 200, download: true },
  { method: 'post', path: '/organizers/campaigns/SLUG/delivery/packages/PKG/delivered', ok: 303 },
  { method: 'get', path: '/organizers/campaigns/SLUG/search', ok: 200 },
  { method: 'get', path: '/organizers/campaigns/SLUG/search?last_name=Lovelace', ok: 200 },
  {
    method: 'post',
    path: '/organizers/campaigns/SLUG/invalidations',
    ok: 303,
    form: { last_name: 'Nobody', up_to: '6' },
  },
  { method: 'post', path: '/organizers/campaigns/SLUG/invalidations/1/undo', ok: 303 },
];

interface Fixture {
  t: TestApp;
  pkg: number;
  agents: Record<'admin' | 'organizer' | 'other', { agent: request.Agent; token: string }>;
}

async function fixture(): Promise<Fixture> {
  const t = await buildTestApp();
  await seed(t);
  const pkg = await t.repos.deliveries.addPackage({
    campaignSlug: 'amazon-ring',
    country: null,
    withComments: false,
    upToId: 6,
    signerCount: 6,
    digest: '0'.repeat(64),
    builtBy: 'ann@example.org',
    builtAt: NOW,
  });
  // Invalidation 1, for the undo address (it matches nobody, so undoing it changes no count).
  await t.repos.moderation.invalidate(
    {
      campaignSlug: 'amazon-ring',
      rule: { lastName: 'Nobody' },
      upToId: 6,
      appliedBy: 'ann@example.org',
      appliedAt: NOW,
    },
    () => new Date(NOW),
  );
  const as = async (email: string, access: { isAdmin?: boolean; campaigns?: string[] }) => {
    const agent = await signedIn(t, email, access);
    return { agent, token: await sessionToken(agent) };
  };
  return {
    t,
    pkg,
    agents: {
      admin: await as('ann@example.org', { isAdmin: true }),
      organizer: await as('bob@example.org', { campaigns: ['amazon-ring'] }),
      other: await as('cat@example.org', { campaigns: ['library-hours'] }),
    },
  };
}

const urlOf = (url: OrganizerUrl, slug: string, pkg: number) =>
  url.path.replace('SLUG', slug).replace('PKG', String(pkg));

function ask(agent: request.Agent, url: OrganizerUrl, slug: string, pkg: number, token: string) {
  const path = urlOf(url, slug, pkg);
  return url.method === 'get'
    ? agent.get(path)
    : agent
        .post(path)
        .type('form')
        .send({ csrf: token, ...url.form });
}

describe('organizer URLs of a campaign, by who asks', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await fixture();
  });

  for (const url of ORGANIZER_URLS) {
    const name = `${url.method.toUpperCase()} ${url.path}`;

    it(`${name}: an admin → ${url.ok}`, async () => {
      const { agent, token } = f.agents.admin;
      const res = await ask(agent, url, 'amazon-ring', f.pkg, token);
      expect(res.status).toBe(url.ok);
    });

    it(`${name}: an organizer of the campaign → ${url.ok}`, async () => {
      const { agent, token } = f.agents.organizer;
      const res = await ask(agent, url, 'amazon-ring', f.pkg, token);
      expect(res.status).toBe(url.ok);
    });

    it(`${name}: an organizer of another campaign → the 404 of a campaign that does not exist`, async () => {
      const { agent, token } = f.agents.other;
      const held = await ask(agent, url, 'amazon-ring', f.pkg, token);
      const missing = await ask(agent, url, 'no-such-campaign', f.pkg, token);
      expect(held.status).toBe(404);
      expect(missing.status).toBe(404);
      expect(held.text).toBe(missing.text);
      expect(held.text).not.toContain('Amazon');
    });

    it(`${name}: a stranger → ${url.download ? '401' : 'sent to sign in'}`, async () => {
      const res = await ask(request.agent(f.t.app), url, 'amazon-ring', f.pkg, 'no-session');
      if (url.download) expect(res.status).toBe(401);
      else expect([res.status, res.headers.location]).toEqual([303, '/organizers/login']);
    });
  }

  it('nothing an organizer of another campaign sent changed anything', async () => {
    // Their posts (build a package, mark one delivered) were refused before doing anything.
    const rows = f.t.db.prepare('SELECT built_by, delivered_by FROM delivery_packages ORDER BY id').all();
    expect(rows).toEqual([
      // The fixture's package, delivered by the campaign's admin, who asked first.
      { built_by: 'ann@example.org', delivered_by: 'ann@example.org' },
      { built_by: 'ann@example.org', delivered_by: null },
      { built_by: 'bob@example.org', delivered_by: null },
    ]);
    const invalidations = f.t.db.prepare('SELECT applied_by, undone_by FROM invalidations ORDER BY id').all();
    expect(invalidations).toEqual([
      { applied_by: 'ann@example.org', undone_by: 'ann@example.org' },
      { applied_by: 'ann@example.org', undone_by: null },
      { applied_by: 'bob@example.org', undone_by: null },
    ]);
  });
});

describe('GET /organizers, by who asks', () => {
  it('an admin sees every campaign', async () => {
    const t = await buildTestApp();
    const agent = await signedIn(t, 'ann@example.org', { isAdmin: true });
    const page = await agent.get('/organizers').expect(200);
    for (const c of t.campaigns.all) expect(page.text).toContain(`href="/organizers/campaigns/${c.slug}"`);
  });

  it('an organizer sees only the campaigns they hold', async () => {
    const t = await buildTestApp();
    const agent = await signedIn(t, 'bob@example.org', { campaigns: ['library-hours'] });
    const page = await agent.get('/organizers').expect(200);
    expect(page.text).toContain('href="/organizers/campaigns/library-hours"');
    expect(page.text).not.toContain('href="/organizers/campaigns/amazon-ring"');
    expect(page.text).not.toContain('Amazon');
  });

  it('an account with no campaign is told to ask an administrator, and sees none', async () => {
    const t = await buildTestApp();
    const agent = await signedIn(t, 'dan@example.org', {});
    const page = await agent.get('/organizers').expect(200);
    expect(page.text).toContain('Your account has no campaigns yet.');
    expect(page.text).not.toContain('href="/organizers/campaigns/');
  });

  it('a campaign revoked while signed in is gone at the next request', async () => {
    const t = await buildTestApp();
    const agent = await signedIn(t, 'bob@example.org', { campaigns: ['amazon-ring'] });
    await agent.get('/organizers/campaigns/amazon-ring').expect(200);
    expect(await t.repos.organizers.revoke('bob@example.org', 'amazon-ring')).toBe(true);
    await agent.get('/organizers/campaigns/amazon-ring').expect(404);
    await agent.get('/organizers/campaigns/amazon-ring/signatures.csv').expect(404);
  });
});

describe('migration 011', () => {
  it('accounts that existed before it become admins; accounts added after hold nothing until given', async () => {
    const db = openDatabase(':memory:', { migrationsDir: migrationsUpTo(10) });
    db.prepare(
      `INSERT INTO organizers (email, email_key, password_hash, created_at, password_changed_at)
       VALUES ('old@example.org', 'old@example.org', 'scrypt$x', ?, ?)`,
    ).run(NOW, NOW);
    migrate(db);
    const organizers = createOrganizerRepository(db);
    await organizers.add('new@example.org', 'scrypt$y', NOW);
    const accounts = await organizers.list();
    expect(accounts.map(({ email, isAdmin, campaigns }) => ({ email, isAdmin, campaigns }))).toEqual([
      { email: 'new@example.org', isAdmin: false, campaigns: [] },
      { email: 'old@example.org', isAdmin: true, campaigns: [] },
    ]);
  });
});
