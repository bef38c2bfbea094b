import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { parseCampaign } from '../src/campaigns/content.js';
import { loadConfig } from '../src/config.js';
import { buildTestApp } from './helpers.js';
import { fixtureCatalog } from './privacy-helpers.js';

const meta = (html: string, property: string) =>
  new RegExp(`<meta (?:property|name)="${property}" content="([^"]*)">`).exec(html)?.[1];

describe('SITE_NAME', () => {
  it('unset → "Undersigned"', () => {
    expect(loadConfig({}).siteName).toBe('Undersigned');
  });

  it('set → the page title, the header and og:site_name carry it', async () => {
    const { app } = await buildTestApp({ SITE_NAME: 'Open Letters Collective' });
    for (const path of ['/campaigns/amazon-ring', '/privacy']) {
      const html = (await request(app).get(path).expect(200)).text;
      expect(html).toMatch(/<title>[^<]* · Open Letters Collective<\/title>/);
      expect(html).toMatch(/<a class="brand" href="\/">.*Open Letters Collective<\/a>/);
      expect(html).not.toMatch(/Undersigned<\/(title|a)>/);
    }
    const html = (await request(app).get('/campaigns/amazon-ring').expect(200)).text;
    expect(meta(html, 'og:site_name')).toBe('Open Letters Collective');
  });

  it('over 60 characters → refused, naming SITE_NAME', () => {
    expect(() => loadConfig({ SITE_NAME: 'x'.repeat(61) })).toThrow(/^SITE_NAME must be at most 60 characters$/);
  });
});

describe('a campaign’s preview image (`image`)', () => {
  const BASE = 'https://sign.example.org';

  it('none → the site’s own image, with its size', async () => {
    const { app } = await buildTestApp({ BASE_URL: BASE });
    const html = (await request(app).get('/campaigns/amazon-ring').expect(200)).text;
    expect(meta(html, 'og:image')).toMatch(/^https:\/\/sign\.example\.org\/static\/img\/social\.[0-9a-f]+\.png$/);
    expect(meta(html, 'og:image:width')).toBe('1200');
  });

  it('an https address → og:image and twitter:image are that address, alt from image_alt', async () => {
    const campaigns = fixtureCatalog({
      'amazon-ring': { image: 'https://cdn.example.net/ring-preview.jpg', imageAlt: 'A doorbell camera' },
    });
    const { app } = await buildTestApp({ BASE_URL: BASE }, {}, { campaigns });
    const html = (await request(app).get('/campaigns/amazon-ring').expect(200)).text;
    expect(meta(html, 'og:image')).toBe('https://cdn.example.net/ring-preview.jpg');
    expect(meta(html, 'twitter:image')).toBe('https://cdn.example.net/ring-preview.jpg');
    expect(meta(html, 'og:image:alt')).toBe('A doorbell camera');
    // The site's image size does not describe someone else's image.
    expect(meta(html, 'og:image:width')).toBeUndefined();
  });

  it('a file under public/ → its fingerprinted address on BASE_URL, which serves the file', async () => {
    const campaigns = fixtureCatalog({ 'amazon-ring': { image: 'img/apple-touch-icon.png', imageAlt: 'The logo' } });
    const { app } = await buildTestApp({ BASE_URL: BASE }, {}, { campaigns });
    const html = (await request(app).get('/campaigns/amazon-ring').expect(200)).text;
    const url = meta(html, 'og:image') ?? '';
    expect(url).toMatch(/^https:\/\/sign\.example\.org\/static\/img\/apple-touch-icon\.[0-9a-f]+\.png$/);
    const served = await request(app).get(url.slice(BASE.length)).expect(200);
    expect(served.headers['content-type']).toBe('image/png');
  });

  const front = (image: string) => `---
slug: test-campaign
title: A test campaign
summary: A summary.
target: The council
goal: 100
form_heading: Sign the letter to the council
share_text: Please sign.
letter: Dear council.
organizer:
  name: Test org
  email: org@example.org
consent:
  version: v1
  text: Send me updates.
image: ${image}
---
Text.
`;

  it('in the campaign file: a path under public/ or an https address is taken; the alt defaults to the title', () => {
    expect(parseCampaign('c.md', front('img/social.png'))).toMatchObject({
      image: 'img/social.png',
      imageAlt: 'A test campaign',
    });
    expect(parseCampaign('c.md', front('/img/social.png')).image).toBe('img/social.png');
    expect(parseCampaign('c.md', front('https://cdn.example.net/a.png')).image).toBe('https://cdn.example.net/a.png');
  });

  it('in the campaign file: a missing file, a path outside public/ or plain http → refused, naming `image`', () => {
    expect(() => parseCampaign('c.md', front('img/typo.png'))).toThrow(
      /^c\.md: `image` names public\/img\/typo\.png, which does not exist$/,
    );
    expect(() => parseCampaign('c.md', front('../package.json'))).toThrow(/^c\.md: `image` must be an https address/);
    expect(() => parseCampaign('c.md', front('http://cdn.example.net/a.png'))).toThrow(
      /^c\.md: `image` must be an https address/,
    );
  });
});
