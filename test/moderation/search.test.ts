import { describe, expect, it } from 'vitest';
import { searchQuery as pgSearchQuery } from '../../src/moderation/postgres.js';
import { filterWhere, searchSql } from '../../src/moderation/sqlite.js';
import { parseFilter, type SignatureFilter } from '../../src/moderation/filter.js';
import { buildTestApp, type TestApp } from '../helpers.js';
import { testEngine } from '../postgres/fresh.js';
import { signedIn } from '../organizers/helpers.js';
import { crowd, emailsOn, insertRows, namesOn } from './helpers.js';

const SEARCH = '/organizers/campaigns/amazon-ring/search';

async function seeded(): Promise<{ t: TestApp; agent: Awaited<ReturnType<typeof signedIn>> }> {
  const t = await buildTestApp();
  insertRows(t.db, [
    { first: 'Ada', last: 'Lovelace', email: 'ada@example.org', postcode: 'SW1A 1AA', at: '2026-11-28T09:00:00.000Z' },
    { first: 'Grace', last: 'Hopper', email: 'j.o.h.n+1@gmail.com', postcode: '10001', at: '2026-11-28T10:00:00.000Z' },
    {
      first: 'Alan',
      last: 'Turing',
      email: 'alan@mailinator.com',
      postcode: 'CB2 1TN',
      at: '2026-11-28T10:30:00.000Z',
    },
    {
      first: 'Ada',
      last: 'Byron',
      email: 'ada.b@mailinator.com',
      postcode: 'SW1A 1AA',
      at: '2026-11-28T11:00:00.000Z',
    },
    // Another campaign's signer with the same name and domain never shows.
    {
      first: 'Ada',
      last: 'Lovelace',
      email: 'x@mailinator.com',
      at: '2026-11-28T10:00:00.000Z',
      campaign: 'library-hours',
    },
  ]);
  return { t, agent: await signedIn(t) };
}

describe('GET /organizers/campaigns/:slug/search', () => {
  it('with no field filled → the form, no results', async () => {
    const { agent } = await seeded();
    const page = await agent.get(SEARCH).expect(200);
    expect(page.text).toContain('<h1>Search signatures</h1>');
    expect(page.text).not.toContain('signatures match');
  });

  it.each([
    ['last name, any letter case', { last_name: 'lovelace' }, ['Ada Lovelace']],
    ['first name', { first_name: 'ADA' }, ['Ada Byron', 'Ada Lovelace']],
    ['email, however the provider spells it', { email: 'John@GoogleMail.com' }, ['Grace Hopper']],
    ['email domain', { domain: 'mailinator.com' }, ['Ada Byron', 'Alan Turing']],
    ['email domain written with an @', { domain: '@Mailinator.com' }, ['Ada Byron', 'Alan Turing']],
    ['postal code, any case and spacing', { postcode: 'sw1a  1aa' }, ['Ada Byron', 'Ada Lovelace']],
    ['time window', { from: '2026-11-28T10:00', to: '2026-11-28T11:00' }, ['Alan Turing', 'Grace Hopper']],
    [
      'a whole day',
      { from: '2026-11-28', to: '2026-11-28' },
      ['Ada Byron', 'Alan Turing', 'Grace Hopper', 'Ada Lovelace'],
    ],
    ['every field given must match', { first_name: 'ada', domain: 'mailinator.com' }, ['Ada Byron']],
  ])('by %s → only those, newest first, with the count', async (_, query, names) => {
    const { agent } = await seeded();
    const page = await agent.get(SEARCH).query(query).expect(200);
    expect(namesOn(page.text)).toEqual(names);
    expect(page.text).toContain(names.length === 1 ? '1 signature matches' : `${names.length} signatures match`);
  });

  it('shows each match with its email, postal code and status, and states the rule', async () => {
    const { agent } = await seeded();
    const page = await agent.get(SEARCH).query({ domain: 'mailinator.com', last_name: 'Turing' }).expect(200);
    expect(emailsOn(page.text)).toEqual(['alan@mailinator.com']);
    expect(page.text).toContain('CB2 1TN');
    expect(page.text).toContain('<td>Counted</td>');
    expect(page.text).toContain('last name “Turing”, email domain mailinator.com');
    // The form keeps what was typed.
    expect(page.text).toContain('value="mailinator.com"');
  });

  it('nothing matching → says 0, lists nothing', async () => {
    const { agent } = await seeded();
    const page = await agent.get(SEARCH).query({ last_name: 'Nobody' }).expect(200);
    expect(page.text).toContain('0 signatures match');
    expect(namesOn(page.text)).toEqual([]);
  });

  it.each([
    [{ email: 'not-an-address' }, 'Enter a whole email address, like ann@example.org, or search by its domain'],
    [{ domain: 'no spaces.com' }, 'Enter an email domain, like example.org'],
    [{ from: '2026-13-01' }, 'Enter a date and time like 2026-11-28 14:30 (UTC)'],
    [{ from: '2026-11-28T12:00', to: '2026-11-28T11:00' }, 'The end of the time window must be after its start'],
  ])('%o → 422 with the message, the values kept', async (query, message) => {
    const { agent } = await seeded();
    const page = await agent.get(SEARCH).query(query).expect(422);
    expect(page.text).toContain(message);
    expect(page.text).toContain('<title>Error: Search signatures');
    expect(page.text).toContain(`value="${Object.values(query)[0]}"`);
  });

  it('pages through 120 matches in a crowd of 5,000, 50 at a time, by keyset, each once', async () => {
    const t = await buildTestApp();
    insertRows(t.db, crowd(5000));
    insertRows(
      t.db,
      Array.from({ length: 120 }, (_, i) => ({
        first: 'Bot',
        last: `Number${i}`,
        email: `bot${i}@flood.example`,
        at: new Date(Date.parse('2026-11-01T00:30:00.000Z') + i * 1000).toISOString(),
      })),
    );
    const agent = await signedIn(t);
    const seen: string[] = [];
    let path: string | undefined = `${SEARCH}?domain=flood.example`;
    const sizes: number[] = [];
    while (path) {
      const page: { text: string } = await agent.get(path).expect(200);
      expect(page.text).toContain('120 signatures match');
      const names = namesOn(page.text);
      sizes.push(names.length);
      seen.push(...names);
      path = /href="([^"]+)" rel="next"/.exec(page.text)?.[1]?.replace(/&amp;/g, '&');
    }
    expect(sizes).toEqual([50, 50, 20]);
    expect(new Set(seen).size).toBe(120);
    expect(seen[0]).toBe('Bot Number119');
    expect(seen.at(-1)).toBe('Bot Number0');
  });
});

describe('the search query plan', () => {
  const plan = (t: TestApp, filter: SignatureFilter): string => {
    if (testEngine() === 'postgres') {
      const after = { createdAt: '2026-12-01T00:00:00.000Z', id: 1e9 };
      const { text, values } = pgSearchQuery('amazon-ring', filter, 51, after);
      // `$n` placeholders pass through the test handle untouched; PostgreSQL's plan names its indexes too.
      const rows = t.db.prepare(`EXPLAIN ${text}`).all(...values) as { 'QUERY PLAN': string }[];
      return rows
        .map((r) => r['QUERY PLAN'])
        .join(' | ')
        .replace(/Index (Only )?Scan (Backward )?using (\w+)/g, 'INDEX $3')
        .replace(/Bitmap Index Scan on (\w+)/g, 'INDEX $1')
        .replace(/Seq Scan on signatures/g, 'SCAN signatures');
    }
    const { where, params } = filterWhere('amazon-ring', filter);
    const sql = searchSql(where, true);
    const rows = t.db
      .prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .all({ ...params, limit: 51, afterAt: '2026-12-01T00:00:00.000Z', afterId: 1e9 }) as { detail: string }[];
    return rows.map((r) => r.detail).join(' | ');
  };
  const filter = (query: Record<string, string>): SignatureFilter => {
    const parsed = parseFilter(query);
    if (!parsed.ok) throw new Error('bad filter');
    return parsed.filter;
  };

  it.each([
    [{ email: 'ada@example.org' }, 'signatures_one_per_email'],
    [{ domain: 'example.org' }, 'signatures_search_domain'],
    [{ last_name: 'Lovelace' }, 'signatures_search_last_name'],
    [{ postcode: 'SW1A 1AA' }, 'signatures_search_postal_code'],
    [{ from: '2026-11-01T00:00', to: '2026-11-02T00:00' }, 'signatures_by_campaign_time'],
  ])('%o → searched through %s, never a scan of the table', async (query, index) => {
    const t = await buildTestApp();
    insertRows(t.db, crowd(20_000));
    t.db.exec('ANALYZE');
    const detail = plan(t, filter(query));
    expect(detail).toContain(`INDEX ${index}`);
    expect(detail).not.toMatch(/SCAN signatures(?! USING)/);
  });
});
