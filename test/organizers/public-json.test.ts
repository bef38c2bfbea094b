import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { STATE_TTL_MS } from '../../src/campaigns/routes.js';
import { buildTestApp, type TestApp } from '../helpers.js';
import { signature } from './helpers.js';

async function seed(t: TestApp) {
  const people = [
    signature({
      firstName: 'Grace',
      lastName: 'Hopper',
      email: 'grace@example.org',
      country: 'US',
      postalCode: '20001',
      comment: 'Secret comment',
      createdAt: new Date('2026-11-28T09:00:00.000Z'),
    }),
    signature({
      firstName: 'Zoë',
      lastName: 'Đặng',
      email: 'zoe@example.org',
      country: 'FR',
      postalCode: '75011',
      optedIn: true,
      createdAt: new Date('2026-11-28T10:00:00.000Z'),
    }),
    signature({
      firstName: 'Ken',
      lastName: 'Thompson',
      email: 'ken@example.org',
      country: 'US',
      postalCode: '07974',
      createdAt: new Date('2026-11-28T11:30:00.000Z'),
    }),
  ];
  for (const p of people) await t.repos.signatures.add(p);
  await t.repos.signatures.add(signature({ campaignSlug: 'library-hours', country: 'JP' }));
  return people;
}

describe('GET /campaigns/:slug.json', () => {
  it('open campaign → slug, title, count, goal, open, countries largest first, updated-at', async () => {
    const t = await buildTestApp();
    await seed(t);
    const res = await request(t.app).get('/campaigns/amazon-ring.json').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({
      slug: 'amazon-ring',
      title: 'Tell Amazon Ring: stop sharing information with police',
      signatureCount: 3,
      goal: 20000,
      open: true,
      signaturesByCountry: [
        { code: 'US', name: 'United States', count: 2 },
        { code: 'FR', name: 'France', count: 1 },
      ],
      updatedAt: '2026-11-28T11:30:00.000Z',
    });
  });

  it('short public caching with stale-while-revalidate, so a cache in front absorbs a crowd', async () => {
    const t = await buildTestApp();
    const res = await request(t.app).get('/campaigns/amazon-ring.json').expect(200);
    const cache = String(res.headers['cache-control']);
    expect(cache).toMatch(/\bpublic\b/);
    expect(cache).toMatch(/\bstale-while-revalidate=\d+/);
    const maxAge = Number(/\bmax-age=(\d+)/.exec(cache)?.[1]);
    expect(maxAge).toBeGreaterThan(0);
    expect(maxAge).toBeLessThanOrEqual(60);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('holds no personal data: no names, emails, postal codes, comments or opt-ins', async () => {
    const t = await buildTestApp();
    const people = await seed(t);
    const res = await request(t.app).get('/campaigns/amazon-ring.json').expect(200);
    for (const p of people) {
      for (const value of [p.firstName, p.lastName, p.email, p.postalCode, p.comment]) {
        if (value) expect(res.text).not.toContain(value);
      }
    }
    expect(res.text).not.toMatch(/email|postal|comment|opted/i);
  });

  it('a new signature → the next response once the count is read again shows it', async () => {
    const t = await buildTestApp();
    await seed(t);
    await request(t.app).get('/campaigns/amazon-ring.json').expect(200);
    await t.repos.signatures.add(signature({ country: 'DE', createdAt: new Date('2026-11-28T11:45:00.000Z') }));
    // Stored without a request to this app, as another server would: the count is read at most every
    // STATE_TTL_MS (a signature through this app's own form shows at once: test/response-cache.test.ts).
    t.clock.advance(STATE_TTL_MS);
    const res = await request(t.app).get('/campaigns/amazon-ring.json').expect(200);
    expect(res.body.signatureCount).toBe(4);
    expect(res.body.signaturesByCountry).toContainEqual({ code: 'DE', name: 'Germany', count: 1 });
    expect(res.body.updatedAt).toBe('2026-11-28T11:45:00.000Z');
  });

  it('no signatures yet → zero, no countries, updatedAt null', async () => {
    const t = await buildTestApp();
    const res = await request(t.app).get('/campaigns/library-hours.json').expect(200);
    expect(res.body).toMatchObject({
      slug: 'library-hours',
      signatureCount: 0,
      goal: 500,
      open: true,
      signaturesByCountry: [],
      updatedAt: null,
    });
  });

  it('closed campaign → open: false', async () => {
    const t = await buildTestApp();
    const res = await request(t.app).get('/campaigns/old-campaign.json').expect(200);
    expect(res.body).toMatchObject({ slug: 'old-campaign', open: false, goal: 100 });
  });

  it('unknown campaign → 404', async () => {
    const t = await buildTestApp();
    await request(t.app).get('/campaigns/no-such-campaign.json').expect(404);
  });

  it('the campaign page points to it with <link rel="alternate" type="application/json">', async () => {
    const t = await buildTestApp();
    const res = await request(t.app).get('/campaigns/amazon-ring').expect(200);
    expect(res.text).toContain('<link rel="alternate" type="application/json" href="/campaigns/amazon-ring.json">');
  });
});
