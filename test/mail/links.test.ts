import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newEmailTokens } from '../../src/mail/tokens.js';
import { buildMailApp, rowsOf, signatureRow, signUp, totals, type MailTestApp } from './harness.js';
import { onlyLink, rawHeader, startSmtp, type TestSmtp } from './smtp.js';

let smtp: TestSmtp;
let t: MailTestApp;

beforeEach(async () => {
  smtp = await startSmtp();
  t = await buildMailApp(smtp.url);
});

afterEach(async () => {
  await t.close();
  await smtp.close();
});

/** Signs, confirms from the email, and returns the confirm link's path. */
async function signedAndConfirmed(overrides: Record<string, string> = {}): Promise<string> {
  await signUp(t, overrides).expect(303);
  const path = onlyLink((await smtp.received(smtp.messages.length + 1)).at(-1)!);
  await request(t.app).post(path).type('form').send({}).expect(303);
  return path;
}

const figures = () => ({
  ...totals(t),
  daily: t.db
    .prepare("SELECT sum(count) FROM signature_counts_daily WHERE campaign_slug = 'amazon-ring'")
    .pluck()
    .get(),
  hourly: t.db
    .prepare("SELECT sum(count) FROM signature_counts_hourly WHERE campaign_slug = 'amazon-ring'")
    .pluck()
    .get(),
  country: t.db
    .prepare("SELECT sum(count) FROM signature_counts_by_country WHERE campaign_slug = 'amazon-ring'")
    .pluck()
    .get(),
});

describe('remove my signature', () => {
  it('GET → a page with a button; POST → the signature and its details are gone and every count goes down', async () => {
    await signedAndConfirmed({ email: 'other@example.org' });
    const path = await signedAndConfirmed({ updates: 'yes' });
    expect(figures()).toEqual({ count: 2, pending: 0, optedIn: 1, daily: 2, hourly: 2, country: 2 });
    const withdraw = path.replace('/confirm/', '/withdraw/');
    const page = await request(t.app).get(withdraw).expect(200);
    expect(page.text).toContain('Remove my signature');
    expect(signatureRow(t, 'ada@example.org')).toBeDefined();

    const done = await request(t.app).post(withdraw).type('form').send({}).expect(303);
    expect(done.headers.location).toBe('/campaigns/amazon-ring/withdrawn');
    expect(figures()).toEqual({ count: 1, pending: 0, optedIn: 0, daily: 1, hourly: 1, country: 1 });
    expect(signatureRow(t, 'ada@example.org')).toBeUndefined();
    expect(rowsOf(t, 'email_tokens').length).toBe(1);
    const json = await request(t.app).get('/campaigns/amazon-ring.json').expect(200);
    expect(json.body.signatureCount).toBe(1);
    const after = await request(t.app).get('/campaigns/amazon-ring/withdrawn').expect(200);
    expect(after.text).toContain('Your signature has been removed');
    // The old link now opens the "does not work" page, with the way to the campaign.
    const gone = await request(t.app).get(path).expect(404);
    expect(gone.text).toContain('This link does not work');
    expect(gone.text).toContain('href="/campaigns/amazon-ring"');
  });

  it('a pending signature → removed without touching the counts', async () => {
    await signUp(t).expect(303);
    const path = onlyLink((await smtp.received(1))[0]!);
    await request(t.app).post(path.replace('/confirm/', '/withdraw/')).type('form').send({}).expect(303);
    expect(totals(t)).toEqual({ count: 0, pending: 0, optedIn: 0 });
    expect(rowsOf(t, 'signatures')).toEqual([]);
  });

  it('the "already signed" email link → removes the signature', async () => {
    await signedAndConfirmed();
    await signUp(t).expect(303);
    const link = onlyLink((await smtp.received(2))[1]!);
    expect(link).toMatch(/\/withdraw\//);
    await request(t.app).post(link).type('form').send({}).expect(303);
    expect(totals(t).count).toBe(0);
  });
});

describe('unsubscribe', () => {
  it('one-click, exactly as a mail provider sends it → off the list, out of the opted-in export', async () => {
    await signedAndConfirmed({ updates: 'yes' });
    const header = rawHeader(smtp.messages[0]!, 'list-unsubscribe') ?? '';
    const url = new URL(header.replace(/^<|>$/g, ''));
    // RFC 8058: a POST of this one field, with no cookie, no Origin and no fetch metadata.
    const res = await request(t.app)
      .post(url.pathname)
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send('List-Unsubscribe=One-Click')
      .expect(200);
    expect(res.text).toBe('Unsubscribed.');
    expect(signatureRow(t, 'ada@example.org')).toMatchObject({ opted_in: 0, status: 'confirmed' });
    expect(signatureRow(t, 'ada@example.org')?.unsubscribed_at).toBe('2026-11-28T12:00:00.000Z');
    expect(totals(t)).toEqual({ count: 1, pending: 0, optedIn: 0 });
    const optedIn = await t.repos.signatures.exportBatches('amazon-ring', { optedInOnly: true });
    const rows = [];
    for await (const batch of optedIn) rows.push(...batch);
    expect(rows).toEqual([]);
  });

  it('one-click from a page on another site → still accepted (the token is the authentication)', async () => {
    await signUp(t, { updates: 'yes' }).expect(303);
    const header = rawHeader((await smtp.received(1))[0]!, 'list-unsubscribe') ?? '';
    await request(t.app)
      .post(new URL(header.replace(/^<|>$/g, '')).pathname)
      .set('Origin', 'https://mail.example')
      .set('Sec-Fetch-Site', 'cross-site')
      .type('form')
      .send('List-Unsubscribe=One-Click')
      .expect(200);
    expect(signatureRow(t, 'ada@example.org')?.opted_in).toBe(0);
  });

  it('GET → a page with a button, nothing changed; the button → off the list, and the page says so', async () => {
    await signUp(t, { updates: 'yes' }).expect(303);
    const header = rawHeader((await smtp.received(1))[0]!, 'list-unsubscribe') ?? '';
    const path = new URL(header.replace(/^<|>$/g, '')).pathname;
    const page = await request(t.app).get(path).expect(200);
    expect(page.text).toContain('Stop sending me updates');
    expect(signatureRow(t, 'ada@example.org')?.opted_in).toBe(1);
    await request(t.app).post(path).type('form').send({}).expect(303);
    const after = await request(t.app).get(path).expect(200);
    expect(after.text).toContain('You will get no more updates');
  });

  it('the unsubscribe token → cannot remove or confirm the signature', async () => {
    await signUp(t, { updates: 'yes' }).expect(303);
    const header = rawHeader((await smtp.received(1))[0]!, 'list-unsubscribe') ?? '';
    const path = new URL(header.replace(/^<|>$/g, '')).pathname;
    await request(t.app).post(path.replace('/unsubscribe/', '/withdraw/')).type('form').send({}).expect(404);
    await request(t.app).post(path.replace('/unsubscribe/', '/confirm/')).type('form').send({}).expect(404);
    expect(signatureRow(t, 'ada@example.org')?.status).toBe('pending');
  });

  it('other POSTs from another site → still refused', async () => {
    await signUp(t).expect(303);
    const path = onlyLink((await smtp.received(1))[0]!);
    await request(t.app).post(path).set('Sec-Fetch-Site', 'cross-site').type('form').send({}).expect(403);
    expect(signatureRow(t, 'ada@example.org')?.status).toBe('pending');
  });
});

describe('links that do not work', () => {
  it('a made-up or mangled token → 404 with a clear message and the campaign, never the bare 404', async () => {
    for (const token of ['x'.repeat(43), 'short', 'A'.repeat(43)]) {
      const res = await request(t.app).get(`/campaigns/amazon-ring/confirm/${token}`).expect(404);
      expect(res.text).toContain('This link does not work');
      expect(res.text).toContain('href="/campaigns/amazon-ring"');
    }
    await request(t.app)
      .post(`/campaigns/amazon-ring/confirm/${'x'.repeat(43)}`)
      .type('form')
      .send({})
      .expect(404);
  });

  it("another campaign's address with a real token → does not work", async () => {
    await signUp(t).expect(303);
    const path = onlyLink((await smtp.received(1))[0]!);
    await request(t.app).post(path.replace('amazon-ring', 'library-hours')).type('form').send({}).expect(404);
    expect(totals(t).count).toBe(0);
  });

  it('a campaign that closed → its links confirm through the next day, then 410 "expired"', async () => {
    await t.close();
    t = await buildMailApp(smtp.url, {
      campaigns: { 'amazon-ring': { confirmEmail: true, open: false, closedOn: '2026-11-27' } },
    });
    // Signed just before it closed (a closed campaign's form refuses new signatures).
    await t.repos.signatures.add({
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: 'ada@example.org',
      country: 'US',
      postalCode: '12345',
      comment: null,
      optedIn: false,
      campaignSlug: 'amazon-ring',
      consentVersion: 'v1',
      sourceHash: null,
      createdAt: new Date('2026-11-27T10:00:00.000Z'),
      confirmation: { tokens: newEmailTokens(), caps: t.config.mail.caps },
    });
    t.sender.wake();
    const path = onlyLink((await smtp.received(1))[0]!);
    await request(t.app).get(path).expect(200);
    t.clock.set('2026-11-29T00:00:00.000Z');
    const expired = await request(t.app).get(path).expect(410);
    expect(expired.text).toContain('This link has expired');
    expect(expired.text).toContain('href="/campaigns/amazon-ring"');
    await request(t.app).post(path).type('form').send({}).expect(410);
    expect(signatureRow(t, 'ada@example.org')?.status).toBe('pending');
  });
});

describe('organizer page', () => {
  it('a campaign that confirms → pending, confirmed, the confirmation rate and the outbox in one line', async () => {
    const { signedIn } = await import('../organizers/helpers.js');
    await t.close();
    t = await buildMailApp(smtp.url, { baseUrl: 'http://petition.example' });
    await signedAndConfirmed();
    await signUp(t, { email: 'pending@example.org' }).expect(303);
    await smtp.received(2);
    await t.drained();
    const agent = await signedIn(t);
    const page = await agent.get('/organizers/campaigns/amazon-ring').expect(200);
    expect(page.text).toMatch(/<dt>Confirmed<\/dt>\s*<dd>1<\/dd>/);
    expect(page.text).toMatch(/<dt>Waiting for confirmation<\/dt>\s*<dd>1<\/dd>/);
    expect(page.text).toMatch(/<dt>Confirmation rate<\/dt>\s*<dd>50%<\/dd>/);
    expect(page.text).toContain('Email: nothing waiting to be sent.');
  });
});
