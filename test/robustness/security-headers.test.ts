import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db.js';
import type { Repositories } from '../../src/repositories.js';
import { buildTestApp, validForm, type TestApp } from '../helpers.js';
import { signedIn } from '../organizers/helpers.js';
import { buildAppOver } from './app.js';

const SIGN = '/campaigns/amazon-ring/signatures';

type Page = [kind: string, fetch: (t: TestApp) => Promise<request.Response>];

/** Every kind of response the site gives, each fetched the way a visitor would reach it. */
const PAGES: Page[] = [
  ['campaign page (/)', (t) => request(t.app).get('/').expect(200)],
  ['campaign page by slug', (t) => request(t.app).get('/campaigns/library-hours').expect(200)],
  ['closed campaign page', (t) => request(t.app).get('/campaigns/old-campaign').expect(200)],
  [
    'form with errors (422)',
    (t) =>
      request(t.app)
        .post(SIGN)
        .type('form')
        .send(validForm({ email: 'nope' }))
        .expect(422),
  ],
  ['signature redirect (303)', (t) => request(t.app).post(SIGN).type('form').send(validForm()).expect(303)],
  ['thank-you page', (t) => request(t.app).get('/campaigns/amazon-ring/thanks').expect(200)],
  [
    'closed campaign refusal (410)',
    (t) => request(t.app).post('/campaigns/old-campaign/signatures').type('form').send(validForm()).expect(410),
  ],
  [
    'cross-site refusal (403)',
    (t) => request(t.app).post(SIGN).set('Sec-Fetch-Site', 'cross-site').type('form').send(validForm()).expect(403),
  ],
  [
    'body too large (413)',
    (t) =>
      request(t.app)
        .post(SIGN)
        .type('form')
        .send(validForm({ comment: 'x'.repeat(20_000) }))
        .expect(413),
  ],
  ['malformed URL (400)', (t) => request(t.app).get('/campaigns/%E0%A4%A').expect(400)],
  ['not found (404)', (t) => request(t.app).get('/no/such/page').expect(404)],
  ['campaign JSON', (t) => request(t.app).get('/campaigns/amazon-ring.json').expect(200)],
  ['health check', (t) => request(t.app).get('/healthz').expect(200)],
  [
    'stylesheet (fingerprinted)',
    async (t) =>
      request(t.app)
        .get((await request(t.app).get('/')).text.match(/href="(\/static\/css\/site\.[^"]+\.css)"/)![1]!)
        .expect(200),
  ],
  ['script (plain URL)', (t) => request(t.app).get('/static/js/enhance.js').expect(200)],
  ['privacy page', (t) => request(t.app).get('/privacy').expect(200)],
  ['organizer sign-in page', (t) => request(t.app).get('/organizers/login').expect(200)],
  ['organizer pages without a session', (t) => request(t.app).get('/organizers')],
  ['organizer overview', async (t) => (await signedIn(t)).get('/organizers').expect(200)],
  ['organizer campaign page', async (t) => (await signedIn(t)).get('/organizers/campaigns/amazon-ring').expect(200)],
  [
    'organizer CSV export',
    async (t) => (await signedIn(t)).get('/organizers/campaigns/amazon-ring/signatures.csv').expect(200),
  ],
];

const ORGANIZER_PAGES = PAGES.filter(([kind]) => kind.startsWith('organizer'));
// Over https the session cookie is Secure, which supertest's cookie jar will not send back over the
// plain HTTP it speaks, so pages behind a session are checked over http only.
const PAGES_WITHOUT_SESSION = PAGES.filter(([kind]) => !/organizer (overview|campaign|CSV)/.test(kind));

function expectSecurityHeaders(res: request.Response): void {
  const csp = res.headers['content-security-policy'] as string | undefined;
  expect(csp, 'Content-Security-Policy').toBeDefined();
  const directives = new Map(
    csp!
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...values]) => [name, values.join(' ')]),
  );
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).not.toContain('unsafe-eval');
  expect(csp).not.toMatch(/https?:|\*/);
  expect(directives.get('default-src')).toBe("'self'");
  expect(directives.get('frame-ancestors')).toBe("'none'");
  expect(directives.get('object-src')).toBe("'none'");
  expect(directives.get('base-uri')).toBe("'none'");
  expect(directives.get('form-action')).toBe("'self'");
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['referrer-policy']).toBe('no-referrer');
  expect(res.headers['x-frame-options']).toBe('DENY');
  expect(res.headers['x-powered-by']).toBeUndefined();
}

/** A page the CSP would break: inline script or style, or anything loaded from another origin. */
function expectNothingInlineOrForeign(html: string): void {
  expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/i);
  expect(html).not.toMatch(/<style[\s>]/i);
  expect(html).not.toMatch(/\sstyle=/i);
  expect(html).not.toMatch(/\son[a-z]+=/i);
  expect(html).not.toMatch(/<(script|img|iframe|source|video|audio|embed)[^>]+src="(https?:)?\/\//i);
  // Canonical and alternate links name a URL without loading it; these load what they name.
  expect(html).not.toMatch(
    /<link[^>]+rel="(stylesheet|icon|preload|modulepreload|manifest)"[^>]+href="(https?:)?\/\//i,
  );
}

describe('Security headers', () => {
  it.each(PAGES)('are on every kind of page: %s', async (_kind, fetch) => {
    const t = await buildTestApp();
    const res = await fetch(t);
    expectSecurityHeaders(res);
    expect(res.headers['strict-transport-security']).toBeUndefined();
    if (/html/.test(String(res.headers['content-type']))) expectNothingInlineOrForeign(res.text);
  });

  it.each(PAGES_WITHOUT_SESSION)('include HSTS when the site is served over https: %s', async (_kind, fetch) => {
    const t = await buildTestApp({ BASE_URL: 'https://petition.example.org' });
    const res = await fetch(t);
    expectSecurityHeaders(res);
    const hsts = String(res.headers['strict-transport-security']);
    expect(Number(/max-age=(\d+)/.exec(hsts)?.[1])).toBeGreaterThanOrEqual(31_536_000);
    expect(res.headers['content-security-policy']).toContain('upgrade-insecure-requests');
  });

  it.each(ORGANIZER_PAGES)('keep organizer pages out of every cache: %s', async (_kind, fetch) => {
    const res = await fetch(await buildTestApp());
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('are on the 503 "please try again" page and the 429 page too', async () => {
    const db = openDatabase(':memory:');
    const failing = (repos: Repositories): Repositories => ({
      ...repos,
      signatures: {
        ...repos.signatures,
        add: async () => Promise.reject(Object.assign(new Error('full'), { code: 'SQLITE_FULL' })),
      },
    });
    const { app } = await buildAppOver(db, { wrap: failing });
    const unavailable = await request(app).post(SIGN).type('form').send(validForm()).expect(503);
    expectSecurityHeaders(unavailable);
    expectNothingInlineOrForeign(unavailable.text);
    db.close();

    const limited = await buildTestApp({ SIGN_RATE_LIMIT: '1' });
    await request(limited.app).post(SIGN).type('form').send(validForm()).expect(303);
    const tooMany = await request(limited.app).post(SIGN).type('form').send(validForm()).expect(429);
    expectSecurityHeaders(tooMany);
  });
});
