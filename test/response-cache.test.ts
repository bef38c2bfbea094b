import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { STATE_TTL_MS } from '../src/campaigns/routes.js';
import type { Db } from '../src/db.js';
import { buildTestApp, NOW, rowCount, validForm } from './helpers.js';

// The campaign page and JSON are rendered once and reused while nothing on them changes
// (src/http/responseCache.ts). The fixed test clock never moves, so every request here falls in the
// same second: only the data can make the page change.
const countOn = (html: string) => /class="progress-count"[^>]*><strong>([\d,]+)<\/strong>/.exec(html)?.[1];

describe('campaign page reuse', () => {
  it('GET /campaigns/:slug → after a signature in the same second → shows the new count', async () => {
    const { app, db } = await buildTestApp();
    expect(countOn((await request(app).get('/campaigns/amazon-ring').expect(200)).text)).toBe('0');
    await request(app).post('/campaigns/amazon-ring/signatures').type('form').send(validForm()).expect(303);
    expect(rowCount(db, 'amazon-ring')).toBe(1);
    expect(countOn((await request(app).get('/campaigns/amazon-ring').expect(200)).text)).toBe('1');
  });

  it('GET / and /campaigns/:slug → the same body twice → one ETag, and a matching If-None-Match gets 304', async () => {
    const { app } = await buildTestApp();
    const first = await request(app).get('/').expect(200);
    const second = await request(app).get('/campaigns/amazon-ring').expect(200);
    expect(second.text).toBe(first.text);
    expect(first.headers.etag).toMatch(/^W\/"/);
    expect(second.headers.etag).toBe(first.headers.etag);
    expect(first.headers['content-type']).toBe('text/html; charset=utf-8');
    await request(app)
      .get('/campaigns/amazon-ring')
      .set('If-None-Match', first.headers.etag as string)
      .expect(304);
  });

  it('GET /campaigns/:slug → a failed signature in between → the shared page shows no one’s values or errors', async () => {
    const { app } = await buildTestApp();
    await request(app).get('/campaigns/amazon-ring').expect(200);
    const failed = await request(app)
      .post('/campaigns/amazon-ring/signatures')
      .type('form')
      .send(validForm({ email: 'not-an-address', first_name: 'Zed' }))
      .expect(422);
    expect(failed.text).toContain('value="Zed"');
    const again = await request(app).get('/campaigns/amazon-ring').expect(200);
    expect(again.text).not.toContain('value="Zed"');
    expect(again.text).not.toContain('Error:');
  });

  it('two apps in one process → each shows its own count', async () => {
    const one = await buildTestApp();
    const two = await buildTestApp();
    await request(one.app).post('/campaigns/amazon-ring/signatures').type('form').send(validForm()).expect(303);
    expect(countOn((await request(one.app).get('/campaigns/amazon-ring')).text)).toBe('1');
    expect(countOn((await request(two.app).get('/campaigns/amazon-ring')).text)).toBe('0');
  });
});

// Another server's signature reaches this process only through the database, which is read at most
// once per STATE_TTL_MS per campaign; the tests stand in for the other server by writing the count
// directly, and move the fixed clock.
describe('the count read from the database', () => {
  const otherServerSigns = (db: Db, count: number) =>
    db.prepare("UPDATE campaigns SET signature_count = ?, updated_at = ? WHERE slug = 'amazon-ring'").run(count, NOW);

  it('GET /campaigns/:slug → another server signs → shown once STATE_TTL_MS has passed, not before', async () => {
    const { app, db, clock } = await buildTestApp();
    expect(countOn((await request(app).get('/campaigns/amazon-ring').expect(200)).text)).toBe('0');
    otherServerSigns(db, 41);
    clock.advance(STATE_TTL_MS - 1);
    expect(countOn((await request(app).get('/campaigns/amazon-ring').expect(200)).text)).toBe('0');
    clock.advance(1);
    expect(countOn((await request(app).get('/campaigns/amazon-ring').expect(200)).text)).toBe('41');
  });

  it('GET /campaigns/:slug.json → another server signs → shown once STATE_TTL_MS has passed, not before', async () => {
    const { app, db, clock } = await buildTestApp();
    expect((await request(app).get('/campaigns/amazon-ring.json').expect(200)).body.signatureCount).toBe(0);
    otherServerSigns(db, 7);
    clock.advance(STATE_TTL_MS - 1);
    expect((await request(app).get('/campaigns/amazon-ring.json').expect(200)).body.signatureCount).toBe(0);
    clock.advance(1);
    expect((await request(app).get('/campaigns/amazon-ring.json').expect(200)).body.signatureCount).toBe(7);
  });

  it('many views within STATE_TTL_MS → the count is read from the database once', async () => {
    const { app, repos, clock } = await buildTestApp();
    let reads = 0;
    const totals = repos.campaigns.totals.bind(repos.campaigns);
    repos.campaigns.totals = (slug) => {
      reads++;
      return totals(slug);
    };
    for (let i = 0; i < 5; i++) {
      await request(app).get('/campaigns/amazon-ring').expect(200);
      await request(app).get('/campaigns/amazon-ring.json').expect(200);
      clock.advance(10);
    }
    expect(reads).toBe(1);
  });

  it('a signature through this process → the next view reads the count again, whatever the clock', async () => {
    const { app, db } = await buildTestApp();
    expect((await request(app).get('/campaigns/amazon-ring.json').expect(200)).body.signatureCount).toBe(0);
    otherServerSigns(db, 5);
    await request(app).post('/campaigns/amazon-ring/signatures').type('form').send(validForm()).expect(303);
    expect((await request(app).get('/campaigns/amazon-ring.json').expect(200)).body.signatureCount).toBe(6);
  });
});

describe('public JSON reuse', () => {
  it('GET /campaigns/:slug.json → after a signature → new count and its country', async () => {
    const { app } = await buildTestApp();
    const before = await request(app).get('/campaigns/amazon-ring.json').expect(200);
    expect(before.body).toMatchObject({ signatureCount: 0, signaturesByCountry: [] });
    expect(before.headers['content-type']).toBe('application/json; charset=utf-8');
    await request(app)
      .post('/campaigns/amazon-ring/signatures')
      .type('form')
      .send(validForm({ country: 'FR', postal_code: '75001' }))
      .expect(303);
    const after = await request(app).get('/campaigns/amazon-ring.json').expect(200);
    expect(after.body).toMatchObject({
      signatureCount: 1,
      signaturesByCountry: [{ code: 'FR', name: 'France', count: 1 }],
    });
    expect(after.headers.etag).not.toBe(before.headers.etag);
  });
});
