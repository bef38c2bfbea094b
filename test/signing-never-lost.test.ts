import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { Db } from '../src/db.js';
import { buildTestApp, rowCount, validForm } from './helpers.js';
import { signedIn } from './organizers/helpers.js';

const SIGN = '/campaigns/amazon-ring/signatures';
/** The shipped MIN_FILL_SECONDS (an empty variable counts as unset): the helpers turn it off otherwise. */
const DEFAULT_FILL_TIME = { MIN_FILL_SECONDS: '' };

const tokenIn = (html: string): string => {
  const token = /name="started" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error('no form token on the page');
  return token;
};

const discarded = (db: Db) =>
  db.prepare('SELECT campaign_slug, day, reason, count FROM discarded_submissions ORDER BY reason').all();

describe('the fill-time check never discards a person', () => {
  it('POST after an error page → the error page carries the first view’s token, and sending 1 s later is counted', async () => {
    const { app, db, clock } = await buildTestApp(DEFAULT_FILL_TIME);
    const first = tokenIn((await request(app).get('/').expect(200)).text);
    clock.advance(20_000);
    const error = await request(app)
      .post(SIGN)
      .type('form')
      .send({ ...validForm({ email: 'ada@example' }), started: first })
      .expect(422);
    expect(tokenIn(error.text)).toBe(first);
    clock.advance(1_000);
    await request(app)
      .post(SIGN)
      .type('form')
      .send({ ...validForm(), started: tokenIn(error.text) })
      .expect(303);
    expect(rowCount(db)).toBe(1);
  });

  it('POST 1 s after the first load (autofill) with the shipped threshold → counted', async () => {
    const { app, db, clock } = await buildTestApp(DEFAULT_FILL_TIME);
    const started = tokenIn((await request(app).get('/campaigns/amazon-ring').expect(200)).text);
    clock.advance(1_000);
    await request(app)
      .post(SIGN)
      .type('form')
      .send({ ...validForm(), started })
      .expect(303);
    expect(rowCount(db)).toBe(1);
    expect(discarded(db)).toEqual([]);
  });

  it('POST the instant the page is fetched with the shipped threshold → answered as usual, not counted, counted as discarded', async () => {
    const { app, db, clock } = await buildTestApp(DEFAULT_FILL_TIME);
    const started = tokenIn((await request(app).get('/').expect(200)).text);
    clock.advance(300);
    await request(app)
      .post(SIGN)
      .type('form')
      .send({ ...validForm(), started })
      .expect(303);
    expect(rowCount(db)).toBe(0);
    expect(discarded(db)).toEqual([{ campaign_slug: 'amazon-ring', day: '2026-11-28', reason: 'too_fast', count: 1 }]);
  });

  it('POST with a token over a day old → 422 with the values, a message and a new token that counts when sent at once', async () => {
    const { app, db, clock } = await buildTestApp(DEFAULT_FILL_TIME);
    const old = tokenIn((await request(app).get('/').expect(200)).text);
    clock.advance(25 * 60 * 60 * 1000);
    const again = await request(app)
      .post(SIGN)
      .type('form')
      .send({ ...validForm({ comment: 'Still here' }), started: old })
      .expect(422);
    expect(again.text).toContain('<title>Error: Tell Amazon Ring');
    expect(again.text).toContain('This page was open for a long time, so your signature was not added yet.');
    expect(again.text).toContain('id="first-name" name="first_name" type="text" value="Ada"');
    expect(again.text).toContain('Still here</textarea>');
    expect(again.headers['cache-control']).toBe('no-store');
    const renewed = tokenIn(again.text);
    expect(renewed).not.toBe(old);
    expect(rowCount(db)).toBe(0);
    await request(app)
      .post(SIGN)
      .type('form')
      .send({ ...validForm({ comment: 'Still here' }), started: renewed })
      .expect(303);
    expect(rowCount(db)).toBe(1);
    expect(discarded(db)).toEqual([]);
  });

  it('POST from bots → each reason counted per campaign and day, and nothing about the sender kept', async () => {
    const { app, db, clock } = await buildTestApp(DEFAULT_FILL_TIME);
    const started = tokenIn((await request(app).get('/').expect(200)).text);
    const send = (extra: Record<string, string>) =>
      request(app)
        .post(SIGN)
        .type('form')
        .send({ ...validForm(), ...extra })
        .expect(303);
    await send({ started });
    await send({ started });
    await send({});
    await send({ started: `${started}x` });
    clock.advance(5_000);
    await send({ started, website: 'https://spam.example' });
    expect(rowCount(db)).toBe(0);
    expect(discarded(db)).toEqual([
      { campaign_slug: 'amazon-ring', day: '2026-11-28', reason: 'bad_token', count: 1 },
      { campaign_slug: 'amazon-ring', day: '2026-11-28', reason: 'honeypot', count: 1 },
      { campaign_slug: 'amazon-ring', day: '2026-11-28', reason: 'no_token', count: 1 },
      { campaign_slug: 'amazon-ring', day: '2026-11-28', reason: 'too_fast', count: 2 },
    ]);
  });

  it('GET the organizers’ count page → a table of submissions discarded as automated, by day, explained', async () => {
    const t = await buildTestApp(DEFAULT_FILL_TIME);
    await t.repos.signatures.countDiscarded('amazon-ring', 'too_fast', new Date('2026-11-27T10:00:00Z'));
    await t.repos.signatures.countDiscarded('amazon-ring', 'too_fast', new Date('2026-11-28T10:00:00Z'));
    await t.repos.signatures.countDiscarded('amazon-ring', 'too_fast', new Date('2026-11-28T11:00:00Z'));
    await t.repos.signatures.countDiscarded('amazon-ring', 'honeypot', new Date('2026-11-28T11:00:00Z'));
    await t.repos.signatures.countDiscarded('library-hours', 'honeypot', new Date('2026-11-28T11:00:00Z'));
    const agent = await signedIn(t);
    const page = await agent.get('/organizers/campaigns/amazon-ring').expect(200);
    expect(page.text).toContain('Submissions discarded as automated, by day');
    expect(page.text).toContain('sent less than 1 second after the form was shown');
    const table = page.text.slice(page.text.indexOf('id="discarded-caption"'));
    const rows = [...table.slice(0, table.indexOf('</table>')).matchAll(/<tr><th scope="row">([\s\S]*?)<\/tr>/g)].map(
      (m) =>
        (m[1] ?? '')
          .replace(/<[^>]+>/g, ' ')
          .trim()
          .split(/\s+/),
    );
    // Newest first: day, too fast, hidden field, no token, token not ours, total.
    expect(rows).toEqual([
      ['28', 'November', '2026', '2', '1', '0', '0', '3'],
      ['27', 'November', '2026', '1', '0', '0', '0', '1'],
    ]);
  });
});

describe('GET /campaigns/:slug/signatures (a restored tab, a reload after an error)', () => {
  it('redirects to the campaign page with 303', async () => {
    const { app } = await buildTestApp();
    const res = await request(app).get(SIGN).expect(303);
    expect(res.headers.location).toBe('/campaigns/amazon-ring');
  });

  it('answers 404 for a campaign that does not exist', async () => {
    const { app } = await buildTestApp();
    await request(app).get('/campaigns/nope/signatures').expect(404);
  });
});

describe('POST /campaigns/:slug/signatures past the rate limit', () => {
  it('429 → the form again with the message, what was typed and a Retry-After, nothing stored', async () => {
    const { app, db } = await buildTestApp({ SIGN_RATE_LIMIT: '1' });
    await request(app)
      .post(SIGN)
      .type('form')
      .send(validForm({ email: 'one@example.org' }))
      .expect(303);
    const limited = await request(app)
      .post(SIGN)
      .type('form')
      .send(validForm({ first_name: 'Grace', email: 'grace@example.org', country: 'FR', comment: 'Please stop' }))
      .expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['cache-control']).toBe('no-store');
    expect(limited.text).toContain('<title>Error: Tell Amazon Ring');
    expect(limited.text).toContain('Too many signatures were sent from your connection in the last minute');
    expect(limited.text).toContain('value="Grace"');
    expect(limited.text).toContain('value="grace@example.org"');
    expect(limited.text).toContain('<option value="FR" selected>');
    expect(limited.text).toContain('Please stop</textarea>');
    expect(rowCount(db)).toBe(1);
  });

  it('a submission refused for a mistake (422) does not use up the limit', async () => {
    const { app, db } = await buildTestApp({ SIGN_RATE_LIMIT: '2' });
    for (let i = 0; i < 3; i++)
      await request(app)
        .post(SIGN)
        .type('form')
        .send(validForm({ email: 'typo@example' }))
        .expect(422);
    await request(app)
      .post(SIGN)
      .type('form')
      .send(validForm({ email: 'a@example.org' }))
      .expect(303);
    await request(app)
      .post(SIGN)
      .type('form')
      .send(validForm({ email: 'b@example.org' }))
      .expect(303);
    expect(rowCount(db)).toBe(2);
  });

  it('a flood of broken forms still meets a ceiling (three times the limit)', async () => {
    const { app } = await buildTestApp({ SIGN_RATE_LIMIT: '1' });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push(
        (
          await request(app)
            .post(SIGN)
            .type('form')
            .send(validForm({ email: 'typo' }))
        ).status,
      );
    expect(statuses).toEqual([422, 422, 422, 429]);
  });
});

describe('GET /campaigns/:slug/thanks', () => {
  it('without the signer’s cookie → 200, the campaign and its count and a way to sign, never “You signed”', async () => {
    const { app } = await buildTestApp();
    const res = await request(app).get('/campaigns/amazon-ring/thanks').expect(200);
    expect(res.text).not.toContain('You signed');
    expect(res.text).not.toContain('Thank you');
    expect(res.text).toContain('<h1>Tell Amazon Ring');
    expect(res.text).toContain('<strong>0</strong> signatures');
    expect(res.text).toContain('href="/campaigns/amazon-ring#sign"');
  });

  it('with a forged cookie → the same neutral page', async () => {
    const { app } = await buildTestApp();
    const res = await request(app).get('/campaigns/amazon-ring/thanks').set('Cookie', 'thanks=QWRh.forged').expect(200);
    expect(res.text).not.toContain('You signed');
    expect(res.text).toContain('href="/campaigns/amazon-ring#sign"');
  });
});
