import { createHash } from 'node:crypto';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers.js';
import { ORGANIZER, addOrganizer, login, loginToken, sessionToken, signedIn, TEST_COST } from './helpers.js';
import { createHashLimit, dummyHashStarted, HashingBusyError, hashPassword } from '../../src/organizers/passwords.js';
import { ACCOUNT_POLICY } from '../../src/organizers/throttle.js';
import { tempDatabase } from '../robustness/server-process.js';

const sessionRows = (t: TestApp) =>
  t.db.prepare('SELECT id_hash, csrf_token FROM organizer_sessions').all() as { id_hash: string; csrf_token: string }[];
const setCookies = (res: request.Response): string[] => {
  const header = res.headers['set-cookie'] as unknown;
  return Array.isArray(header) ? (header as string[]) : typeof header === 'string' ? [header] : [];
};
const cookieValue = (res: request.Response, name: string): string | undefined =>
  setCookies(res)
    .find((c) => c.startsWith(`${name}=`))
    ?.split(';')[0]
    ?.slice(name.length + 1);

/** Every URL an organizer can reach, and how it must answer a stranger. */
const PAGES = [
  '/organizers',
  '/organizers/campaigns/amazon-ring',
  '/organizers/campaigns/amazon-ring?after=2026-11-28T11%3A00%3A00.000Z~5',
  '/organizers/campaigns/old-campaign',
  '/organizers/campaigns/no-such-campaign',
  '/organizers/anything-else',
];
const DOWNLOADS = [
  '/organizers/campaigns/amazon-ring/signatures.csv',
  '/organizers/campaigns/amazon-ring/opted-in.csv',
  '/organizers/campaigns/amazon-ring/signatures.xlsx',
  '/organizers/campaigns/amazon-ring/opted-in.xlsx',
];

async function expectRefused(agent: request.Agent | ReturnType<typeof request>): Promise<void> {
  for (const url of PAGES) {
    const res = await agent.get(url);
    expect(res.status, url).toBe(303);
    expect(res.headers.location, url).toBe('/organizers/login');
    expect(res.headers['cache-control'], url).toBe('no-store');
  }
  for (const url of DOWNLOADS) {
    const res = await agent.get(url);
    expect(res.status, url).toBe(401);
    expect(res.headers['content-type'], url).toMatch(/^text\/html/);
    expect(res.text, url).not.toContain('Lovelace');
  }
}

describe('start-up', () => {
  // First in this file, before any sign-in could have started it.
  it('building the app → the dummy hash for unknown accounts is already being made, not at the first sign-in', async () => {
    expect(dummyHashStarted()).toBe(false);
    await buildTestApp();
    expect(dummyHashStarted()).toBe(true);
  });
});

describe('GET /organizers/login', () => {
  it('signed out → a labelled email and password form with a CSRF token, never cached', async () => {
    const t = await buildTestApp();
    const res = await request(t.app).get('/organizers/login').expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-robots-tag']).toContain('noindex');
    expect(res.text).toMatch(/<label for="email">Email address/);
    expect(res.text).toMatch(/<label for="password">Password<\/label>/);
    expect(res.text).toContain('autocomplete="current-password"');
    expect(res.text).toMatch(/name="csrf" value="[^"]{20,}"/);
    expect(cookieValue(res, 'login-csrf')).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('already signed in → redirected to the overview', async () => {
    const t = await buildTestApp();
    const agent = await signedIn(t);
    await agent.get('/organizers/login').expect(303).expect('Location', '/organizers');
  });
});

describe('POST /organizers/login', () => {
  it('right email and password → 303 to the overview, a session stored only as a hash', async () => {
    const t = await buildTestApp();
    await addOrganizer(t);
    const agent = request.agent(t.app);
    const res = await login(agent, await loginToken(agent))
      .expect(303)
      .expect('Location', '/organizers');
    const id = cookieValue(res, 'session');
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = sessionRows(t);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.id_hash).toBe(
      createHash('sha256')
        .update(id ?? '')
        .digest('hex'),
    );
    expect(JSON.stringify(rows)).not.toContain(id);
    const overview = await agent.get('/organizers').expect(200);
    expect(overview.headers['cache-control']).toBe('no-store');
    expect(overview.text).toContain('Signed in as <strong>ann@example.org</strong>');
  });

  it('email in another letter case and with spaces → signs in to the same account', async () => {
    const t = await buildTestApp();
    await addOrganizer(t);
    const agent = request.agent(t.app);
    await login(agent, await loginToken(agent), '  ANN@Example.ORG ')
      .expect(303)
      .expect('Location', '/organizers');
  });

  it('session cookie over http → HttpOnly, SameSite=Strict, Path=/, not Secure, no lifetime', async () => {
    const t = await buildTestApp();
    await addOrganizer(t);
    const agent = request.agent(t.app);
    const res = await login(agent, await loginToken(agent)).expect(303);
    const cookie = setCookies(res).find((c) => c.startsWith('session='));
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).not.toMatch(/Secure|Max-Age|Expires/);
  });

  it('site served over https → the cookie is __Host-session and Secure', async () => {
    const t = await buildTestApp({ BASE_URL: 'https://petition.example' });
    await addOrganizer(t);
    const form = await request(t.app).get('/organizers/login').expect(200);
    const nonce = cookieValue(form, '__Host-login-csrf');
    const token = /name="csrf" value="([^"]+)"/.exec(form.text)?.[1];
    const res = await request(t.app)
      .post('/organizers/login')
      .set('Cookie', `__Host-login-csrf=${nonce}`)
      .type('form')
      .send({ csrf: token, email: ORGANIZER.email, password: ORGANIZER.password })
      .expect(303);
    const cookie = setCookies(res).find((c) => c.startsWith('__Host-session='));
    expect(cookie).toMatch(/; Path=\/;/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).not.toMatch(/Domain=/);
  });

  it('wrong password and unknown email → the same 401 page, no session', async () => {
    const t = await buildTestApp();
    await addOrganizer(t);
    const agent = request.agent(t.app);
    const token = await loginToken(agent);
    const wrong = await login(agent, token, ORGANIZER.email, 'not the password at all').expect(401);
    const unknown = await login(agent, token, 'nobody@example.org', 'not the password at all').expect(401);
    const empty = await login(agent, token, 'nobody@example.org', '').expect(401);
    const strip = (html: string, email: string) => html.replace(`value="${email}"`, 'value=""');
    expect(strip(wrong.text, ORGANIZER.email)).toBe(strip(unknown.text, 'nobody@example.org'));
    expect(strip(empty.text, 'nobody@example.org')).toBe(strip(unknown.text, 'nobody@example.org'));
    expect(wrong.text).toContain('The email address or password is not right.');
    expect(wrong.text).toContain('<title>Error: Organizer sign-in');
    expect(wrong.headers['cache-control']).toBe('no-store');
    expect(setCookies(wrong).some((c) => c.startsWith('session='))).toBe(false);
    expect(sessionRows(t)).toHaveLength(0);
  });

  it('no CSRF token, or one from another browser → 403 and no session', async () => {
    const t = await buildTestApp();
    await addOrganizer(t);
    const agent = request.agent(t.app);
    await loginToken(agent);
    await agent
      .post('/organizers/login')
      .type('form')
      .send({ email: ORGANIZER.email, password: ORGANIZER.password })
      .expect(403);
    const other = request.agent(t.app);
    const othersToken = await loginToken(other);
    await login(agent, othersToken).expect(403);
    // A token without its cookie (a forged form posted from a page that cannot set our cookie).
    await login(request(t.app), othersToken).expect(403);
    expect(sessionRows(t)).toHaveLength(0);
  });

  it('sent from another site → 403 before anything else', async () => {
    const t = await buildTestApp();
    await addOrganizer(t);
    const agent = request.agent(t.app);
    const token = await loginToken(agent);
    await login(agent, token).set('Sec-Fetch-Site', 'cross-site').expect(403);
    expect(sessionRows(t)).toHaveLength(0);
  });

  it('signing in again → a new session id; the old one no longer works', async () => {
    const t = await buildTestApp();
    await addOrganizer(t);
    const agent = request.agent(t.app);
    const token = await loginToken(agent);
    const first = cookieValue(await login(agent, token).expect(303), 'session');
    const second = cookieValue(await login(agent, token).expect(303), 'session');
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    expect(sessionRows(t)).toHaveLength(1);
    await request(t.app)
      .get('/organizers')
      .set('Cookie', `session=${first}`)
      .expect(303)
      .expect('Location', '/organizers/login');
    await request(t.app).get('/organizers').set('Cookie', `session=${second}`).expect(200);
  });
});

describe('login throttling', () => {
  it('one account: 5 failures free, then each try must wait (429), longer each time', async () => {
    const t = await buildTestApp();
    await addOrganizer(t);
    const agent = request.agent(t.app);
    const token = await loginToken(agent);
    for (let i = 0; i < 5; i++) await login(agent, token, ORGANIZER.email, 'wrong password here').expect(401);
    const slowed = await login(agent, token).expect(429);
    expect(slowed.headers['retry-after']).toBe('1');
    expect(slowed.text).toContain('Too many failed attempts');
    expect(sessionRows(t)).toHaveLength(0);
    t.clock.advance(1000);
    await login(agent, token, ORGANIZER.email, 'wrong password here').expect(401);
    const slower = await login(agent, token).expect(429);
    expect(slower.headers['retry-after']).toBe('2');
    t.clock.advance(2000);
    await login(agent, token).expect(303);
  });

  it('one account from many addresses: refused at 10 failures in 15 minutes, free again once they age out', async () => {
    const t = await buildTestApp({ TRUST_PROXY: '1' });
    await addOrganizer(t);
    const agent = request.agent(t.app);
    const token = await loginToken(agent);
    for (let i = 0; i < 10; i++) {
      // Each guess from its own address, waiting out the back-off: only the account limit applies.
      await login(agent, token, ORGANIZER.email, 'wrong password here')
        .set('X-Forwarded-For', `203.0.113.${i}`)
        .expect(401);
      t.clock.advance(20_000);
    }
    const refused = await login(agent, token).set('X-Forwarded-For', '198.51.100.1').expect(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(60);
    t.clock.advance(15 * 60_000);
    await login(agent, token).set('X-Forwarded-For', '198.51.100.1').expect(303);
  });

  it('one address trying many accounts: refused after 10 failures, even with a right password', async () => {
    const t = await buildTestApp();
    const hash = await hashPassword('the right password', TEST_COST);
    for (let i = 0; i <= 10; i++) await t.repos.organizers.add(`o${i}@example.org`, hash, '2026-11-28T00:00:00.000Z');
    const agent = request.agent(t.app);
    const token = await loginToken(agent);
    for (let i = 0; i < 10; i++) await login(agent, token, `o${i}@example.org`, 'a wrong password').expect(401);
    await login(agent, token, 'o10@example.org', 'the right password').expect(429);
    t.clock.advance(1000);
    await login(agent, token, 'o10@example.org', 'the right password').expect(303);
  });

  it('a success clears the account: the next mistake is free again', async () => {
    const t = await buildTestApp({ TRUST_PROXY: '1' });
    await addOrganizer(t);
    const agent = request.agent(t.app);
    const token = await loginToken(agent);
    for (let i = 0; i < 4; i++)
      await login(agent, token, ORGANIZER.email, 'wrong password here')
        .set('X-Forwarded-For', `203.0.113.${i}`)
        .expect(401);
    await login(agent, token).set('X-Forwarded-For', '198.51.100.1').expect(303);
    for (let i = 0; i < 5; i++)
      await login(agent, token, ORGANIZER.email, 'wrong password here')
        .set('X-Forwarded-For', `203.0.113.${50 + i}`)
        .expect(401);
  });

  it('account held at its limit by someone else → a browser it signed in from before still gets in', async () => {
    const t = await buildTestApp({ TRUST_PROXY: '1' });
    await addOrganizer(t);
    const organizer = request.agent(t.app);
    const token = await loginToken(organizer);
    await login(organizer, token).set('X-Forwarded-For', '198.51.100.1').expect(303);
    expect(
      setCookies(await login(organizer, token).set('X-Forwarded-For', '198.51.100.1')).some((c) =>
        c.startsWith('device='),
      ),
    ).toBe(true);
    const attacker = request.agent(t.app);
    const attackerToken = await loginToken(attacker);
    for (let i = 0; i < 10; i++) {
      await login(attacker, attackerToken, ORGANIZER.email, 'guess number one')
        .set('X-Forwarded-For', `203.0.113.${i}`)
        .expect(401);
      t.clock.advance(20_000);
    }
    await login(attacker, attackerToken).set('X-Forwarded-For', '203.0.113.99').expect(429);
    await login(organizer, token).set('X-Forwarded-For', '198.51.100.1').expect(303);
  });

  it('a device cookie for another account, or a forged one → no way around the account limit', async () => {
    const t = await buildTestApp({ TRUST_PROXY: '1' });
    await addOrganizer(t);
    await addOrganizer(t, 'bob@example.org', 'bobs long password');
    const ann = request.agent(t.app);
    const token = await loginToken(ann);
    await login(ann, token).set('X-Forwarded-For', '198.51.100.1').expect(303);
    const attacker = request.agent(t.app);
    const attackerToken = await loginToken(attacker);
    for (let i = 0; i < 10; i++) {
      await login(attacker, attackerToken, 'bob@example.org', 'guess number one')
        .set('X-Forwarded-For', `203.0.113.${i}`)
        .expect(401);
      t.clock.advance(20_000);
    }
    // Ann's browser holds a device cookie, but for Ann: Bob's account stays throttled for it.
    await login(ann, token, 'bob@example.org', 'bobs long password').set('X-Forwarded-For', '198.51.100.1').expect(429);
    const form = await request(t.app).get('/organizers/login').expect(200);
    const nonce = cookieValue(form, 'login-csrf');
    const formToken = /name="csrf" value="([^"]+)"/.exec(form.text)?.[1];
    await request(t.app)
      .post('/organizers/login')
      .set('Cookie', `login-csrf=${nonce}; device=device|AAAAAAAAAAAAAAAAAAAAAA|bob@example.org.forged`)
      .set('X-Forwarded-For', '198.51.100.2')
      .type('form')
      .send({ csrf: formToken, email: 'bob@example.org', password: 'bobs long password' })
      .expect(429);
  });

  it('5 accounts × 10 guesses sent at once, each from its own address → at most 5 passwords checked per account', async () => {
    const t = await buildTestApp({ TRUST_PROXY: '1' });
    const accounts = ['a', 'b', 'c', 'd', 'e'].map((n) => `${n}@example.org`);
    for (const email of accounts) await addOrganizer(t, email);
    const agent = request.agent(t.app);
    const token = await loginToken(agent);
    let address = 0;
    const answers = await Promise.all(
      accounts.flatMap((email) =>
        Array.from({ length: 10 }, () =>
          login(agent, token, email, 'a wrong password')
            .set('X-Forwarded-For', `203.0.113.${address++}`)
            .then((res) => ({ email, status: res.status })),
        ),
      ),
    );
    for (const email of accounts) {
      const mine = answers.filter((a) => a.email === email);
      // 401 is a password checked and found wrong; 429 was refused before any hashing, and 503
      // waited for a free hasher in vain (never checked either).
      const checked = mine.filter((a) => a.status === 401).length;
      expect(checked, email).toBeGreaterThan(0);
      expect(checked, email).toBeLessThanOrEqual(ACCOUNT_POLICY.freeFailures);
      // And the throttle itself refused some, before any hashing: not only a busy hasher (503) kept
      // the checked ones down. Not "at least 5 refused": a 503 withdraws its attempt, which lets one
      // more guess through (a busy CI machine gave 5 checked, 4 refused and 1 busy).
      expect(mine.filter((a) => a.status === 429).length, email).toBeGreaterThan(0);
      expect(
        mine.every((a) => [401, 429, 503].includes(a.status)),
        email,
      ).toBe(true);
    }
  });

  it('two app processes on one database → failures made on one count on the other', async () => {
    const databasePath = tempDatabase();
    const one = await buildTestApp({}, {}, { databasePath });
    const two = await buildTestApp({}, {}, { databasePath });
    await addOrganizer(one);
    const first = request.agent(one.app);
    const firstToken = await loginToken(first);
    for (let i = 0; i < 5; i++) await login(first, firstToken, ORGANIZER.email, 'wrong password here').expect(401);
    const second = request.agent(two.app);
    await login(second, await loginToken(second)).expect(429);
    // Neither the address nor the email is kept in the database in clear.
    const keys = one.db.prepare('SELECT key_hash FROM login_attempts').pluck().all() as string[];
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.join(' ')).not.toMatch(/ann|example|127\.0|::/);
    one.db.close();
    two.db.close();
  });

  it('the device cookie → names the account by an opaque code, never by its email', async () => {
    const t = await buildTestApp();
    await addOrganizer(t);
    const agent = request.agent(t.app);
    const res = await login(agent, await loginToken(agent)).expect(303);
    const device = decodeURIComponent(cookieValue(res, 'device') ?? '');
    expect(device).toMatch(/^device\|[A-Za-z0-9_-]{22}\|[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
    expect(device.toLowerCase()).not.toContain('ann');
    expect(device).not.toContain('example.org');
  });

  it('password hashes → at most 2 at once, a few more wait their turn, and past that refused before hashing', async () => {
    const limit = createHashLimit(2, 1);
    let running = 0;
    let most = 0;
    const releases: (() => void)[] = [];
    const task = () =>
      new Promise<void>((resolve) => {
        running++;
        most = Math.max(most, running);
        releases.push(() => {
          running--;
          resolve();
        });
      });
    const runs = [limit.run(task), limit.run(task), limit.run(task)];
    await expect(limit.run(task)).rejects.toBeInstanceOf(HashingBusyError);
    expect(running).toBe(2);
    while (releases.length) {
      releases.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(runs);
    expect(most).toBe(2);
  });

  it('LOGIN_RATE_LIMIT → more posts than that in a minute from one address get 429', async () => {
    const t = await buildTestApp({ LOGIN_RATE_LIMIT: '2' });
    await addOrganizer(t);
    const agent = request.agent(t.app);
    const token = await loginToken(agent);
    await login(agent, token, ORGANIZER.email, 'wrong password here').expect(401);
    await login(agent, token, ORGANIZER.email, 'wrong password here').expect(401);
    await login(agent, token).expect(429);
    expect(sessionRows(t)).toHaveLength(0);
  });
});

describe('sessions', () => {
  it('signed out → every organizer page redirects to sign-in and every download answers 401', async () => {
    const t = await buildTestApp();
    await expectRefused(request(t.app));
  });

  it('a made-up or malformed cookie → treated as signed out', async () => {
    const t = await buildTestApp();
    await request(t.app)
      .get('/organizers')
      .set('Cookie', `session=${'A'.repeat(43)}`)
      .expect(303);
    await request(t.app).get('/organizers').set('Cookie', 'session=%E0%A4%A').expect(303);
  });

  it('POST /organizers/logout → ends the session on the server; the old cookie opens nothing', async () => {
    const t = await buildTestApp();
    await addOrganizer(t);
    const agent = request.agent(t.app);
    const id = cookieValue(await login(agent, await loginToken(agent)).expect(303), 'session');
    const token = await sessionToken(agent);
    const out = await agent.post('/organizers/logout').type('form').send({ csrf: token }).expect(303);
    expect(out.headers.location).toBe('/organizers/login?signed-out');
    expect(setCookies(out).find((c) => c.startsWith('session='))).toMatch(/Expires=Thu, 01 Jan 1970/);
    expect(sessionRows(t)).toHaveLength(0);
    await expectRefused(agent);
    await expectRefused(request.agent(t.app).set('Cookie', `session=${id}`));
  });

  it('POST /organizers/logout → the sign-in page confirms it, and says nothing about the account', async () => {
    const t = await buildTestApp();
    const agent = await signedIn(t);
    const out = await agent
      .post('/organizers/logout')
      .type('form')
      .send({ csrf: await sessionToken(agent) })
      .expect(303);
    const page = await agent.get(out.headers.location ?? '').expect(200);
    expect(page.text).toContain('You have signed out.');
    expect(page.text).toMatch(/role="status"/);
    expect(page.text).not.toContain(ORGANIZER.email);
    expect(page.text).toMatch(/id="email" name="email" type="email" value=""/);
    // The plain sign-in page says nothing of the kind.
    expect((await agent.get('/organizers/login').expect(200)).text).not.toContain('signed out');
  });

  it('POST /organizers/logout without the session token → 403, still signed in', async () => {
    const t = await buildTestApp();
    const agent = await signedIn(t);
    await agent.post('/organizers/logout').type('form').send({ csrf: 'forged' }).expect(403);
    await agent.post('/organizers/logout').type('form').send({}).expect(403);
    expect(sessionRows(t)).toHaveLength(1);
    await agent.get('/organizers').expect(200);
  });

  it('idle longer than SESSION_IDLE_MINUTES → signed out; activity keeps it alive', async () => {
    const t = await buildTestApp({ SESSION_IDLE_MINUTES: '30' });
    const agent = await signedIn(t);
    t.clock.advance(25 * 60_000);
    await agent.get('/organizers').expect(200);
    t.clock.advance(25 * 60_000);
    await agent.get('/organizers').expect(200);
    t.clock.advance(31 * 60_000);
    await agent.get('/organizers').expect(303).expect('Location', '/organizers/login');
  });

  it('kept busy for 12 hours → signed out anyway (absolute lifetime)', async () => {
    const t = await buildTestApp();
    const agent = await signedIn(t);
    for (let minutes = 0; minutes < 12 * 60 - 50; minutes += 50) {
      t.clock.advance(50 * 60_000);
      await agent.get('/organizers').expect(200);
    }
    t.clock.advance(50 * 60_000);
    await agent.get('/organizers').expect(303);
  });

  it('password changed → every session of the account ends', async () => {
    const t = await buildTestApp();
    const agent = await signedIn(t);
    await t.repos.organizers.setPassword(
      ORGANIZER.email,
      await hashPassword('a brand new password', TEST_COST),
      '2026-11-28T12:00:00.000Z',
    );
    await agent.get('/organizers').expect(303);
    expect(sessionRows(t)).toHaveLength(0);
  });

  it('account removed → its sessions end with it', async () => {
    const t = await buildTestApp();
    const agent = await signedIn(t);
    await t.repos.organizers.remove(ORGANIZER.email);
    await agent.get('/organizers').expect(303);
    expect(sessionRows(t)).toHaveLength(0);
  });
});
