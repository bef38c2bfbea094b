import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { buildTestApp, rowCount, validForm } from './helpers.js';

const SIGN = '/campaigns/amazon-ring/signatures';

interface StoredSignature {
  first_name: string;
  last_name: string;
  email: string;
  email_key: string;
  country: string;
  postal_code: string | null;
  comment: string | null;
  opted_in: number;
  consent_version: string;
  created_at: string;
}

const stored = (db: import('../src/db.js').Db) =>
  db.prepare('SELECT * FROM signatures ORDER BY id').all() as StoredSignature[];
const count = (db: import('../src/db.js').Db, slug = 'amazon-ring') =>
  db.prepare('SELECT signature_count FROM campaigns WHERE slug = ?').pluck().get(slug) as number;

describe('POST /campaigns/:slug/signatures', () => {
  it('stores a valid signature and answers 303 to the thank-you page', async () => {
    const { app, db } = await buildTestApp();
    const res = await request(app)
      .post(SIGN)
      .type('form')
      .send(validForm({ comment: 'Stop it.', updates: 'yes', email: '  Ada@Example.ORG ' }))
      .expect(303);
    expect(res.headers.location).toBe('/campaigns/amazon-ring/thanks');
    const rows = stored(db);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      first_name: 'Ada',
      last_name: 'Lovelace',
      email: 'Ada@Example.ORG',
      email_key: 'ada@example.org',
      country: 'US',
      postal_code: '12345',
      comment: 'Stop it.',
      opted_in: 1,
      consent_version: '2026-11-28',
      created_at: '2026-11-28T12:00:00.000Z',
    });
    expect(count(db)).toBe(1);
  });

  it('leaves the updates box unticked unless the person ticks it', async () => {
    const { app, db } = await buildTestApp();
    await request(app).post(SIGN).type('form').send(validForm()).expect(303);
    expect(stored(db)[0]?.opted_in).toBe(0);
    const page = await request(app).get('/').expect(200);
    expect(page.text).toContain('<input type="checkbox" id="updates" name="updates" value="yes">');
  });

  it('thanks the person by first name and shows the new count, with share links that load nothing', async () => {
    const { app } = await buildTestApp();
    const agent = request.agent(app);
    await agent
      .post(SIGN)
      .type('form')
      .send(validForm({ first_name: 'Grace' }))
      .expect(303);
    const thanks = await agent.get('/campaigns/amazon-ring/thanks').expect(200);
    expect(thanks.text).toContain('Thank you, Grace!');
    expect(thanks.text).toContain('<strong>1</strong> signature');
    expect(thanks.headers['cache-control']).toBe('no-store');
    expect(thanks.text).toContain('href="mailto:?subject=');
    expect(thanks.text).toContain('href="https://x.com/intent/post?text=');
    expect(thanks.text).toContain('href="https://www.facebook.com/sharer/sharer.php?u=');
    expect(thanks.text).toContain('href="https://wa.me/?text=');
    expect(thanks.text).toContain('Copy link');
    // Links only: nothing on the page is fetched from those sites.
    expect(thanks.text).not.toMatch(/<(script|img|iframe|link)[^>]+(src|href)="https?:\/\/(?!localhost)/);
  });

  it('does not count a second signature with the same email in another case, and answers exactly as the first time', async () => {
    const { app, db } = await buildTestApp();
    const first = await request(app)
      .post(SIGN)
      .type('form')
      .send(validForm({ email: 'ada@example.org' }))
      .expect(303);
    const again = await request(app)
      .post(SIGN)
      .type('form')
      .send(validForm({ email: ' ADA@example.org ' }))
      .expect(303);
    expect(rowCount(db)).toBe(1);
    expect(count(db)).toBe(1);
    expect(again.status).toBe(first.status);
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.headers['set-cookie']).toEqual(first.headers['set-cookie']);
    expect(again.text).toBe(first.text);
  });

  it('lets the same person sign a different campaign', async () => {
    const { app, db } = await buildTestApp();
    await request(app).post(SIGN).type('form').send(validForm()).expect(303);
    await request(app).post('/campaigns/library-hours/signatures').type('form').send(validForm()).expect(303);
    expect(count(db, 'amazon-ring')).toBe(1);
    expect(count(db, 'library-hours')).toBe(1);
  });

  it('stores one row for many simultaneous identical submissions', async () => {
    const { app, db } = await buildTestApp();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => request(app).post(SIGN).type('form').send(validForm())),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(303));
    expect(rowCount(db)).toBe(1);
    expect(count(db)).toBe(1);
  });

  it('refuses a closed campaign with 410 and stores nothing', async () => {
    const { app, db } = await buildTestApp();
    const res = await request(app)
      .post('/campaigns/old-campaign/signatures')
      .type('form')
      .send(validForm())
      .expect(410);
    expect(res.text).toContain('This campaign has closed');
    expect(rowCount(db)).toBe(0);
  });

  it('answers 404 for a campaign that does not exist', async () => {
    const { app, db } = await buildTestApp();
    await request(app).post('/campaigns/nope/signatures').type('form').send(validForm()).expect(404);
    expect(rowCount(db)).toBe(0);
  });
});

describe('POST /campaigns/:slug/signatures with mistakes', () => {
  const cases: [string, Record<string, string | undefined>, string, string][] = [
    ['missing first name', { first_name: '  ' }, 'first-name', 'Enter your first name'],
    ['first name with no letters', { first_name: '1234' }, 'first-name', 'Enter your first name using letters'],
    [
      'first name too long',
      { first_name: 'A'.repeat(101) },
      'first-name',
      'Your first name must be 100 characters or fewer',
    ],
    ['missing last name', { last_name: undefined }, 'last-name', 'Enter your last name'],
    ['missing email', { email: '' }, 'email', 'Enter your email address'],
    [
      'malformed email',
      { email: 'ada.example.org' },
      'email',
      'Enter an email address in the correct format, like name@example.com',
    ],
    ['unknown country', { country: 'ZZ' }, 'country', 'Select your country'],
    ['missing US ZIP', { postal_code: '' }, 'postal-code', 'Enter your ZIP code'],
    [
      'short US ZIP',
      { postal_code: '1234' },
      'postal-code',
      'Enter a ZIP code with 5 digits, like 12345 or 12345-6789',
    ],
    ['letters in a US ZIP', { postal_code: 'ABCDE' }, 'postal-code', 'Enter a ZIP code with 5 digits'],
    [
      'missing postal code where the country has them',
      { country: 'GB', postal_code: '' },
      'postal-code',
      'Enter your postal code',
    ],
    [
      'postal code with symbols',
      { country: 'GB', postal_code: 'SW1A <1AA>' },
      'postal-code',
      'Enter a postal code using letters',
    ],
    [
      'comment over 1,000 characters',
      { comment: 'x'.repeat(1001) },
      'comment',
      'Your comment must be 1,000 characters or fewer',
    ],
    [
      'an odd value for the updates box',
      { updates: 'maybe' },
      'updates',
      'Tick the box to get updates, or leave it empty',
    ],
  ];

  for (const [situation, overrides, fieldId, message] of cases) {
    it(`${situation}: 422 with the error linked and beside the field, nothing stored`, async () => {
      const { app, db } = await buildTestApp();
      const res = await request(app).post(SIGN).type('form').send(validForm(overrides)).expect(422);
      expect(res.text).toContain('<title>Error: Tell Amazon Ring');
      expect(res.text).toMatch(new RegExp(`class="error-summary"[\\s\\S]*<a href="#${fieldId}">${message}`));
      expect(res.text).toMatch(
        new RegExp(`id="${fieldId}-error"><span class="visually-hidden">Error:</span> ${message}`),
      );
      expect(res.text).toMatch(new RegExp(`id="${fieldId}"[^>]*aria-describedby="[^"]*${fieldId}-error`));
      expect(rowCount(db)).toBe(0);
      expect(count(db)).toBe(0);
    });
  }

  it('keeps everything the person typed in place', async () => {
    const { app } = await buildTestApp();
    const res = await request(app)
      .post(SIGN)
      .type('form')
      .send(
        validForm({
          email: 'not-an-email',
          country: 'FR',
          postal_code: '75001',
          comment: 'Line one\nLine two',
          updates: 'yes',
        }),
      )
      .expect(422);
    expect(res.text).toContain('id="first-name" name="first_name" type="text" value="Ada"');
    expect(res.text).toContain('id="last-name" name="last_name" type="text" value="Lovelace"');
    expect(res.text).toContain('value="not-an-email"');
    expect(res.text).toContain('<option value="FR" selected>France</option>');
    expect(res.text).not.toContain('<option value="US" selected>');
    expect(res.text).toContain('value="75001"');
    expect(res.text).toContain('Line one\nLine two</textarea>');
    expect(res.text).toContain('name="updates" value="yes" checked');
  });

  it('lists several problems in page order', async () => {
    const { app } = await buildTestApp();
    const res = await request(app).post(SIGN).type('form').send({}).expect(422);
    const links = [...res.text.matchAll(/<li><a href="#([a-z-]+)">/g)].map((m) => m[1]);
    expect(links).toEqual(['first-name', 'last-name', 'email', 'country']);
  });

  it('accepts a country without postal codes with no postal code, and ZIP+4', async () => {
    const { app, db } = await buildTestApp();
    await request(app)
      .post(SIGN)
      .type('form')
      .send(validForm({ email: 'a@example.org', country: 'AE', postal_code: '' }))
      .expect(303);
    await request(app)
      .post(SIGN)
      .type('form')
      .send(validForm({ email: 'b@example.org', postal_code: '12345-6789' }))
      .expect(303);
    expect(stored(db).map((r) => r.postal_code)).toEqual([null, '12345-6789']);
  });

  it('escapes an HTML or script payload in every field it shows back', async () => {
    const { app, db } = await buildTestApp();
    const payload = '<script>alert(1)</script>"><img src=x onerror=alert(2)>';
    const res = await request(app)
      .post(SIGN)
      .type('form')
      .send(
        validForm({ first_name: payload, last_name: payload, email: payload, postal_code: payload, comment: payload }),
      )
      .expect(422);
    expect(res.text).not.toContain('<script>alert(1)');
    expect(res.text).not.toContain('<img src=x');
    expect(res.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(rowCount(db)).toBe(0);
  });

  it('escapes a stored name on the thank-you page', async () => {
    const { app } = await buildTestApp();
    const agent = request.agent(app);
    await agent
      .post(SIGN)
      .type('form')
      .send(validForm({ first_name: '<b>Bold</b>' }))
      .expect(303);
    const thanks = await agent.get('/campaigns/amazon-ring/thanks').expect(200);
    expect(thanks.text).toContain('Thank you, &lt;b&gt;Bold&lt;/b&gt;!');
  });
});

describe('POST /campaigns/:slug/signatures from another site', () => {
  it('refuses a cross-site post by Sec-Fetch-Site with 403 and stores nothing', async () => {
    const { app, db } = await buildTestApp();
    await request(app).post(SIGN).set('Sec-Fetch-Site', 'cross-site').type('form').send(validForm()).expect(403);
    await request(app).post(SIGN).set('Sec-Fetch-Site', 'same-site').type('form').send(validForm()).expect(403);
    expect(rowCount(db)).toBe(0);
  });

  it('refuses a foreign Origin with 403 when Sec-Fetch-Site is absent', async () => {
    const { app, db } = await buildTestApp();
    await request(app).post(SIGN).set('Origin', 'https://evil.example').type('form').send(validForm()).expect(403);
    await request(app).post(SIGN).set('Origin', 'null').type('form').send(validForm()).expect(403);
    expect(rowCount(db)).toBe(0);
  });

  it('accepts a same-origin post', async () => {
    const { app, db } = await buildTestApp();
    await request(app)
      .post(SIGN)
      .set('Sec-Fetch-Site', 'same-origin')
      .set('Origin', 'http://localhost:3000')
      .type('form')
      .send(validForm())
      .expect(303);
    expect(rowCount(db)).toBe(1);
  });
});

describe('POST /campaigns/:slug/signatures from bots and floods', () => {
  it('answers a filled honeypot like a real signature but does not count it', async () => {
    const { app, db } = await buildTestApp();
    const real = await request(app)
      .post(SIGN)
      .type('form')
      .send(validForm({ email: 'real@example.org' }))
      .expect(303);
    const bot = await request(app)
      .post(SIGN)
      .type('form')
      .send(validForm({ email: 'bot@example.org', website: 'http://spam.example' }))
      .expect(303);
    expect(bot.headers.location).toBe(real.headers.location);
    expect(rowCount(db)).toBe(1);
    expect(count(db)).toBe(1);
  });

  it('does not count a submission faster than MIN_FILL_SECONDS, and counts one after it', async () => {
    const { app, db, clock } = await buildTestApp({ MIN_FILL_SECONDS: '5' });
    const page = await request(app).get('/').expect(200);
    const started = /name="started" value="([^"]+)"/.exec(page.text)?.[1] as string;
    clock.advance(2_000);
    await request(app)
      .post(SIGN)
      .type('form')
      .send({ ...validForm({ email: 'fast@example.org' }), started })
      .expect(303);
    expect(rowCount(db)).toBe(0);
    clock.advance(4_000);
    await request(app)
      .post(SIGN)
      .type('form')
      .send({ ...validForm({ email: 'human@example.org' }), started })
      .expect(303);
    expect(rowCount(db)).toBe(1);
  });

  it('does not count a submission with a forged or missing form timestamp when the minimum fill time is on', async () => {
    const { app, db } = await buildTestApp({ MIN_FILL_SECONDS: '5' });
    await request(app)
      .post(SIGN)
      .type('form')
      .send({ ...validForm(), started: 'amazon-ring:1.forged' })
      .expect(303);
    await request(app)
      .post(SIGN)
      .type('form')
      .send(validForm({ email: 'x@example.org' }))
      .expect(303);
    expect(rowCount(db)).toBe(0);
  });

  it('answers 429 past SIGN_RATE_LIMIT signing requests a minute from one address', async () => {
    const { app, db } = await buildTestApp({ SIGN_RATE_LIMIT: '3' });
    for (let i = 0; i < 3; i++) {
      await request(app)
        .post(SIGN)
        .type('form')
        .send(validForm({ email: `p${i}@example.org` }))
        .expect(303);
    }
    const limited = await request(app)
      .post(SIGN)
      .type('form')
      .send(validForm({ email: 'p4@example.org' }))
      .expect(429);
    expect(limited.text).toContain('Too many signatures were sent from your connection');
    expect(rowCount(db)).toBe(3);
  });

  it('refuses a form body over the limit with 413', async () => {
    const { app, db } = await buildTestApp();
    await request(app)
      .post(SIGN)
      .type('form')
      .send(validForm({ comment: 'x'.repeat(40_000) }))
      .expect(413);
    expect(rowCount(db)).toBe(0);
  });
});
