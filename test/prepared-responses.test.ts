import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db.js';
import { prefersGzip, ResponseCache } from '../src/http/responseCache.js';
import type { Repositories } from '../src/repositories.js';
import { buildTestApp } from './helpers.js';
import { capturingLogger } from './privacy-helpers.js';
import { buildAppOver } from './robustness/app.js';

// The campaign pages, their JSON and static files are answered ahead of the router from prepared
// responses (campaignPages in src/campaigns/routes.ts, servePrepared and sendPrepared in
// src/http/responseCache.ts). These pin what that must still do that the router and res.send used to.

describe('prefersGzip (Accept-Encoding)', () => {
  it.each([
    ['gzip, deflate, br', true],
    ['gzip', true],
    ['GZIP', true],
    ['*', true],
    ['br;q=1.0, gzip;q=0.8, *;q=0.1', true],
    ['identity;q=0, gzip', true],
    [undefined, false],
    ['', false],
    ['identity', false],
    ['br', false],
    ['gzip;q=0', false],
    ['gzip;q=0, *', false],
    ['*;q=0', false],
    ['gzip;q=0.5, identity', false],
  ])('%j → %s', (header, expected) => {
    expect(prefersGzip(header)).toBe(expected);
  });
});

describe('campaign pages answered from prepared responses', () => {
  it('HEAD /campaigns/:slug → the GET headers (length, type, ETag) and no body', async () => {
    const { app } = await buildTestApp();
    const get = await request(app).get('/campaigns/amazon-ring').set('Accept-Encoding', 'identity').expect(200);
    const head = await request(app).head('/campaigns/amazon-ring').set('Accept-Encoding', 'identity').expect(200);
    expect(head.text ?? '').toBe('');
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength(get.text)));
    expect(head.headers.etag).toBe(get.headers.etag);
    expect(head.headers['content-type']).toBe(get.headers['content-type']);
    expect(head.headers['cache-control']).toBe(get.headers['cache-control']);
  });

  it('a trailing slash or a query string → the same page', async () => {
    const { app } = await buildTestApp();
    const plain = await request(app).get('/campaigns/amazon-ring').expect(200);
    const slash = await request(app).get('/campaigns/amazon-ring/').expect(200);
    const query = await request(app).get('/campaigns/amazon-ring?utm_source=share').expect(200);
    expect(slash.text).toBe(plain.text);
    expect(query.text).toBe(plain.text);
    await request(app).get('/campaigns/amazon-ring.json/').expect(200);
  });

  it('If-None-Match with a list, a strong form of the weak tag, or * → 304 without a body or its type', async () => {
    const { app } = await buildTestApp();
    const first = await request(app).get('/campaigns/amazon-ring.json').expect(200);
    const etag = first.headers.etag as string;
    for (const header of [`"other", ${etag}`, etag.replace(/^W\//, ''), '*']) {
      const res = await request(app).get('/campaigns/amazon-ring.json').set('If-None-Match', header).expect(304);
      expect(res.headers['content-type']).toBeUndefined();
      expect(res.headers.etag).toBe(etag);
      expect(res.headers['content-security-policy']).toBeDefined();
    }
    await request(app).get('/campaigns/amazon-ring.json').set('If-None-Match', '"other"').expect(200);
    // A client asking to skip caches gets the body even when its tag matches.
    await request(app)
      .get('/campaigns/amazon-ring.json')
      .set('If-None-Match', etag)
      .set('Cache-Control', 'no-cache')
      .expect(200);
  });

  it('POST and unknown slugs are not answered here: they reach the router', async () => {
    const { app } = await buildTestApp();
    await request(app).get('/campaigns/no-such-campaign').expect(404);
    await request(app).get('/campaigns/no-such-campaign.json').expect(404);
    const post = await request(app).post('/campaigns/amazon-ring').type('form').send({}).expect(404);
    expect(post.headers['content-security-policy']).toBeDefined();
  });

  it('static files: images as they are, text gzipped when accepted, both logged and with the security headers', async () => {
    const { app } = await buildTestApp();
    const png = await request(app).get('/static/img/social.png').set('Accept-Encoding', 'gzip').expect(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.headers['content-encoding']).toBeUndefined();
    expect(png.headers.vary).toBeUndefined();
    expect(png.headers['cache-control']).toBe('public, max-age=3600');
    expect(png.headers['x-content-type-options']).toBe('nosniff');
    const js = await request(app).get('/static/js/enhance.js').set('Accept-Encoding', 'gzip').expect(200);
    expect(js.headers['content-encoding']).toBe('gzip');
    expect(js.headers.vary).toBe('Accept-Encoding');
    await request(app).head('/static/js/enhance.js').expect(200);
    await request(app).post('/static/js/enhance.js').expect(404);
  });

  it('each view → one log line with method, path, status and time', async () => {
    const capture = capturingLogger();
    const { app } = await buildTestApp({}, {}, { logger: capture.logger });
    const first = await request(app).get('/campaigns/amazon-ring.json?ref=x').expect(200);
    await request(app).head('/').set('If-None-Match', 'W/"nope"').expect(200);
    await request(app)
      .get('/campaigns/amazon-ring.json')
      .set('If-None-Match', first.headers.etag as string);
    const lines = capture.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request');
    expect(lines.map((l) => [l.method, l.path, l.status])).toEqual([
      ['GET', '/campaigns/amazon-ring.json', 200],
      ['HEAD', '/', 200],
      ['GET', '/campaigns/amazon-ring.json', 304],
    ]);
    for (const line of lines) expect(typeof line.ms).toBe('number');
  });

  it('the database failing during a view → 503 "please try again" page with the security headers, logged', async () => {
    const db = openDatabase(':memory:');
    const failing = (repos: Repositories): Repositories => ({
      ...repos,
      campaigns: {
        ...repos.campaigns,
        totals: async () => Promise.reject(Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' })),
      },
    });
    const { app } = await buildAppOver(db, { wrap: failing });
    const res = await request(app).get('/campaigns/amazon-ring').expect(503);
    expect(res.text).toContain('please try again');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['cache-control']).toBe('no-store');
    await request(app).get('/campaigns/amazon-ring.json').expect(503);
    db.close();
  });
});

describe('ResponseCache', () => {
  const options = { contentType: 'text/plain; charset=utf-8', cacheControl: 'no-cache' };

  it('views arriving while a copy renders → one render, shared; a new key → a new render', async () => {
    const cache = new ResponseCache([]);
    let renders = 0;
    const produce = async () => {
      renders++;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return `body ${renders}`;
    };
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => cache.get('page', 'k1', options, produce)));
    expect(renders).toBe(1);
    expect(b).toBe(a);
    expect(c).toBe(a);
    const next = await cache.get('page', 'k2', options, produce);
    expect(renders).toBe(2);
    expect(next.plain.body.toString()).toBe('body 2');
  });

  it('a render that fails → not kept; the next view renders again', async () => {
    const cache = new ResponseCache([]);
    await expect(cache.get('page', 'k', options, () => Promise.reject(new Error('view broke')))).rejects.toThrow(
      'view broke',
    );
    const ok = await cache.get('page', 'k', options, async () => 'fine');
    expect(ok.plain.body.toString()).toBe('fine');
  });
});
