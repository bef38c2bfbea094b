import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/mail/tokens.js';
import { capturingLogger } from '../privacy-helpers.js';
import { BASE_URL, buildMailApp, signatureRow, signUp, totals, type MailTestApp } from './harness.js';
import { onlyLink, rawHeader, startSmtp, urlsIn, type TestSmtp } from './smtp.js';

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

const tokenOf = (path: string): string => path.split('/').at(-1) as string;

describe('confirmation email', () => {
  it('signing → stored pending, not counted, and one email with the right headers and one link', async () => {
    await signUp(t, { email: 'Ada@Example.org' }).expect(303);
    const [mail] = await smtp.received(1);
    expect(signatureRow(t, 'ada@example.org')).toMatchObject({ status: 'pending', confirmed_at: null, locale: 'en' });
    expect(totals(t)).toEqual({ count: 0, pending: 1, optedIn: 0 });

    expect(mail?.from?.value).toEqual([{ name: 'Undersigned', address: 'mail@petition.example' }]);
    // To the address as typed (mailparser gives the domain in lower case).
    expect(signatureRow(t, 'ada@example.org')?.email).toBe('Ada@Example.org');
    expect(mail?.to && !Array.isArray(mail.to) ? mail.to.text : '').toBe('Ada@example.org');
    expect(mail?.replyTo?.value[0]).toEqual({
      name: 'The Undersigned campaign team',
      address: 'privacy@undersigned.example',
    });
    expect(mail?.subject).toBe('Please confirm your signature: Tell Amazon Ring: stop sharing information with police');
    expect(mail?.headers.get('auto-submitted')).toBe('auto-generated');
    // Not on the updates list: nothing to unsubscribe from.
    expect(rawHeader(mail!, 'list-unsubscribe')).toBeUndefined();
    expect(mail?.text).toContain('Hello Ada,');

    const path = onlyLink(mail!);
    expect(path).toMatch(/^\/campaigns\/amazon-ring\/confirm\/[A-Za-z0-9_-]{43}$/);
    expect(urlsIn(mail?.html || '')).toEqual([BASE_URL + path]);
    // No images or tracking pixels, and the link is our own address as it is.
    expect(mail?.html).not.toMatch(/<img/i);
    expect(mail?.attachments).toEqual([]);
    // Only the token's hash is stored; once sent, the outbox forgets the message's links.
    expect(
      t.db
        .prepare('SELECT count(*) FROM email_tokens WHERE hash = ?')
        .pluck()
        .get(hashToken(tokenOf(path))),
    ).toBe(1);
    await t.drained();
    expect(t.db.prepare('SELECT payload, sent_at IS NOT NULL AS sent FROM mail_outbox').all()).toEqual([
      { payload: null, sent: 1 },
    ]);
  });

  it('opted in → List-Unsubscribe (one-click) headers pointing at an unsubscribe link', async () => {
    await signUp(t, { updates: 'yes' }).expect(303);
    const [mail] = await smtp.received(1);
    expect(rawHeader(mail!, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(rawHeader(mail!, 'list-unsubscribe')).toMatch(
      new RegExp(`^<${BASE_URL}/campaigns/amazon-ring/unsubscribe/[A-Za-z0-9_-]{43}>$`),
    );
    expect(onlyLink(mail!)).toMatch(/\/confirm\//);
  });

  it('GET and HEAD of the link → a page with a button, and nothing confirmed', async () => {
    await signUp(t).expect(303);
    const path = onlyLink((await smtp.received(1))[0]!);
    const page = await request(t.app).get(path).expect(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.text).toContain(`<form class="link-actions" method="post" action="${path}">`);
    expect(page.text).toContain('Confirm my signature');
    await request(t.app).head(path).expect(200);
    await request(t.app).get(path).expect(200);
    expect(signatureRow(t, 'ada@example.org')?.status).toBe('pending');
    expect(totals(t).count).toBe(0);
  });

  it('POST of the button → confirmed and counted; the page after shows the new count and share links', async () => {
    await signUp(t, { updates: 'yes', country: 'FR', postal_code: '75001' }).expect(303);
    const path = onlyLink((await smtp.received(1))[0]!);
    const posted = await request(t.app).post(path).type('form').send({}).expect(303);
    expect(posted.headers.location).toBe(path);
    expect(signatureRow(t, 'ada@example.org')).toMatchObject({
      status: 'confirmed',
      confirmed_at: '2026-11-28T12:00:00.000Z',
    });
    expect(totals(t)).toEqual({ count: 1, pending: 0, optedIn: 1 });
    const day = t.db
      .prepare("SELECT count FROM signature_counts_daily WHERE campaign_slug = 'amazon-ring'")
      .pluck()
      .get();
    const country = t.db.prepare("SELECT count FROM signature_counts_by_country WHERE country = 'FR'").pluck().get();
    expect([day, country]).toEqual([1, 1]);
    const after = await request(t.app).get(path).expect(200);
    expect(after.text).toContain('Your signature is confirmed');
    expect(after.text).toMatch(/<strong>1<\/strong> signature /);
    expect(after.text).toContain('https://wa.me/?text=');
    expect(after.text).toContain('Remove my signature');
    // A second press (a reload that resubmits, a second device) changes nothing.
    await request(t.app).post(path).type('form').send({}).expect(303);
    expect(totals(t).count).toBe(1);
    const json = await request(t.app).get('/campaigns/amazon-ring.json').expect(200);
    expect(json.body.signatureCount).toBe(1);
  });

  it('public count, JSON and progress bar → only confirmed signatures', async () => {
    await signUp(t, { email: 'one@example.org' }).expect(303);
    await signUp(t, { email: 'two@example.org' }).expect(303);
    const [first] = await smtp.received(2);
    await request(t.app).post(onlyLink(first!)).type('form').send({}).expect(303);
    const json = await request(t.app).get('/campaigns/amazon-ring.json').expect(200);
    expect(json.body.signatureCount).toBe(1);
    const page = await request(t.app).get('/campaigns/amazon-ring').expect(200);
    expect(page.text).toMatch(/<strong>1<\/strong> signature /);
  });

  it('the thank-you page → says to check email and the spam folder, and that it counts once confirmed', async () => {
    const signed = await signUp(t).expect(303);
    const cookie = String(signed.headers['set-cookie']);
    const thanks = await request(t.app).get('/campaigns/amazon-ring/thanks').set('Cookie', cookie).expect(200);
    expect(thanks.text).toContain('Now check your email');
    expect(thanks.text).toContain('spam or junk folder');
    expect(thanks.text).toContain('your signature counts once you confirm it');
  });

  it('the request log → the link path with its token cut out', async () => {
    await t.close();
    const captured = capturingLogger();
    t = await buildMailApp(smtp.url, { logger: captured.logger });
    await signUp(t).expect(303);
    const path = onlyLink((await smtp.received(1))[0]!);
    await request(t.app).get(path).expect(200);
    await request(t.app).post(path).type('form').send({}).expect(303);
    expect(captured.text()).not.toContain(tokenOf(path));
    expect(captured.text()).toContain('"path":"/campaigns/amazon-ring/confirm/[token]"');
  });
});

describe('signing again', () => {
  it('pending → the confirmation again, with a new link; both links work', async () => {
    await signUp(t).expect(303);
    await signUp(t, { first_name: 'Mallory' }).expect(303);
    const [one, two] = await smtp.received(2);
    expect(two?.subject).toMatch(/^Please confirm your signature/);
    // Addressed to the name stored first, never to what a second person typed.
    expect(two?.text).toContain('Hello Ada,');
    expect(onlyLink(two!)).not.toBe(onlyLink(one!));
    expect(totals(t)).toEqual({ count: 0, pending: 1, optedIn: 0 });
    await request(t.app).get(onlyLink(one!)).expect(200);
    await request(t.app).post(onlyLink(two!)).type('form').send({}).expect(303);
    expect(totals(t).count).toBe(1);
  });

  it('confirmed → a "you have already signed" email with a link to remove it, and no confirm link', async () => {
    await signUp(t).expect(303);
    await request(t.app)
      .post(onlyLink((await smtp.received(1))[0]!))
      .type('form')
      .send({})
      .expect(303);
    await signUp(t).expect(303);
    const [, again] = await smtp.received(2);
    expect(again?.subject).toBe('You have already signed: Tell Amazon Ring: stop sharing information with police');
    expect(onlyLink(again!)).toMatch(/^\/campaigns\/amazon-ring\/withdraw\//);
    expect(totals(t).count).toBe(1);
  });

  it('every case → the same answer, byte for byte, and the count never moves at signing', async () => {
    const answer = async (overrides: Record<string, string> = {}) => {
      const res = await signUp(t, overrides).expect(303);
      const { date: _date, ...headers } = res.headers;
      return { headers, body: res.text };
    };
    const first = await answer();
    const pendingAgain = await answer();
    await smtp.received(2);
    const json = () =>
      request(t.app)
        .get('/campaigns/amazon-ring.json')
        .then((r) => r.text);
    const before = await json();
    await request(t.app).post(onlyLink(smtp.messages[0]!)).type('form').send({}).expect(303);
    const counted = await json();
    const confirmedAgain = await answer();
    const bot = await answer({ website: 'http://spam.example', email: 'bot@example.org' });
    const stranger = await answer({ email: 'new@example.org' });
    for (const other of [pendingAgain, confirmedAgain, bot, stranger]) expect(other).toEqual(first);
    // Signing (new, repeated, bot) never changes the public figures; only confirming does.
    expect(before).not.toBe(counted);
    expect(await json()).toBe(counted);
  });

  it('a honeypot bot → no email at all', async () => {
    await signUp(t, { website: 'http://spam.example', email: 'bot@example.org' }).expect(303);
    await signUp(t, { email: 'real@example.org' }).expect(303);
    await t.drained();
    expect(smtp.messages.map((m) => (m.to && !Array.isArray(m.to) ? m.to.text : ''))).toEqual(['real@example.org']);
    expect(t.db.prepare("SELECT count(*) FROM signatures WHERE email_key = 'bot@example.org'").pluck().get()).toBe(0);
  });
});

describe('caps', () => {
  it('one signature → at most 5 emails, however often it is signed', async () => {
    for (let i = 0; i < 7; i++) await signUp(t).expect(303);
    await smtp.received(5);
    await t.drained();
    expect(smtp.messages).toHaveLength(5);
    expect(signatureRow(t, 'ada@example.org')?.email_count).toBe(5);
  });

  it('one address → at most the daily cap across campaigns; the next day it may have more', async () => {
    await t.close();
    t = await buildMailApp(smtp.url, { caps: { perSignature: 5, perAddressPerDay: 3 } });
    await signUp(t).expect(303);
    await signUp(t).expect(303);
    await signUp(t, {}, 'library-hours').expect(303);
    await signUp(t, {}, 'library-hours').expect(303);
    await smtp.received(3);
    await t.drained();
    expect(smtp.messages).toHaveLength(3);
    t.clock.advance(24 * 60 * 60 * 1000);
    await signUp(t, {}, 'library-hours').expect(303);
    await smtp.received(4);
  });
});

describe('privacy page', () => {
  it('a campaign that confirms → says what mail is sent, when, from where, and how long pending signatures are kept', async () => {
    const res = await request(t.app).get('/privacy').expect(200);
    expect(res.text).toContain('The emails we send');
    expect(res.text).toContain('The emails come from mail@petition.example');
    expect(res.text).toContain('30 days after you signed');
    expect(res.text).toContain('at most 5 such emails for one signature');
  });
});
