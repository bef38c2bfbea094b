import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { buildTestApp, rowCount, validForm } from './helpers.js';

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
