import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers.js';
import { sessionToken, signedIn } from '../organizers/helpers.js';
import { DELIVERY, PEOPLE, buildPackage, countriesOn, namesOn, seed, sha256 } from './helpers.js';

describe('delivery pages signed out', () => {
  it('every organizer delivery URL sends a stranger to sign in, and a download answers 401', async () => {
    const t = await buildTestApp();
    await seed(t);
    const agent = await signedIn(t);
    const pkg = await buildPackage(agent, await sessionToken(agent));
    const stranger = request(t.app);
    for (const url of [DELIVERY, pkg]) {
      const res = await stranger.get(url).expect(303);
      expect(res.headers.location).toBe('/organizers/login');
      expect(res.headers['cache-control']).toBe('no-store');
    }
    const list = await stranger.get(`${pkg}/list.txt`).expect(401);
    expect(list.text).not.toContain('Lovelace');
    await stranger.post(`${DELIVERY}/packages`).type('form').send({ country: 'all' }).expect(303);
    await stranger.post(`${pkg}/delivered`).type('form').send({}).expect(303);
    expect(t.db.prepare('SELECT count(*) FROM delivery_packages').pluck().get()).toBe(1);
    expect(t.db.prepare('SELECT count(*) FROM delivery_packages WHERE delivered_at IS NOT NULL').pluck().get()).toBe(0);
  });

  it('a package of an unknown campaign or an unknown id is a 404', async () => {
    const t = await buildTestApp();
    const agent = await signedIn(t);
    await agent.get('/organizers/campaigns/no-such/delivery').expect(404);
    await agent.get(`${DELIVERY}/packages/99`).expect(404);
    await agent.get(`${DELIVERY}/packages/abc`).expect(404);
  });
});

describe('GET /organizers/campaigns/:slug/delivery', () => {
  it('offers every country and each country with its count, and no package yet', async () => {
    const t = await buildTestApp();
    await seed(t);
    const agent = await signedIn(t);
    const res = await agent.get(DELIVERY).expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toContain('<option value="all" selected>Every country (6)</option>');
    expect(res.text).toContain('<option value="FR">France (2)</option>');
    expect(res.text).toContain('<option value="US">United States (3)</option>');
    expect(res.text).toContain('No package has been built yet.');
  });

  it('a campaign with nothing to deliver says so and offers no form', async () => {
    const t = await buildTestApp();
    const agent = await signedIn(t);
    const res = await agent.get(DELIVERY).expect(200);
    expect(res.text).toContain('nothing to deliver');
    expect(res.text).not.toContain('Build the package</button>');
  });
});

describe('POST /organizers/campaigns/:slug/delivery/packages', () => {
  it('records the package (who, when, scope, count, digest) and redirects to it', async () => {
    const t = await buildTestApp();
    await seed(t);
    const agent = await signedIn(t);
    const path = await buildPackage(agent, await sessionToken(agent));
    const row = t.db.prepare('SELECT * FROM delivery_packages').get() as Record<string, unknown>;
    expect(row).toMatchObject({
      campaign_slug: 'amazon-ring',
      country: null,
      with_comments: 0,
      signer_count: 6,
      built_by: 'ann@example.org',
      built_at: '2026-11-28T12:00:00.000Z',
      delivered_at: null,
    });
    expect(row.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(path).toBe(`${DELIVERY}/packages/${String(row.id)}`);
  });

  it('without the session token → 403 and nothing recorded', async () => {
    const t = await buildTestApp();
    await seed(t);
    const agent = await signedIn(t);
    await agent.post(`${DELIVERY}/packages`).type('form').send({ country: 'all' }).expect(403);
    expect(t.db.prepare('SELECT count(*) FROM delivery_packages').pluck().get()).toBe(0);
  });

  it('a country that is not a code, or has no signatures → 422 with the message, nothing recorded', async () => {
    const t = await buildTestApp();
    await seed(t);
    const agent = await signedIn(t);
    const token = await sessionToken(agent);
    for (const country of ['<script>', 'DE', '']) {
      const res = await agent.post(`${DELIVERY}/packages`).type('form').send({ csrf: token, country }).expect(422);
      expect(res.text).toContain('<title>Error: Deliver the letter');
      expect(res.text).toMatch(/class="field-error" id="country-error"/);
      expect(res.text).not.toContain('&lt;script&gt;</option>');
    }
    expect(t.db.prepare('SELECT count(*) FROM delivery_packages').pluck().get()).toBe(0);
  });
});

describe('GET a delivery package', () => {
  it('shows the letter, the target, the count, the date and the digest', async () => {
    const t = await buildTestApp();
    await seed(t);
    const agent = await signedIn(t);
    const res = await agent.get(await buildPackage(agent, await sessionToken(agent))).expect(200);
    const digest = t.db.prepare('SELECT digest FROM delivery_packages').pluck().get() as string;
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toContain('A letter to Amazon Ring');
    expect(res.text).toContain('You paused police use of Rekognition');
    expect(res.text).toContain('<dt>Signed by</dt><dd>6 people</dd>');
    expect(res.text).toContain('28 November 2026');
    expect(res.text.split(digest).length - 1).toBe(2); // on the cover and under the list
    expect(res.text).toContain('Mark as delivered</button>');
  });

  it('lists names as "Last, First", grouped by country (by name) and sorted as a reader looks them up', async () => {
    const t = await buildTestApp();
    await seed(t);
    const agent = await signedIn(t);
    const res = await agent.get(await buildPackage(agent, await sessionToken(agent))).expect(200);
    expect(countriesOn(res.text)).toEqual(['FR', 'GB', 'US']);
    expect(res.text).toMatch(/<h3 id="country-US">United States <span class="delivery-country-count">\(3\)<\/span>/);
    // Accents and letter case do not move a name away from its letter (code-point order would put
    // "hopper" after "Baker" and "Álvarez" last).
    expect(namesOn(res.text)).toEqual([
      'Curie, Marie',
      'Zola, Émile',
      'Lovelace, Ada',
      'Álvarez, Ángel',
      'Baker, Zoë',
      'hopper, grace',
    ]);
  });

  it('shows no email address, postal code or comment unless comments are asked for', async () => {
    const t = await buildTestApp();
    await seed(t, PEOPLE.slice(0, 1), { comment: 'Please <b>listen</b>' });
    const agent = await signedIn(t);
    const token = await sessionToken(agent);
    const plain = await agent.get(await buildPackage(agent, token)).expect(200);
    expect(plain.text).toContain('Lovelace, Ada');
    expect(plain.text).not.toContain('ada@example.org');
    expect(plain.text).not.toContain('SW1A');
    expect(plain.text).not.toContain('listen');
    const withComments = await agent.get(await buildPackage(agent, token, { country: 'all', comments: 'yes' }));
    expect(withComments.text).toContain('<span class="delivery-comment">Please &lt;b&gt;listen&lt;/b&gt;</span>');
    expect(withComments.text).not.toContain('ada@example.org');
  });

  it('a package of one country lists only that country', async () => {
    const t = await buildTestApp();
    await seed(t);
    const agent = await signedIn(t);
    const res = await agent.get(await buildPackage(agent, await sessionToken(agent), { country: 'FR' }));
    expect(countriesOn(res.text)).toEqual(['FR']);
    expect(namesOn(res.text)).toEqual(['Curie, Marie', 'Zola, Émile']);
    expect(res.text).toContain('<dt>Names from</dt><dd>France</dd>');
  });

  it('leaves out signatures made after it was built', async () => {
    const t = await buildTestApp();
    await seed(t);
    const agent = await signedIn(t);
    const path = await buildPackage(agent, await sessionToken(agent));
    await seed(t, [{ ...PEOPLE[0], email: 'late@example.org', firstName: 'Late', lastName: 'Comer' }] as typeof PEOPLE);
    const res = await agent.get(path).expect(200);
    expect(res.text).not.toContain('Comer');
    expect(res.text).toContain('Mark as delivered</button>');
  });

  it('leaves out signatures still waiting for their email confirmation', async () => {
    const t = await buildTestApp();
    await seed(t);
    t.db
      .prepare(
        `INSERT INTO signatures (campaign_slug, first_name, last_name, email, email_key, country, opted_in,
                                 consent_version, created_at, status)
         VALUES ('amazon-ring', 'Pat', 'Pending', 'pat@example.org', 'pat@example.org', 'US', 0, 'v1', ?, 'pending')`,
      )
      .run('2026-11-28T11:00:00.000Z');
    const agent = await signedIn(t);
    const path = await buildPackage(agent, await sessionToken(agent));
    const res = await agent.get(path).expect(200);
    expect(res.text).not.toContain('Pending');
    expect(res.text).toContain('<dt>Signed by</dt><dd>6 people</dd>');
    expect((await agent.get(`${path}/list.txt`).expect(200)).text).not.toContain('Pending');
  });

  it('after a signature in it is erased, warns that the list changed and offers no delivery', async () => {
    const t = await buildTestApp();
    await seed(t);
    const agent = await signedIn(t);
    const path = await buildPackage(agent, await sessionToken(agent));
    t.db.prepare("DELETE FROM signatures WHERE email = 'zoe@example.org'").run();
    const res = await agent.get(path).expect(200);
    expect(res.text).not.toContain('Baker, Zoë');
    expect(res.text).toContain('This list is no longer the one this package was built with.');
    expect(res.text).not.toContain('Mark as delivered</button>');
  });
});

describe('GET a package list.txt (the canonical list)', () => {
  it('is the list the recorded digest was taken over, one "Last, First<TAB>CC" line per signer', async () => {
    const t = await buildTestApp();
    await seed(t);
    const agent = await signedIn(t);
    const path = await buildPackage(agent, await sessionToken(agent));
    const res = await agent.get(`${path}/list.txt`).buffer(true).expect(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="amazon-ring-package-\d+\.txt"$/);
    const text = res.text;
    expect(text).toBe(
      'Curie, Marie\tFR\nZola, Émile\tFR\nLovelace, Ada\tGB\nÁlvarez, Ángel\tUS\nBaker, Zoë\tUS\nhopper, grace\tUS\n',
    );
    const recorded = t.db.prepare('SELECT digest FROM delivery_packages').pluck().get();
    expect(sha256(Buffer.from(text, 'utf8'))).toBe(recorded);
  });

  it('a list with one name changed, added or removed no longer matches the digest', async () => {
    const t = await buildTestApp();
    await seed(t);
    const agent = await signedIn(t);
    const path = await buildPackage(agent, await sessionToken(agent));
    const text = (await agent.get(`${path}/list.txt`).expect(200)).text;
    const recorded = t.db.prepare('SELECT digest FROM delivery_packages').pluck().get();
    expect(sha256(text)).toBe(recorded);
    expect(sha256(text.replace('Baker, Zoë', 'Baker, Zoe'))).not.toBe(recorded);
    expect(sha256(text.replace('Lovelace, Ada\tGB\n', ''))).not.toBe(recorded);
    expect(sha256(`${text}Smith, John\tUS\n`)).not.toBe(recorded);
  });
});
