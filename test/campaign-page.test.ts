import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { buildTestApp, validForm } from './helpers.js';

describe('GET /', () => {
  it('shows the default campaign: headline, text, the three demands, the letter and the form', async () => {
    const { app } = await buildTestApp();
    const res = await request(app).get('/').expect(200);
    expect(res.type).toBe('text/html');
    expect(res.text).toContain('<h1>Tell Amazon Ring: stop sharing information with police</h1>');
    expect(res.text).toContain('Neighbors Law Enforcement Portal');
    for (const demand of [
      'Issuing a moratorium on Ring police partnerships, including with federal authorities.',
      'Not deploying facial recognition in Ring.',
      'Ensuring that these actions apply globally, not just in the United States.',
    ]) {
      expect(res.text).toContain(`<li>${demand}</li>`);
    }
    expect(res.text).toContain('To Amazon and Ring,');
    expect(res.text).toContain('Sign the letter to Amazon Ring');
    expect(res.text).toContain('indicates a required field');
  });

  it('has a visible label, input type and autocomplete token for every field', async () => {
    const { app } = await buildTestApp();
    const { text } = await request(app).get('/').expect(200);
    const fields: [string, string, RegExp][] = [
      ['first-name', 'First name', /id="first-name" name="first_name" type="text"[^>]*autocomplete="given-name"/],
      ['last-name', 'Last name', /id="last-name" name="last_name" type="text"[^>]*autocomplete="family-name"/],
      ['email', 'Email', /id="email" name="email" type="email"[^>]*autocomplete="email"/],
      ['country', 'Country', /<select id="country" name="country" autocomplete="country"/],
      [
        'postal-code',
        'ZIP / Postal code',
        /id="postal-code" name="postal_code" type="text"[^>]*autocomplete="postal-code"/,
      ],
      ['comment', 'Comment (optional)', /<textarea id="comment" name="comment"/],
      [
        'updates',
        'Send me email updates about this campaign.',
        /<input type="checkbox" id="updates" name="updates" value="yes">/,
      ],
    ];
    for (const [id, label, control] of fields) {
      expect(text).toMatch(new RegExp(`<label for="${id}">${label.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
      expect(text).toMatch(control);
    }
  });

  it('lists every country with none preselected: the prompt shows until the person chooses', async () => {
    const { app } = await buildTestApp();
    const { text } = await request(app).get('/').expect(200);
    const options = text.match(/<option value="[A-Z]{2}"/g) ?? [];
    expect(options.length).toBeGreaterThanOrEqual(249);
    expect(text).toContain('<option value="" selected>Select your country</option>');
    expect(text).toContain('<option value="US">United States</option>');
    expect(text).toContain('<option value="GB">United Kingdom</option>');
    expect(text.match(/ selected>/g)).toHaveLength(1);
  });

  it('shows the count and progress toward the goal, read from the stored total', async () => {
    const { app, db } = await buildTestApp();
    db.prepare("UPDATE campaigns SET signature_count = 12345 WHERE slug = 'amazon-ring'").run();
    const { text } = await request(app).get('/').expect(200);
    expect(text).toContain('<strong>12,345</strong> signatures <span class="progress-goal">of 20,000 goal</span>');
    expect(text).toMatch(/<progress max="20000" value="12345" aria-labelledby="progress-label">/);
  });

  it('carries no per-visitor state, so a shared cache may serve it', async () => {
    const { app } = await buildTestApp();
    const res = await request(app).get('/').expect(200);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.headers['cache-control']).toMatch(/public/);
    expect(res.headers['cache-control']).toMatch(/stale-while-revalidate/);
  });

  it('sends a strict Content-Security-Policy and loads only its own files', async () => {
    const { app } = await buildTestApp();
    const res = await request(app).get('/').expect(200);
    const csp = res.headers['content-security-policy'] as string;
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.text).not.toMatch(/<script(?![^>]*\bsrc="\/static\/)/);
    expect(res.text).not.toMatch(/\sstyle="/);
    expect(res.text).not.toMatch(/(src|href)="(https?:)?\/\/(?!localhost)/);
  });

  it('serves its stylesheet under a fingerprinted name with a long cache lifetime', async () => {
    const { app } = await buildTestApp();
    const { text } = await request(app).get('/').expect(200);
    const href = /<link rel="stylesheet" href="([^"]+)">/.exec(text)?.[1];
    expect(href).toMatch(/^\/static\/css\/site\.[0-9a-f]{10}\.css$/);
    const css = await request(app)
      .get(href as string)
      .expect(200);
    expect(css.type).toBe('text/css');
    expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });
});

describe('GET /campaigns/:slug', () => {
  it('gives each campaign file its own page, form and count', async () => {
    const { app } = await buildTestApp();
    await request(app).post('/campaigns/library-hours/signatures').type('form').send(validForm()).expect(303);
    const library = await request(app).get('/campaigns/library-hours').expect(200);
    expect(library.text).toContain('<h1>Keep the Eastside library open on Sundays</h1>');
    expect(library.text).toContain('action="/campaigns/library-hours/signatures"');
    expect(library.text).toContain('<strong>1</strong> signature <span class="progress-goal">of 500 goal</span>');
    const ring = await request(app).get('/campaigns/amazon-ring').expect(200);
    expect(ring.text).toContain('<strong>0</strong> signatures');
  });

  it('shows a closed campaign with its final count and no form', async () => {
    const { app, db } = await buildTestApp();
    db.prepare("UPDATE campaigns SET signature_count = 87 WHERE slug = 'old-campaign'").run();
    const res = await request(app).get('/campaigns/old-campaign').expect(200);
    expect(res.text).toContain('This campaign has closed');
    expect(res.text).toContain('<strong>87</strong>');
    expect(res.text).not.toContain('<form');
  });

  it('answers 404 in the site style for an unknown campaign', async () => {
    const { app } = await buildTestApp();
    const res = await request(app).get('/campaigns/no-such-thing').expect(404);
    expect(res.text).toContain('Page not found');
    expect(res.text).toContain('/static/css/site.');
  });
});

describe('GET /healthz', () => {
  it('answers 200 when the database answers', async () => {
    const { app } = await buildTestApp();
    const res = await request(app).get('/healthz').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('answers 503 when the database does not', async () => {
    const { app, db } = await buildTestApp();
    db.close();
    const res = await request(app).get('/healthz').expect(503);
    expect(res.body.status).toBe('database unavailable');
  });
});
