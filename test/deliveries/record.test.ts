import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers.js';
import { sessionToken, signedIn } from '../organizers/helpers.js';
import { buildPackage, seed, sha256 } from './helpers.js';

const PUBLIC = '/campaigns/amazon-ring/deliveries';

async function delivered(t: TestApp) {
  await seed(t);
  const agent = await signedIn(t);
  const token = await sessionToken(agent);
  const path = await buildPackage(agent, token);
  const id = Number(path.split('/').at(-1));
  t.clock.set('2026-11-28T12:30:00.000Z');
  await agent
    .post(`${path}/delivered`)
    .type('form')
    .send({ csrf: token })
    .expect(303)
    .expect('Location', `${path}#delivered`);
  return { agent, token, path, id };
}

describe('POST a package delivered', () => {
  it('records who delivered it and when, and the package page then says so', async () => {
    const t = await buildTestApp();
    const { agent, path, id } = await delivered(t);
    const row = t.db.prepare('SELECT delivered_by, delivered_at FROM delivery_packages WHERE id = ?').get(id);
    expect(row).toEqual({ delivered_by: 'ann@example.org', delivered_at: '2026-11-28T12:30:00.000Z' });
    const page = await agent.get(path).expect(200);
    expect(page.text).toContain(
      'Delivered <time datetime="2026-11-28T12:30:00.000Z">28 November 2026, 12:30 UTC</time>',
    );
    expect(page.text).not.toContain('Mark as delivered</button>');
  });

  it('a second press leaves the first record as it was', async () => {
    const t = await buildTestApp();
    const { agent, token, path, id } = await delivered(t);
    t.clock.set('2026-11-28T12:40:00.000Z');
    await agent.post(`${path}/delivered`).type('form').send({ csrf: token }).expect(303);
    const at = t.db.prepare('SELECT delivered_at FROM delivery_packages WHERE id = ?').pluck().get(id);
    expect(at).toBe('2026-11-28T12:30:00.000Z');
  });

  it('without the session token → 403 and not delivered', async () => {
    const t = await buildTestApp();
    await seed(t);
    const agent = await signedIn(t);
    const path = await buildPackage(agent, await sessionToken(agent));
    await agent.post(`${path}/delivered`).type('form').send({ csrf: 'wrong' }).expect(403);
    expect(t.db.prepare('SELECT delivered_at FROM delivery_packages').pluck().get()).toBeNull();
  });

  it('a delivered package can be neither changed nor deleted, whatever code tries', async () => {
    const t = await buildTestApp();
    const { id } = await delivered(t);
    expect(() => t.db.prepare('UPDATE delivery_packages SET digest = ? WHERE id = ?').run('0'.repeat(64), id)).toThrow(
      /never changes/,
    );
    expect(() =>
      t.db.prepare('UPDATE delivery_packages SET delivered_at = NULL, delivered_by = NULL WHERE id = ?').run(id),
    ).toThrow(/stays as it was/);
    expect(() => t.db.prepare('DELETE FROM delivery_packages WHERE id = ?').run(id)).toThrow(/never deleted/);
  });

  it('shows on the organizer count page, with a link to the public record', async () => {
    const t = await buildTestApp();
    const { agent, id } = await delivered(t);
    const page = await agent.get('/organizers/campaigns/amazon-ring').expect(200);
    expect(page.text).toContain('<h2 id="deliveries-heading">Delivery</h2>');
    expect(page.text).toContain(`>Package ${id}</a>`);
    expect(page.text).toContain(`<a href="${PUBLIC}/${id}">public record</a>`);
    expect(page.text).toContain('href="/organizers/campaigns/amazon-ring/delivery"');
  });
});

describe('the public delivery record', () => {
  it('GET /campaigns/:slug/deliveries lists each delivered package: time, scope, count and digest, no names', async () => {
    const t = await buildTestApp();
    const { id } = await delivered(t);
    const digest = t.db.prepare('SELECT digest FROM delivery_packages').pluck().get() as string;
    const res = await request(t.app).get(PUBLIC).expect(200);
    expect(res.headers['cache-control']).toMatch(/^public/);
    expect(res.text).toContain(`<a href="${PUBLIC}/${id}"><time datetime="2026-11-28T12:30:00.000Z">`);
    expect(res.text).toContain(digest);
    expect(res.text).toContain('<td class="delivery-num">6</td>');
    for (const secret of ['Lovelace', 'ada@example.org', 'ann@example.org']) expect(res.text).not.toContain(secret);
  });

  it('GET /campaigns/:slug/deliveries/:id shows the digest, the count, the time and how to check a list', async () => {
    const t = await buildTestApp();
    const { agent, path, id } = await delivered(t);
    const res = await request(t.app).get(`${PUBLIC}/${id}`).expect(200);
    const list = (await agent.get(`${path}/list.txt`).expect(200)).text;
    // What a target does: hash the list they were given, and find that digest on the public page.
    expect(res.text).toContain(`<code class="delivery-digest">${sha256(list)}</code>`);
    expect(res.text).toContain('<dt>Number of names</dt><dd>6</dd>');
    expect(res.text).toContain('sha256sum amazon-ring-package-');
    for (const secret of ['Lovelace', 'ada@example.org', 'ann@example.org']) expect(res.text).not.toContain(secret);
  });

  it('a package built but not delivered is not public (404), and the list says none was delivered', async () => {
    const t = await buildTestApp();
    await seed(t);
    const agent = await signedIn(t);
    const path = await buildPackage(agent, await sessionToken(agent));
    await request(t.app)
      .get(`${PUBLIC}/${path.split('/').at(-1)}`)
      .expect(404);
    const list = await request(t.app).get(PUBLIC).expect(200);
    expect(list.text).toContain('The letter has not been delivered yet.');
    await request(t.app).get('/campaigns/no-such/deliveries').expect(404);
  });
});

describe('GET /privacy with a delivered package', () => {
  it('links the campaign’s delivery record, and only once one is delivered', async () => {
    const t = await buildTestApp();
    await seed(t);
    const agent = await signedIn(t);
    const token = await sessionToken(agent);
    const path = await buildPackage(agent, token);
    const before = await request(t.app).get('/privacy').expect(200);
    expect(before.text).not.toContain(`href="${PUBLIC}"`);
    await agent.post(`${path}/delivered`).type('form').send({ csrf: token }).expect(303);
    const after = await request(t.app).get('/privacy').expect(200);
    expect(after.text).toContain(`<a href="${PUBLIC}">The delivery record</a>`);
    expect(after.text.match(/The delivery record<\/a>/g)).toHaveLength(1);
  });
});
