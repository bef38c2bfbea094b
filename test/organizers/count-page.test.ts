import { describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers.js';
import { signature, signedIn } from './helpers.js';

/** The cells of each body row of the table whose caption starts with `caption`, as plain text. */
function tableRows(html: string, caption: string): string[][] {
  const start = html.search(new RegExp(`<caption[^>]*>${caption}`));
  if (start < 0) throw new Error(`no table captioned "${caption}"`);
  const table = html.slice(start, html.indexOf('</table>', start));
  const body = table.slice(table.indexOf('<tbody>'));
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...(row[1] ?? '').matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) =>
      (cell[1] ?? '').replace(/<[^>]+>/g, '').trim(),
    ),
  );
}

const text = (html: string): string => html.replace(/<[^>]+>/g, '').trim();

/**
 * The recent list as [name, country, time, comment] per signer, whichever page it is: a comment is
 * the row under its signer's (its "Comment: " is for screen readers).
 */
function recentRows(html: string): string[][] {
  const start = html.search(/<caption id="recent-caption">/);
  if (start < 0) throw new Error('no recent signatures table');
  const body = html.slice(html.indexOf('<tbody>', start), html.indexOf('</tbody>', start));
  const rows: string[][] = [];
  for (const row of body.matchAll(/<tr( class="[^"]*")?>([\s\S]*?)<\/tr>/g)) {
    const cells = [...(row[2] ?? '').matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => text(c[1] ?? ''));
    if (row[1]?.includes('org-recent-comment')) rows.at(-1)?.splice(3, 1, (cells[0] ?? '').replace(/^Comment: /, ''));
    else rows.push([...cells, '']);
  }
  return rows;
}

/** The names in the recent list, whichever page it is. */
const recentNames = (html: string): string[] => recentRows(html).map((r) => r[0] ?? '');

/** The overview's cards as [title, status, signatures, goal, progress]. */
const campaignCards = (html: string): string[][] =>
  [...html.matchAll(/<li class="org-campaign">([\s\S]*?)<\/li>/g)].map((card) => [
    text(/<h2[^>]*>([\s\S]*?)<\/h2>/.exec(card[1] ?? '')?.[1] ?? ''),
    text(/<p class="org-campaign-status[^"]*">([\s\S]*?)<\/p>/.exec(card[1] ?? '')?.[1] ?? ''),
    ...[...(card[1] ?? '').matchAll(/<dd>([\s\S]*?)<\/dd>/g)].map((d) => text(d[1] ?? '')),
  ]);

/** The pager's link with this rel ("next" is older, "prev" newer), as a path to request. */
const link = (html: string, rel: 'next' | 'prev'): string | undefined =>
  new RegExp(`<a href="([^"]+)" rel="${rel}">`).exec(html)?.[1]?.replace(/&amp;/g, '&');

const stat = (html: string, label: string): string | undefined =>
  new RegExp(`<dt>${label.replace(/[()]/g, '\\$&')}</dt>\\s*<dd>([^<]*)</dd>`).exec(html)?.[1];

/**
 * A known set under the fixed clock (NOW = 2026-11-28T12:00Z):
 * 9 signatures on amazon-ring over nine days, 3 opted in, and one on another campaign.
 */
async function seed(t: TestApp): Promise<void> {
  const at = (iso: string, country: string, optedIn = false, extra = {}) =>
    t.repos.signatures.add(signature({ createdAt: new Date(iso), country, optedIn, ...extra }));
  await at('2026-11-20T09:00:00.000Z', 'US'); // 8 days ago: outside the 7 days
  await at('2026-11-20T09:30:00.000Z', 'US');
  await at('2026-11-22T10:00:00.000Z', 'FR', true); // first of the 7 days
  await at('2026-11-27T11:30:00.000Z', 'GB'); // 24.5 hours ago: outside the 24 hours
  await at('2026-11-27T12:30:00.000Z', 'GB'); // 23.5 hours ago: inside
  await at('2026-11-27T13:10:00.000Z', 'DE', true);
  await at('2026-11-28T00:05:00.000Z', 'US', true);
  await at('2026-11-28T00:06:00.000Z', 'US');
  await at('2026-11-28T11:59:00.000Z', 'FR', false, {
    firstName: 'Zoë',
    lastName: 'Đặng',
    comment: 'Stop it <now> & "forever"',
  });
  await t.repos.signatures.add(
    signature({ campaignSlug: 'library-hours', country: 'JP', createdAt: new Date('2026-11-28T11:00:00.000Z') }),
  );
}

describe('GET /organizers', () => {
  it('signed in → every campaign with its count, goal and status', async () => {
    const t = await buildTestApp();
    await seed(t);
    const agent = await signedIn(t);
    const res = await agent.get('/organizers').expect(200);
    const rows = campaignCards(res.text);
    expect(rows).toHaveLength(t.campaigns.all.length);
    expect(rows).toContainEqual([
      'Tell Amazon Ring: stop sharing information with police',
      'Open',
      '9',
      '20,000',
      '0%',
    ]);
    expect(rows).toContainEqual(['Keep the Eastside library open on Sundays', 'Open', '1', '500', '0%']);
    expect(rows).toContainEqual(['Save the old bandstand', 'Closed', '0', '100', '0%']);
    expect(res.text).toContain('href="/organizers/campaigns/amazon-ring"');
  });
});

describe('GET /organizers/campaigns/:slug', () => {
  it('known signatures under a fixed clock → total, today, 24 hours, 7 days and opt-ins', async () => {
    const t = await buildTestApp();
    await seed(t);
    const agent = await signedIn(t);
    const res = await agent.get('/organizers/campaigns/amazon-ring').expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toContain('<strong>9</strong> signatures');
    expect(res.text).toContain('of 20,000 goal');
    expect(stat(res.text, 'Today (UTC)')).toBe('3');
    expect(stat(res.text, 'Last 24 hours')).toBe('5');
    expect(stat(res.text, 'Last 7 days (UTC)')).toBe('7');
    expect(stat(res.text, 'Opted in to updates')).toBe('3');
  });

  it('clock at 12:40 → "last 24 hours" starts at 12:40 yesterday, not at a whole hour', async () => {
    const t = await buildTestApp();
    await seed(t);
    t.clock.set('2026-11-28T12:40:00.000Z');
    const agent = await signedIn(t);
    const res = await agent.get('/organizers/campaigns/amazon-ring').expect(200);
    // 27 Nov 12:30 has just left the window; 13:10 has not.
    expect(stat(res.text, 'Last 24 hours')).toBe('4');
    t.clock.set('2026-11-29T00:05:30.000Z');
    // Nearly 12 hours on, the session has idled out: sign in again.
    const tomorrow = await (await signedIn(t)).get('/organizers/campaigns/amazon-ring').expect(200);
    expect(stat(tomorrow.text, 'Today (UTC)')).toBe('0');
    expect(stat(tomorrow.text, 'Last 24 hours')).toBe('2');
  });

  it('per-day table → every day from the first signature to today, zeros included', async () => {
    const t = await buildTestApp();
    await seed(t);
    const agent = await signedIn(t);
    const res = await agent.get('/organizers/campaigns/amazon-ring').expect(200);
    expect(tableRows(res.text, 'Signatures per day')).toEqual([
      ['20 November 2026', '2'],
      ['21 November 2026', '0'],
      ['22 November 2026', '1'],
      ['23 November 2026', '0'],
      ['24 November 2026', '0'],
      ['25 November 2026', '0'],
      ['26 November 2026', '0'],
      ['27 November 2026', '3'],
      ['28 November 2026', '3'],
    ]);
    expect(res.text).toContain('<time datetime="2026-11-20">20 November 2026</time>');
  });

  it('per-hour table → the 48 hours up to now, UTC', async () => {
    const t = await buildTestApp();
    await seed(t);
    const agent = await signedIn(t);
    const res = await agent.get('/organizers/campaigns/amazon-ring').expect(200);
    const rows = tableRows(res.text, 'Signatures per hour');
    expect(rows).toHaveLength(48);
    expect(rows[0]).toEqual(['26 Nov, 13:00 UTC', '0']);
    expect(rows.at(-1)).toEqual(['28 Nov, 12:00 UTC', '0']);
    expect(rows.filter((r) => r[1] !== '0')).toEqual([
      ['27 Nov, 11:00 UTC', '1'],
      ['27 Nov, 12:00 UTC', '1'],
      ['27 Nov, 13:00 UTC', '1'],
      ['28 Nov, 00:00 UTC', '2'],
      ['28 Nov, 11:00 UTC', '1'],
    ]);
  });

  it('charts → inline SVG with an accessible name, one bar per non-empty period, no style attributes', async () => {
    const t = await buildTestApp();
    await seed(t);
    const agent = await signedIn(t);
    const res = await agent.get('/organizers/campaigns/amazon-ring').expect(200);
    const daily = /<svg[^>]*id="chart-daily"[\s\S]*?<\/svg>/.exec(res.text)?.[0] ?? '';
    const hourly = /<svg[^>]*id="chart-hourly"[\s\S]*?<\/svg>/.exec(res.text)?.[0] ?? '';
    expect(daily).toMatch(/role="img" aria-labelledby="chart-daily-title"/);
    expect(daily).toContain('9 in total');
    expect(daily.match(/<rect /g)).toHaveLength(4);
    expect(hourly.match(/<rect /g)).toHaveLength(5);
    expect(res.text).not.toMatch(/\sstyle=/);
    expect(res.text).not.toMatch(/<script(?![^>]*\ssrc=)/);
  });

  it('by country → largest first, ties by code, with names', async () => {
    const t = await buildTestApp();
    await seed(t);
    const agent = await signedIn(t);
    const res = await agent.get('/organizers/campaigns/amazon-ring').expect(200);
    expect(tableRows(res.text, 'Signatures by country')).toEqual([
      ['United States', '4', '44.4%'],
      ['France', '2', '22.2%'],
      [expect.stringMatching(/^United Kingdom/), '2', '22.2%'],
      ['Germany', '1', '11.1%'],
    ]);
    expect(res.text).not.toContain('Japan');
  });

  it('recent signatures → newest first with name, country, time and comment, escaped', async () => {
    const t = await buildTestApp();
    await seed(t);
    const agent = await signedIn(t);
    const res = await agent.get('/organizers/campaigns/amazon-ring').expect(200);
    const rows = recentRows(res.text);
    expect(rows).toHaveLength(9);
    expect(rows[0]).toEqual([
      'Zoë Đặng',
      'France',
      '28 Nov 2026, 11:59 UTC',
      'Stop it &lt;now&gt; &amp; &#34;forever&#34;',
    ]);
    expect(rows[1]?.slice(1, 3)).toEqual(['United States', '28 Nov 2026, 00:06 UTC']);
    expect(rows.at(-1)?.[2]).toBe('20 Nov 2026, 09:00 UTC');
    expect(res.text).not.toContain('<now>');
    expect(res.text).not.toContain('Older signatures');
  });

  it('anonymised signatures → listed without a name', async () => {
    const t = await buildTestApp();
    await seed(t);
    t.db
      .prepare(
        "UPDATE signatures SET first_name = NULL, last_name = NULL, email = NULL, email_key = NULL, comment = NULL, anonymised_at = '2026-11-28T11:59:30.000Z' WHERE first_name = 'Zoë'",
      )
      .run();
    const agent = await signedIn(t);
    const res = await agent.get('/organizers/campaigns/amazon-ring').expect(200);
    expect(recentRows(res.text)[0]).toEqual(['Anonymised', 'France', '28 Nov 2026, 11:59 UTC', '']);
  });

  it('120 signatures, some at the same instant → pages of 50, newest first, none missed or repeated', async () => {
    const t = await buildTestApp();
    for (let i = 0; i < 120; i++) {
      // Pairs share a timestamp, so the order within one instant must come from the id.
      const createdAt = new Date(Date.parse('2026-11-28T10:00:00.000Z') + Math.floor(i / 2) * 1000);
      await t.repos.signatures.add(signature({ firstName: `Person${i}`, lastName: 'X', createdAt }));
    }
    const agent = await signedIn(t);
    const seen: string[] = [];
    let url: string | undefined = '/organizers/campaigns/amazon-ring';
    const sizes: number[] = [];
    while (url) {
      const res: { text: string } = await agent.get(url).expect(200);
      const names = recentNames(res.text);
      sizes.push(names.length);
      seen.push(...names);
      const next: string | undefined = /<a href="([^"]+)" rel="next">Older signatures<\/a>/.exec(res.text)?.[1];
      url = next?.replace(/&amp;/g, '&');
      if (seen.length > 120) break;
    }
    expect(sizes).toEqual([50, 50, 20]);
    expect(seen).toEqual(Array.from({ length: 120 }, (_, i) => `Person${119 - i} X`));
  });

  it('120 signatures → "Newer" from the last page walks back to the newest, the same pages in reverse', async () => {
    const t = await buildTestApp();
    for (let i = 0; i < 120; i++) {
      const createdAt = new Date(Date.parse('2026-11-28T10:00:00.000Z') + Math.floor(i / 2) * 1000);
      await t.repos.signatures.add(signature({ firstName: `Person${i}`, lastName: 'X', createdAt }));
    }
    const agent = await signedIn(t);
    const pages: string[][] = [];
    let res: { text: string } = await agent.get('/organizers/campaigns/amazon-ring').expect(200);
    expect(link(res.text, 'prev')).toBeUndefined();
    for (let url = link(res.text, 'next'); url; url = link(res.text, 'next')) {
      pages.push(recentNames(res.text));
      res = await agent.get(url).expect(200);
    }
    pages.push(recentNames(res.text));
    expect(pages.map((p) => p.length)).toEqual([50, 50, 20]);

    const back: string[][] = [recentNames(res.text)];
    for (let url = link(res.text, 'prev'); url; url = link(res.text, 'prev')) {
      res = await agent.get(url).expect(200);
      back.push(recentNames(res.text));
    }
    expect(back.reverse()).toEqual(pages);
    expect(res.text).toContain('Latest signatures, newest first');
    expect(res.text).not.toContain('Newer signatures');
  });

  it('"Newer" after new signatures arrived → the rows just above, then the newest page, full', async () => {
    const t = await buildTestApp();
    for (let i = 0; i < 60; i++) {
      const createdAt = new Date(Date.parse('2026-11-28T10:00:00.000Z') + i * 1000);
      await t.repos.signatures.add(signature({ firstName: `Person${i}`, lastName: 'X', createdAt }));
    }
    const agent = await signedIn(t);
    const first = await agent.get('/organizers/campaigns/amazon-ring').expect(200);
    const second = await agent.get(link(first.text, 'next') ?? '').expect(200);
    expect(recentNames(second.text)).toEqual(Array.from({ length: 10 }, (_, i) => `Person${9 - i} X`));
    // Ten more people sign while the organizer reads the older page.
    for (let i = 60; i < 70; i++) {
      const createdAt = new Date(Date.parse('2026-11-28T10:00:00.000Z') + i * 1000);
      await t.repos.signatures.add(signature({ firstName: `Person${i}`, lastName: 'X', createdAt }));
    }
    const newer = await agent.get(link(second.text, 'prev') ?? '').expect(200);
    expect(recentNames(newer.text)).toEqual(Array.from({ length: 50 }, (_, i) => `Person${59 - i} X`));
    const top = await agent.get(link(newer.text, 'prev') ?? '').expect(200);
    expect(recentNames(top.text)).toEqual(Array.from({ length: 50 }, (_, i) => `Person${69 - i} X`));
    expect(link(top.text, 'prev')).toBeUndefined();
  });

  it('a later page → a link back to the newest; a garbled cursor shows the first page', async () => {
    const t = await buildTestApp();
    await seed(t);
    const agent = await signedIn(t);
    const later = await agent.get('/organizers/campaigns/amazon-ring?after=2026-11-27T12:00:00.000Z~999').expect(200);
    expect(recentRows(later.text).map((r) => r[2])).toEqual([
      '27 Nov 2026, 11:30 UTC',
      '22 Nov 2026, 10:00 UTC',
      '20 Nov 2026, 09:30 UTC',
      '20 Nov 2026, 09:00 UTC',
    ]);
    expect(later.text).toContain('>Newest</a>');
    expect(link(later.text, 'prev')).toBeDefined();
    const garbled = await agent.get('/organizers/campaigns/amazon-ring?after=%27%20OR%201=1').expect(200);
    expect(recentRows(garbled.text)).toHaveLength(9);
    expect(garbled.text).toContain('Latest signatures, newest first');
  });

  it('no signatures yet → zeros and a single-day chart, not an error', async () => {
    const t = await buildTestApp();
    const agent = await signedIn(t);
    const res = await agent.get('/organizers/campaigns/library-hours').expect(200);
    expect(stat(res.text, 'Today (UTC)')).toBe('0');
    expect(tableRows(res.text, 'Signatures per day')).toEqual([['28 November 2026', '0']]);
    expect(res.text).toContain('Signatures per day, 28 November 2026</caption>');
    expect(res.text).not.toContain('28 November 2026 to 28 November 2026');
    expect(res.text).toContain('No signatures yet.');
  });

  it('unknown campaign, signed in → 404', async () => {
    const t = await buildTestApp();
    const agent = await signedIn(t);
    await agent.get('/organizers/campaigns/no-such-campaign').expect(404);
  });

  it('signatures deleted → the figures go down with them (trigger-kept totals)', async () => {
    const t = await buildTestApp();
    await seed(t);
    t.db.prepare("DELETE FROM signatures WHERE created_at LIKE '2026-11-28%' AND campaign_slug = 'amazon-ring'").run();
    const agent = await signedIn(t);
    const res = await agent.get('/organizers/campaigns/amazon-ring').expect(200);
    expect(stat(res.text, 'Today (UTC)')).toBe('0');
    expect(stat(res.text, 'Last 24 hours')).toBe('2');
    expect(tableRows(res.text, 'Signatures per day').at(-1)).toEqual(['28 November 2026', '0']);
  });
});
