import { readFileSync } from 'node:fs';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { catalogOf, loadCampaigns, parseCampaign } from '../src/campaigns/content.js';
import { countryList } from '../src/signatures/countries.js';
import { buildTestApp, FIXTURE_CAMPAIGNS, rowCount, validForm } from './helpers.js';

const SIGN = '/campaigns/amazon-ring/signatures';

/** The fixture campaigns, with `default_country` set on the first one. */
function campaignsWithDefaultCountry(code: string) {
  const [first, ...rest] = loadCampaigns(FIXTURE_CAMPAIGNS).all;
  const source = readFixture(first!.file).replace(/^slug:/m, `default_country: ${code}\nslug:`);
  return catalogOf([parseCampaign(first!.file, source), ...rest]);
}
const readFixture = (file: string) => readFileSync(file, 'utf8');

const options = (html: string) =>
  [...html.matchAll(/<option value="([A-Z]{2})"[^>]*>([^<]+)<\/option>/g)].map((m) => ({ code: m[1], name: m[2] }));

describe('the comment box', () => {
  it('GET the campaign page → no maxlength that would cut pasted text; the limit is stated under the box', async () => {
    const { app } = await buildTestApp();
    const { text } = await request(app).get('/').expect(200);
    const textarea = /<textarea[^>]*id="comment"[^>]*>/.exec(text)?.[0] ?? '';
    expect(textarea).not.toBe('');
    expect(textarea).not.toContain('maxlength');
    expect(textarea).toMatch(/aria-describedby="comment-hint comment-info"/);
    expect(text).toMatch(
      /<p class="hint character-count" id="comment-info" data-character-count-info data-max="1000"[^>]*>You can enter up to 1,000 characters<\/p>/,
    );
    expect(text).toContain('data-left="You have %{count} characters left"');
  });

  it('POST a comment over 1,000 characters → 422 with a message, the whole comment given back, nothing stored', async () => {
    const { app, db } = await buildTestApp();
    const comment = `${'word '.repeat(1199)}end.`;
    const res = await request(app).post(SIGN).type('form').send(validForm({ comment })).expect(422);
    expect(res.text).toContain('Your comment must be 1,000 characters or fewer');
    expect(res.text).toContain(`${comment}</textarea>`);
    expect(rowCount(db)).toBe(0);
  });
});

describe('countries', () => {
  it('GET the campaign page of a campaign without default_country → the prompt is chosen, no country is', async () => {
    const { app } = await buildTestApp();
    const { text } = await request(app).get('/').expect(200);
    expect(text).toContain('<option value="" selected>Select your country</option>');
    expect(text.match(/ selected>/g)).toHaveLength(1);
  });

  it('GET the campaign page of a campaign with default_country: GB → the United Kingdom is chosen', async () => {
    const { app } = await buildTestApp({}, {}, { campaigns: campaignsWithDefaultCountry('GB') });
    const { text } = await request(app).get('/campaigns/amazon-ring').expect(200);
    expect(text).toContain('<option value="GB" selected>United Kingdom</option>');
    expect(text).toContain('<option value="">Select your country</option>');
  });

  it('campaign content with a default_country that is not a country → refused, naming the file and field', () => {
    const [first] = loadCampaigns(FIXTURE_CAMPAIGNS).all;
    const source = readFixture(first!.file).replace(/^slug:/m, 'default_country: UK\nslug:');
    expect(() => parseCampaign(first!.file, source)).toThrow(/default_country.*ISO 3166-1/);
  });

  it('GET the campaign page → the names people look for, sorted as they read, so “Ch” reaches China', async () => {
    const { app } = await buildTestApp();
    const list = options((await request(app).get('/').expect(200)).text);
    const names = new Map(list.map((o) => [o.code, o.name]));
    expect(names.get('CN')).toBe('China');
    expect(names.get('MK')).toBe('North Macedonia');
    expect(names.get('TZ')).toBe('Tanzania');
    expect(names.get('MD')).toBe('Moldova');
    expect(names.get('US')).toBe('United States');
    expect(names.get('CI')).toBe('Côte d’Ivoire');
    const sorted = [...list].sort((a, b) => new Intl.Collator('en').compare(a.name!, b.name!));
    expect(list).toEqual(sorted);
    const ch = list.filter((o) => o.name!.startsWith('Ch')).map((o) => o.name);
    expect(ch).toEqual(['Chad', 'Chile', 'China', 'Christmas Island']);
    expect(list.findIndex((o) => o.name === 'Åland Islands')).toBeLessThan(list.findIndex((o) => o.name === 'Albania'));
    expect(list).toHaveLength(250);
  });

  it('countryList(locale) → the same codes named and sorted in another language (the Spanish list later)', () => {
    const spanish = countryList('es');
    expect(spanish.find((c) => c.code === 'US')?.name).toBe('Estados Unidos');
    expect(spanish.find((c) => c.code === 'DE')?.name).toBe('Alemania');
    expect(spanish.map((c) => c.code).sort()).toEqual(
      countryList('en')
        .map((c) => c.code)
        .sort(),
    );
  });

  const postal: [string, Record<string, string>, string][] = [
    [
      'a UK postcode with the United States chosen',
      { country: 'US', postal_code: 'SW1A 1AA' },
      'Enter a ZIP code with 5 digits, like 12345 or 12345-6789, or change the country if you are not in the United States',
    ],
    [
      'no ZIP code with the United States chosen',
      { country: 'US', postal_code: '' },
      'Enter your ZIP code, or change the country if you are not in the United States',
    ],
    [
      'no postcode with the United Kingdom chosen',
      { country: 'GB', postal_code: '' },
      'Enter your postal code, or change the country if you are not in the United Kingdom',
    ],
    [
      'a postal code with symbols with Germany chosen',
      { country: 'DE', postal_code: '10115!' },
      'Enter a postal code using letters, digits, spaces and hyphens, or change the country if you are not in Germany',
    ],
  ];
  for (const [situation, fields, message] of postal) {
    it(`POST ${situation} → 422 naming the country and saying to change it if wrong`, async () => {
      const { app, db } = await buildTestApp();
      const res = await request(app).post(SIGN).type('form').send(validForm(fields)).expect(422);
      expect(res.text).toContain(`<a href="#postal-code">${message}</a>`);
      expect(rowCount(db)).toBe(0);
    });
  }

  it('POST a German 5-digit postcode with no country chosen → 422 asking for the country, not counted as the US', async () => {
    const { app, db } = await buildTestApp();
    const res = await request(app)
      .post(SIGN)
      .type('form')
      .send(validForm({ country: '', postal_code: '10115' }))
      .expect(422);
    expect(res.text).toContain('<a href="#country">Select your country</a>');
    expect(res.text).toContain('value="10115"');
    expect(rowCount(db)).toBe(0);
  });
});
