import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, validForm, type TestApp } from './helpers.js';

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp();
});
afterEach(() => t.db.close());

const attr = (html: string, element: RegExp, name: string) => {
  const tag = element.exec(html)?.[0] ?? '';
  return new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
};
const decode = (s: string | undefined) =>
  s?.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#34;/g, '"').replace(/&amp;/g, '&');

describe('live count markup', () => {
  it('an open campaign → its own deferred script and the words for every plural form, no inline script', async () => {
    await request(t.app).post('/campaigns/amazon-ring/signatures').type('form').send(validForm()).expect(303);
    const res = await request(t.app).get('/es/campaigns/amazon-ring').expect(200);
    expect(res.text).toMatch(/<script src="\/static\/js\/live-count\.[0-9a-f]+\.js" defer><\/script>/);
    expect(res.text).not.toMatch(/<script(?![^>]*\ssrc=)/);
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    const root = /<div class="progress"[^>]*>/;
    expect(attr(res.text, root, 'data-goal')).toBe('20000');
    expect(attr(res.text, root, 'data-count')).toBe('1');
    expect(attr(res.text, root, 'data-announce-many')).toBe('Hasta ahora, %{count} de firmas');
    const label = /<p class="progress-count"[^>]*>/;
    expect(decode(attr(res.text, label, 'data-one'))).toBe(
      '<strong>%{count}</strong> firma <span class="progress-goal">de una meta de 20.000</span>',
    );
    expect(decode(attr(res.text, label, 'data-other'))).toContain('<strong>%{count}</strong> firmas');
    const note = /<p class="progress-note"[^>]*>/;
    expect(attr(res.text, note, 'data-to-go')).toBe('%{percent} % de la meta · faltan %{left}');
    expect(attr(res.text, /<p class="letter-sign"[^>]*>/, 'data-other')).toBe(
      'Firmada por %{count} personas, y sumando',
    );
  });

  it('a closed campaign, the thank-you page → no live count (nothing there changes)', async () => {
    const closed = await request(t.app).get('/campaigns/old-campaign').expect(200);
    expect(closed.text).not.toContain('live-count');
    expect(closed.text).not.toContain('data-live');
    const thanks = await request(t.app).get('/campaigns/amazon-ring/thanks').expect(200);
    expect(thanks.text).not.toContain('live-count');
  });

  it('the JSON the script asks → a validator and a max-age, and 304 when it has not changed', async () => {
    const first = await request(t.app).get('/campaigns/amazon-ring.json').expect(200);
    expect(first.headers['cache-control']).toMatch(/max-age=\d+/);
    const again = await request(t.app)
      .get('/campaigns/amazon-ring.json')
      .set('If-None-Match', String(first.headers.etag))
      .expect(304);
    expect(again.text).toBe('');
  });

  it('the script file → served fingerprinted for a year', async () => {
    const page = await request(t.app).get('/campaigns/amazon-ring').expect(200);
    const src = /<script src="(\/static\/js\/live-count\.[0-9a-f]+\.js)"/.exec(page.text)?.[1] as string;
    const script = await request(t.app).get(src).expect(200);
    expect(script.headers['cache-control']).toContain('max-age=31536000');
    expect(script.text).toContain("document.querySelector('[data-live-count]')");
  });
});
