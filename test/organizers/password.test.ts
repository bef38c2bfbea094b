import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/organizers/passwords.js';
import { buildTestApp, type TestApp } from '../helpers.js';
import { login, loginToken, ORGANIZER, sessionToken, signedIn } from './helpers.js';

const NEW_PASSWORD = 'a brand new passphrase';

const storedHash = (t: TestApp) =>
  t.db.prepare("SELECT password_hash FROM organizers WHERE email_key = 'ann@example.org'").pluck().get() as string;

/** A second browser signed in to the same account. */
async function elsewhere(t: TestApp) {
  const agent = request.agent(t.app);
  await login(agent, await loginToken(agent)).expect(303);
  await agent.get('/organizers').expect(200);
  return agent;
}

function change(agent: request.Agent, token: string, fields: Record<string, string> = {}) {
  return agent
    .post('/organizers/password')
    .type('form')
    .send({
      csrf: token,
      current_password: ORGANIZER.password,
      new_password: NEW_PASSWORD,
      confirm_password: NEW_PASSWORD,
      ...fields,
    });
}

describe('GET /organizers/password', () => {
  it('signed in → the form, linked from the organizer bar', async () => {
    const t = await buildTestApp();
    const agent = await signedIn(t);
    expect((await agent.get('/organizers').expect(200)).text).toContain('href="/organizers/password"');
    const page = await agent.get('/organizers/password').expect(200);
    expect(page.text).toContain('<h1>Change your password</h1>');
    expect(page.text).toContain('autocomplete="current-password"');
    expect(page.text).toContain('autocomplete="new-password"');
  });

  it('a stranger → sent to sign in', async () => {
    const t = await buildTestApp();
    await request(t.app).get('/organizers/password').expect(303).expect('Location', '/organizers/login');
  });
});

describe('POST /organizers/password', () => {
  it('the current password and a new one → changed, other sessions ended, this browser still signed in', async () => {
    const t = await buildTestApp();
    const agent = await signedIn(t);
    const other = await elsewhere(t);
    const res = await change(agent, await sessionToken(agent)).expect(303);
    expect(res.headers.location).toBe('/organizers/password?changed');
    // A fresh session id for this browser: the old cookie is worth nothing now.
    expect(String(res.headers['set-cookie'])).toMatch(/^session=[A-Za-z0-9_-]{43};/);
    const page = await agent.get('/organizers/password?changed').expect(200);
    expect(page.text).toContain('Your password has been changed.');
    await agent.get('/organizers').expect(200);
    await other.get('/organizers').expect(303).expect('Location', '/organizers/login');
    expect(await verifyPassword(NEW_PASSWORD, storedHash(t))).toBe(true);
    expect(t.db.prepare('SELECT count(*) FROM organizer_sessions').pluck().get()).toBe(1);
    // The new password signs in; the old one no longer does.
    const fresh = request.agent(t.app);
    await login(fresh, await loginToken(fresh), ORGANIZER.email, ORGANIZER.password).expect(401);
    await login(fresh, await loginToken(fresh), ORGANIZER.email, NEW_PASSWORD).expect(303);
  });

  it('a wrong current password → 422 with the message, nothing changed, nobody signed out', async () => {
    const t = await buildTestApp();
    const agent = await signedIn(t);
    const other = await elsewhere(t);
    const before = storedHash(t);
    const res = await change(agent, await sessionToken(agent), { current_password: 'not my password' }).expect(422);
    expect(res.text).toContain('<title>Error: Change your password');
    expect(res.text).toContain('<a href="#current-password">Your current password is not right.</a>');
    expect(res.text).not.toContain(NEW_PASSWORD);
    expect(storedHash(t)).toBe(before);
    await other.get('/organizers').expect(200);
  });

  it('a new password under 12 characters, or two that differ → 422 saying which, nothing changed', async () => {
    const t = await buildTestApp();
    const agent = await signedIn(t);
    const token = await sessionToken(agent);
    const before = storedHash(t);
    const short = await change(agent, token, { new_password: 'short', confirm_password: 'short' }).expect(422);
    expect(short.text).toContain('The password must be at least 12 characters long.');
    const differ = await change(agent, token, { confirm_password: 'a brand new passphrasE' }).expect(422);
    expect(differ.text).toContain('<a href="#confirm-password">The two new passwords are not the same.</a>');
    const empty = await change(agent, token, { current_password: '' }).expect(422);
    expect(empty.text).toContain('Enter your current password.');
    expect(storedHash(t)).toBe(before);
  });

  it('without the session token → 403, nothing changed', async () => {
    const t = await buildTestApp();
    const agent = await signedIn(t);
    const before = storedHash(t);
    await change(agent, 'not-the-token').expect(403);
    expect(storedHash(t)).toBe(before);
  });

  it('wrong current passwords are throttled like sign-in: after 5, the next must wait (429), unchecked', async () => {
    const t = await buildTestApp();
    const agent = await signedIn(t);
    const token = await sessionToken(agent);
    for (let i = 0; i < 5; i++) await change(agent, token, { current_password: `guess number ${i}` }).expect(422);
    // Even the right password is not checked while the account must wait.
    const res = await change(agent, token).expect(429);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.text).toContain('Too many wrong passwords. Wait 1 second and try again.');
    expect(await verifyPassword(ORGANIZER.password, storedHash(t))).toBe(true);
    t.clock.advance(1000);
    await change(agent, token).expect(303);
  });
});
