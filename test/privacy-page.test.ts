import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { catalogOf } from '../src/campaigns/content.js';
import { buildTestApp, validForm } from './helpers.js';
import { buildPrivacyApp, fixtureCatalog } from './privacy-helpers.js';

const SIGNER_EMAIL = 'very.private.person@example.org';

/** The text of a page with tags removed and whitespace collapsed, for reading sentences. */
const words = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('GET /privacy', () => {
  it('GET /privacy → several campaigns → names each organizer, contact, consent wording and retention in plain words', async () => {
    const { app } = await buildTestApp();
    const res = await request(app).get('/privacy');
    expect(res.status).toBe(200);
    const text = words(res.text);
    expect(text).toContain('Who runs each campaign');
    // From each campaign's content file.
    expect(text).toContain('The Undersigned campaign team runs this campaign');
    expect(res.text).toContain('href="mailto:privacy@undersigned.example"');
    expect(text).toContain('Friends of Eastside Library runs this campaign');
    expect(res.text).toContain('href="mailto:friends@eastside.example"');
    expect(text).toContain('Bandstand friends runs this campaign');
    expect(text).toContain('“Send me email updates about this campaign.” (wording 2026-11-28)');
    expect(text).toContain('“Send me updates about the library campaign.” (wording v1)');
    // Open campaigns: kept while open and for retention_months after; closed and past it: erased.
    expect(text).toContain('We keep your details while it runs and for 6 months after it closes');
    expect(text).toContain('This campaign closed on 31 January 2026. The 6 months we keep details for have passed');
    // What is and is not collected, and how to get a copy or have it removed.
    expect(text).toContain('We do not store your internet (IP) address, or anything about your browser or device.');
    expect(text).toContain('Getting a copy, or having it removed');
    expect(text).toContain('Your email address is never shown on this site.');
    expect(res.headers['cache-control']).toContain('public');
  });

  it("GET /privacy → names who can see a campaign's signatures, as the organizer pages enforce it", async () => {
    const { app } = await buildTestApp();
    const text = words((await request(app).get('/privacy').expect(200)).text);
    expect(text).toContain(
      'the people they have given an organizer account for that campaign, and this site’s administrators, who manage those accounts.',
    );
    expect(text).toContain('Organizers of the other campaigns on this site cannot see your signature.');
    expect(text).toContain(
      'Its signatures can be seen only by organizer accounts given this campaign and by this site’s administrators.',
    );
    // test/organizers/access.test.ts holds the organizer pages to these sentences.
  });

  it('GET /privacy → one campaign with an organizer site and a retention still running → says when its data will be erased', async () => {
    const [ring] = fixtureCatalog().all.filter((c) => c.slug === 'amazon-ring');
    if (!ring) throw new Error('fixture amazon-ring missing');
    const campaigns = catalogOf([
      {
        ...ring,
        open: false,
        closedOn: '2026-08-31',
        retentionMonths: 6,
        organizer: { ...ring.organizer, url: 'https://ring-campaign.example/' },
      },
    ]);
    const { app } = await buildPrivacyApp({ campaigns });
    const res = await request(app).get('/privacy');
    const text = words(res.text);
    expect(text).toContain('Who runs this campaign');
    expect(text).not.toContain('Who runs each campaign');
    expect(res.text).toContain('(<a href="https://ring-campaign.example/">https://ring-campaign.example/</a>)');
    // 31 August + 6 months is the last day of February, not 3 March.
    expect(text).toContain(
      'This campaign closed on 31 August 2026. We keep signers’ details for 6 months after that and erase them on 28 February 2027.',
    );
    expect(text).toContain('The campaign page does not list who signed.');
    expect(text).not.toContain('most recent signers, each shown');
  });

  it('GET /privacy → a campaign lists recent signers → the page says so and what is shown', async () => {
    const { app } = await buildPrivacyApp({
      campaigns: fixtureCatalog({ 'library-hours': { showRecentSigners: true } }),
    });
    const text = words((await request(app).get('/privacy')).text);
    expect(text).toContain(
      'its page also lists its most recent signers, each shown only as a first name, the initial of the last name and the country',
    );
    expect(text).toContain(
      'The campaign page lists its most recent signers: first name, the initial of the last name and the country.',
    );
  });

  it('every page → links to /privacy in the footer', async () => {
    const { app } = await buildTestApp();
    const agent = request.agent(app);
    await agent.post('/campaigns/amazon-ring/signatures').type('form').send(validForm());
    for (const path of [
      '/',
      '/campaigns/library-hours',
      '/campaigns/old-campaign',
      '/campaigns/amazon-ring/thanks',
      '/privacy',
      '/no-such-page',
    ]) {
      const res = await agent.get(path);
      expect(res.text, path).toContain('<a href="/privacy">Privacy: what we collect and why</a>');
    }
  });
});

describe('recent signers on a campaign page', () => {
  const sign = (app: Parameters<typeof request>[0], slug: string, overrides: Record<string, string>) =>
    request(app).post(`/campaigns/${slug}/signatures`).type('form').send(validForm(overrides));

  it('GET /campaigns/:slug → show_recent_signers on → first name, last initial and country only, newest first', async () => {
    const { app, clock } = await buildPrivacyApp({
      campaigns: fixtureCatalog({ 'library-hours': { showRecentSigners: true } }),
    });
    await sign(app, 'library-hours', {
      first_name: 'Ada',
      last_name: 'Lovelace',
      email: 'ada@example.org',
      country: 'GB',
      postal_code: 'N1 9GU',
      comment: 'A private thought',
    });
    clock.advance(60_000);
    await sign(app, 'library-hours', {
      first_name: 'Émile',
      last_name: 'ćwik',
      email: 'emile@example.org',
      country: 'FR',
      postal_code: '75001',
    });

    const res = await request(app).get('/campaigns/library-hours');
    expect(res.status).toBe(200);
    // Signers are told before they sign that their name will be listed.
    expect(words(res.text)).toContain(
      'Your first name, last initial and country will appear in the list of recent signers',
    );
    const list = /<section class="recent-signers"[\s\S]*?<\/section>/.exec(res.text)?.[0] ?? '';
    expect(words(list)).toContain('Émile Ć., France Ada L., United Kingdom');
    for (const hidden of [
      'Lovelace',
      'ćwik',
      'ada@example.org',
      'emile@example.org',
      'N1 9GU',
      '75001',
      'A private thought',
    ]) {
      expect(res.text).not.toContain(hidden);
    }
  });

  it('GET /campaigns/:slug → show_recent_signers off (the default) → no list of signers', async () => {
    const { app } = await buildTestApp();
    await sign(app, 'library-hours', { first_name: 'Ada', email: 'ada@example.org' });
    const res = await request(app).get('/campaigns/library-hours');
    expect(res.text).not.toContain('recent-signers');
    expect(res.text).not.toContain('list of recent signers');
    expect(res.text).not.toContain('Ada');
  });

  it('GET /campaigns/:slug → signers anonymised at retention → they drop out of the list', async () => {
    const { app, repos, clock } = await buildPrivacyApp({
      campaigns: fixtureCatalog({ 'library-hours': { showRecentSigners: true } }),
    });
    await sign(app, 'library-hours', { first_name: 'Ada', email: 'ada@example.org' });
    await repos.privacy.anonymiseCampaign('library-hours', clock.now());
    const res = await request(app).get('/campaigns/library-hours');
    expect(res.text).not.toContain('recent-signers');
    expect(res.text).toContain('<strong>1</strong> signature');
  });
});

describe('public pages never show an email address', () => {
  it('every public page and the JSON → after signing → the signer’s email appears nowhere', async () => {
    const { app } = await buildPrivacyApp({
      campaigns: fixtureCatalog({
        'amazon-ring': { showRecentSigners: true },
        'library-hours': { showRecentSigners: true },
      }),
    });
    const agent = request.agent(app);
    await agent
      .post('/campaigns/amazon-ring/signatures')
      .type('form')
      .send(validForm({ email: SIGNER_EMAIL, comment: 'Sent from very.private.person' }));
    await agent
      .post('/campaigns/library-hours/signatures')
      .type('form')
      .send(validForm({ email: SIGNER_EMAIL.toUpperCase() }));
    // A failed form gives the email back to its author only: never stored, never cached.
    const failed = await agent
      .post('/campaigns/amazon-ring/signatures')
      .type('form')
      .send(validForm({ email: SIGNER_EMAIL, first_name: '' }));
    expect(failed.status).toBe(422);
    expect(failed.headers['cache-control']).toBe('no-store');

    const pages = [
      '/',
      '/campaigns/amazon-ring',
      '/campaigns/library-hours',
      '/campaigns/old-campaign',
      '/campaigns/amazon-ring.json',
      '/campaigns/library-hours.json',
      '/campaigns/amazon-ring/thanks',
      '/privacy',
    ];
    for (const path of pages) {
      const res = await agent.get(path);
      expect(res.status, path).toBe(200);
      expect(res.text.toLowerCase(), path).not.toContain('very.private.person@');
      expect(res.text.toLowerCase(), path).not.toContain('very.private.person%40');
    }
    // The list is on, so the signer does appear, as a first name and an initial.
    expect(words((await agent.get('/campaigns/amazon-ring')).text)).toContain('Ada L., United States');
  });
});
