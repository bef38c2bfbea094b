import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, validForm, type TestApp } from './helpers.js';
import { englishIn, englishPieces } from './i18n/helpers.js';
import { signedIn } from './organizers/helpers.js';

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp();
});
afterEach(() => t.db.close());

const frameAncestors = (res: request.Response) =>
  /frame-ancestors ([^;]*)/.exec(String(res.headers['content-security-policy']))?.[1];
const signInFrame = (fields: Record<string, string> = {}, path = '/campaigns/amazon-ring') =>
  request(t.app)
    .post(`${path}/embed/signatures`)
    .set('Sec-Fetch-Site', 'same-origin')
    .type('form')
    .send(validForm(fields));

describe('GET /campaigns/<slug>/embed', () => {
  it('→ the compact form, frameable by the listed origins only, no X-Frame-Options, never cached', async () => {
    const res = await request(t.app).get('/campaigns/amazon-ring/embed?source=Eastside-Tenants').expect(200);
    expect(frameAncestors(res)).toBe('https://partner.example http://localhost:8080');
    expect(res.headers['x-frame-options']).toBeUndefined();
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toContain('<h1>Tell Amazon Ring: stop sharing information with police</h1>');
    expect(res.text).toContain('action="/campaigns/amazon-ring/embed/signatures"');
    expect(res.text).toContain('<input type="hidden" name="source" value="eastside-tenants">');
    expect(res.text).toContain('Send me email updates about this campaign.');
    expect(res.text).toContain('<strong>0</strong> signatures');
    expect(res.text).not.toContain('class="site-header"');
    expect(res.text).toContain('href="/privacy" target="_blank" rel="noopener"');
    expect(res.text).toContain('href="/campaigns/amazon-ring" target="_blank" rel="noopener"');
    expect(res.text).toContain('data-embed-origins="https://partner.example http://localhost:8080"');
  });

  it('every other page → still frame-ancestors none and X-Frame-Options DENY', async () => {
    for (const path of [
      '/',
      '/campaigns/amazon-ring',
      '/campaigns/amazon-ring/thanks',
      '/privacy',
      '/es/campaigns/amazon-ring',
      '/nowhere',
    ]) {
      const res = await request(t.app).get(path);
      expect(frameAncestors(res), path).toBe("'none'");
      expect(res.headers['x-frame-options'], path).toBe('DENY');
    }
  });

  it('a campaign that lists no origins → its embed may be framed by nobody', async () => {
    const res = await request(t.app).get('/campaigns/library-hours/embed').expect(200);
    expect(frameAncestors(res)).toBe("'none'");
  });

  it('/es/… → the Spanish embed, nothing in English', async () => {
    const res = await request(t.app).get('/es/campaigns/amazon-ring/embed').expect(200);
    expect(res.text).toMatch(/<html lang="es" class="embed-page">/);
    expect(res.text).toContain('action="/es/campaigns/amazon-ring/embed/signatures"');
    expect(englishIn(res.text, englishPieces(t.campaigns))).toEqual([]);
    expect(res.text).toContain('hreflang="en" lang="en">English</a>');
    expect(frameAncestors(res)).toBe('https://partner.example http://localhost:8080');
  });

  it('an unknown campaign, or one without that language → 404', async () => {
    await request(t.app).get('/campaigns/nope/embed').expect(404);
    await request(t.app).get('/es/campaigns/library-hours/embed').expect(404);
  });
});

describe('signing in the embed', () => {
  it('→ stored with the partner as its source, 303 to the thank-you step in the frame, no cookie', async () => {
    const res = await signInFrame({ source: 'eastside-tenants' }).expect(303);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.headers.location).toMatch(/^\/campaigns\/amazon-ring\/embed\/thanks\?signed=/);
    expect(t.db.prepare('SELECT source, locale FROM signatures').get()).toEqual({
      source: 'eastside-tenants',
      locale: 'en',
    });
    const thanks = await request(t.app)
      .get(res.headers.location as string)
      .expect(200);
    expect(frameAncestors(thanks)).toBe('https://partner.example http://localhost:8080');
    expect(thanks.text).toContain('Thank you!');
    expect(thanks.text).toContain('<strong>1</strong> signature ');
    expect(thanks.text).toContain(
      '<a class="button button-primary" href="/campaigns/amazon-ring" target="_blank" rel="noopener">Open the campaign page in a new tab</a>',
    );
  });

  it('the thank-you step without its signed time, or an hour later → the campaign and a way to sign, no thanks', async () => {
    const signed = await signInFrame().expect(303);
    for (const path of [
      '/campaigns/amazon-ring/embed/thanks',
      '/campaigns/amazon-ring/embed/thanks?signed=123.forged',
    ]) {
      const res = await request(t.app).get(path).expect(200);
      expect(res.text).not.toContain('Thank you!');
      expect(res.text).toContain('href="/campaigns/amazon-ring/embed">Read the letter and sign it</a>');
    }
    t.clock.set('2026-11-28T13:00:01.000Z');
    const late = await request(t.app)
      .get(signed.headers.location as string)
      .expect(200);
    expect(late.text).not.toContain('Thank you!');
  });

  it('a mistake → 422 with the embed again (in the frame), its source kept', async () => {
    const res = await signInFrame({ source: 'partner', email: 'nope' }).expect(422);
    expect(res.text).toMatch(/<html lang="en" class="embed-page">/);
    expect(res.text).toContain('There is a problem');
    expect(res.text).toContain('<input type="hidden" name="source" value="partner">');
    expect(frameAncestors(res)).toBe('https://partner.example http://localhost:8080');
  });

  it('in Spanish → stored as Spanish, the thank-you step in Spanish', async () => {
    const res = await signInFrame({ source: 'red' }, '/es/campaigns/amazon-ring').expect(303);
    expect(t.db.prepare('SELECT source, locale FROM signatures').get()).toEqual({ source: 'red', locale: 'es' });
    const thanks = await request(t.app)
      .get(res.headers.location as string)
      .expect(200);
    expect(thanks.text).toContain('¡Gracias!');
    expect(englishIn(thanks.text, englishPieces(t.campaigns))).toEqual([]);
  });

  it('a post from another site (not from the frame, which is our own page) → still refused', async () => {
    await request(t.app)
      .post('/campaigns/amazon-ring/embed/signatures')
      .set('Sec-Fetch-Site', 'cross-site')
      .type('form')
      .send(validForm())
      .expect(403);
    expect(t.db.prepare('SELECT count(*) FROM signatures').pluck().get()).toBe(0);
  });
});

describe('the embed extras', () => {
  it('GET /embed.js → the partner-side script, readable from other origins', async () => {
    const res = await request(t.app).get('/embed.js').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/javascript/);
    expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(res.text).toContain("data.type !== 'undersigned:height'");
  });

  it('the organizer count page → the listed origins and a snippet per language to copy', async () => {
    const agent = await signedIn(t);
    const page = await agent.get('/organizers/campaigns/amazon-ring').expect(200);
    expect(page.text).toContain('<code>https://partner.example</code>, <code>http://localhost:8080</code>');
    expect(page.text).toContain(
      '&lt;iframe src=&#34;http://localhost:3000/campaigns/amazon-ring/embed?source=PARTNER-NAME&#34;',
    );
    expect(page.text).toContain('http://localhost:3000/es/campaigns/amazon-ring/embed?source=PARTNER-NAME');
    expect(page.text).toContain('&lt;script src=&#34;http://localhost:3000/embed.js&#34; async&gt;&lt;/script&gt;');
  });

  it('embed_origins that are not bare origins → refused at load with what to write', async () => {
    const { loadCampaigns } = await import('../src/campaigns/content.js');
    const { mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'es-embed-'));
    const text = readFileSync('test/fixtures/campaigns/amazon-ring.md', 'utf8').replace(
      '  - https://partner.example',
      '  - https://partner.example/petition',
    );
    writeFileSync(join(dir, 'amazon-ring.md'), text);
    expect(() => loadCampaigns(dir)).toThrow(
      /`embed_origins.0` must be a site address with no path, such as https:\/\/partner.example/,
    );
  });
});
