import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ResponseCache } from '../src/http/responseCache.js';
import { parseSource } from '../src/signatures/source.js';
import { testEngine } from './postgres/fresh.js';
import { buildTestApp, NOW, validForm, type TestApp } from './helpers.js';
import { signature, signedIn } from './organizers/helpers.js';

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp();
});
afterEach(() => t.db.close());

const hiddenSource = (html: string) => /<input type="hidden" name="source" value="([^"]*)">/.exec(html)?.[1];
const storedSources = () => t.db.prepare('SELECT source FROM signatures ORDER BY id').pluck().all();
const sign = (fields: Record<string, string>, path = '/campaigns/amazon-ring') =>
  request(t.app).post(`${path}/signatures`).type('form').send(validForm(fields));

describe('sources: ?source= on the campaign page', () => {
  it('a simple token → lower-cased into the form as a hidden field, in either language', async () => {
    const res = await request(t.app).get('/campaigns/amazon-ring?source=WhatsApp').expect(200);
    expect(hiddenSource(res.text)).toBe('whatsapp');
    const es = await request(t.app).get('/es/campaigns/amazon-ring?source=red_vecinal-2').expect(200);
    expect(hiddenSource(es.text)).toBe('red_vecinal-2');
    // The canonical address stays without it.
    expect(res.text).toContain('<link rel="canonical" href="http://localhost:3000/campaigns/amazon-ring">');
  });

  it('no source, or one that is not a simple token → no field, the same page as without', async () => {
    const plain = await request(t.app).get('/campaigns/amazon-ring').expect(200);
    expect(hiddenSource(plain.text)).toBeUndefined();
    for (const bad of ['%3Cb%3E', '-lead', 'a'.repeat(41), 'two%20words', 'caf%C3%A9', '']) {
      const res = await request(t.app).get(`/campaigns/amazon-ring?source=${bad}`).expect(200);
      expect(hiddenSource(res.text), bad).toBeUndefined();
    }
    const twice = await request(t.app).get('/campaigns/amazon-ring?source=a&source=b').expect(200);
    expect(hiddenSource(twice.text)).toBeUndefined();
  });

  it('the same source twice → the kept copy (one ETag), and each source its own', async () => {
    const first = await request(t.app).get('/campaigns/amazon-ring?source=email').expect(200);
    const again = await request(t.app).get('/campaigns/amazon-ring?source=email').expect(200);
    expect(again.headers.etag).toBe(first.headers.etag);
    const other = await request(t.app).get('/campaigns/amazon-ring?source=x').expect(200);
    expect(other.headers.etag).not.toBe(first.headers.etag);
    expect(hiddenSource(other.text)).toBe('x');
  });
});

describe('sources: signing', () => {
  it('the hidden field → stored with the signature; a bad one or none → stored as none, never refused', async () => {
    await sign({ source: 'WhatsApp', email: 'a@example.org' }).expect(303);
    await sign({ source: '<script>', email: 'b@example.org' }).expect(303);
    await sign({ email: 'c@example.org' }).expect(303);
    await sign({ source: 'partner', email: 'd@example.org' }, '/es/campaigns/amazon-ring').expect(303);
    expect(storedSources()).toEqual(['whatsapp', null, null, 'partner']);
  });

  it('a mistake → the form again still carrying the source', async () => {
    const res = await sign({ source: 'email', email: 'nope' }).expect(422);
    expect(hiddenSource(res.text)).toBe('email');
  });

  it('the thank-you page → every share link carries its channel as its source', async () => {
    const signed = await sign({}).expect(303);
    const cookie = String(signed.headers['set-cookie']?.[0]).split(';')[0] as string;
    const res = await request(t.app).get('/campaigns/amazon-ring/thanks').set('Cookie', cookie).expect(200);
    const url = 'http://localhost:3000/campaigns/amazon-ring?source=';
    expect(res.text).toContain(`value="${url}link"`);
    expect(res.text).toContain(encodeURIComponent(`${url}whatsapp`));
    expect(res.text).toContain(encodeURIComponent(`${url}email`));
    expect(res.text).toContain(encodeURIComponent(`${url}x`));
    expect(res.text).toContain(encodeURIComponent(`${url}facebook`));
  });

  it('the database refuses a source that is not a simple lower-case token', () => {
    const insert = () =>
      t.db
        .prepare(
          `INSERT INTO signatures (campaign_slug, first_name, last_name, email, email_key, country, opted_in,
                                   consent_version, created_at, source)
           VALUES ('amazon-ring', 'A', 'B', 'x@example.org', 'x@example.org', 'US', 0, 'v1', '2026-11-28', ?)`,
        )
        .run('Has Space');
    expect(insert).toThrow(/CHECK constraint failed|violates check constraint/);
  });
});

describe('sources: the organizer count page', () => {
  it('by source → each source and "none", largest first, confirmed signatures only', async () => {
    for (const [i, source] of ['whatsapp', 'whatsapp', 'partner', null].entries())
      await t.repos.signatures.add(signature({ email: `s${i}@example.org`, source }));
    const agent = await signedIn(t);
    const page = await agent.get('/organizers/campaigns/amazon-ring').expect(200);
    const start = page.text.indexOf('<caption id="sources-caption">');
    const body = page.text.slice(page.text.indexOf('<tbody>', start), page.text.indexOf('</tbody>', start));
    const rows = [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
      [...(row[1] ?? '').matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) => cell[1]),
    );
    expect(rows).toEqual([
      ['whatsapp', '2', '50.0%'],
      ['None (direct or unknown)', '1', '25.0%'],
      ['partner', '1', '25.0%'],
    ]);
  });
});

describe('sources: the counts by language and source', () => {
  type Channel = { locale: string; source: string | null; count: number };
  const ordered = (rows: Channel[]) =>
    rows
      .map((r) => ({ locale: r.locale, source: r.source, count: Number(r.count) }))
      .sort((a, b) => `${a.locale}|${a.source ?? ''}`.localeCompare(`${b.locale}|${b.source ?? ''}`));
  /** What the signatures themselves say: confirmed, not invalidated, by language and source. */
  const recounted = () =>
    ordered(
      t.db
        .prepare(
          `SELECT locale, source, count(*) AS count FROM signatures
            WHERE campaign_slug = 'amazon-ring' AND status = 'confirmed' AND invalidation_id IS NULL
            GROUP BY locale, source`,
        )
        .all() as Channel[],
    );
  const kept = async () => ordered(await t.repos.signatures.countsByChannel('amazon-ring'));

  it('kept by triggers through signing, confirming, invalidating, undoing and withdrawing: always what the rows say', async () => {
    await t.repos.signatures.add(signature({ email: 'real@example.org', source: 'partner' }));
    await t.repos.signatures.add(signature({ email: 'direct@example.org' }));
    for (const i of [1, 2])
      await t.repos.signatures.add(
        signature({ email: `f${i}@example.org`, lastName: 'Fake', source: 'bots', locale: 'es' }),
      );
    expect(await kept()).toEqual(recounted());
    // A pending signature is not counted until it is confirmed.
    t.db
      .prepare(
        `INSERT INTO signatures (campaign_slug, first_name, last_name, email, email_key, country, opted_in,
                                 consent_version, created_at, status, locale, source)
         VALUES ('amazon-ring', 'Pat', 'Pending', 'pat@example.org', 'pat@example.org', 'GB', 0, 'v1', ?, 'pending', 'es', 'partner')`,
      )
      .run(NOW);
    expect(await kept()).toEqual(recounted());
    const pending = t.db.prepare("SELECT id FROM signatures WHERE email = 'pat@example.org'").get() as { id: number };
    expect(await t.repos.signatures.confirm(Number(pending.id), new Date(NOW))).toBe(true);
    expect(await kept()).toContainEqual({ locale: 'es', source: 'partner', count: 1 });
    expect(await kept()).toEqual(recounted());

    const invalidation = await t.repos.moderation.invalidate(
      {
        campaignSlug: 'amazon-ring',
        rule: { lastName: 'Fake' },
        upToId: await t.repos.moderation.lastSignatureId(),
        appliedBy: 'ann@example.org',
        appliedAt: '2026-11-28T12:00:00.000Z',
      },
      () => new Date('2026-11-28T12:00:00.000Z'),
    );
    expect(await kept()).toEqual([
      { locale: 'en', source: null, count: 1 },
      { locale: 'en', source: 'partner', count: 1 },
      { locale: 'es', source: 'partner', count: 1 },
    ]);
    expect(await kept()).toEqual(recounted());
    expect(await t.repos.moderation.undo('amazon-ring', invalidation.id, 'ann@example.org', NOW)).toBe(true);
    expect(await kept()).toContainEqual({ locale: 'es', source: 'bots', count: 2 });
    expect(await kept()).toEqual(recounted());

    const real = t.db.prepare("SELECT id FROM signatures WHERE email = 'real@example.org'").get() as { id: number };
    expect(await t.repos.signatures.withdraw(Number(real.id))).toBe(true);
    expect(await kept()).not.toContainEqual(expect.objectContaining({ locale: 'en', source: 'partner' }));
    expect(await kept()).toEqual(recounted());
  });

  it('keeps no index for counting them (migration 017): nothing reads one, and every signature writes each index', async () => {
    const indexes =
      testEngine() === 'postgres'
        ? t.db.prepare("SELECT indexname FROM pg_indexes WHERE tablename = 'signatures'").pluck().all()
        : (t.db.prepare("PRAGMA index_list('signatures')").all() as { name: string }[]).map((i) => i.name);
    expect(indexes).toContain('signatures_by_campaign_time');
    expect(indexes).not.toContain('signatures_by_channel');
  });

  it('read from the table the triggers keep (migration 016), not counted from every signature', async () => {
    const reading = `SELECT locale, source, count FROM signature_counts_by_channel WHERE campaign_slug = ? AND count > 0`;
    if (testEngine() === 'postgres') {
      t.db.exec('SET enable_seqscan = off');
      const plan = t.db.prepare(`EXPLAIN ${reading}`).all('amazon-ring') as { 'QUERY PLAN': string }[];
      expect(plan.map((p) => p['QUERY PLAN']).join(' ')).toMatch(
        /(Index (Only )?Scan using|Bitmap Index Scan on) signature_counts_by_channel_pkey/,
      );
      return;
    }
    const plan = t.db.prepare(`EXPLAIN QUERY PLAN ${reading}`).all('amazon-ring') as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/SEARCH signature_counts_by_channel USING PRIMARY KEY/);
  });
});

describe('parseSource and the kept copies', () => {
  it('tokens → lower-cased; anything else → undefined', () => {
    expect(parseSource('Partner_Org-1')).toBe('partner_org-1');
    expect(parseSource('a'.repeat(40))).toBe('a'.repeat(40));
    for (const bad of ['', '_x', 'a'.repeat(41), 'a b', 'ñandú', 'a/b', ['a'], 7, undefined])
      expect(parseSource(bad)).toBeUndefined();
  });

  it('a cache with maxSlots → past it, the oldest slot is forgotten, copies and last-made alike', async () => {
    const cache = new ResponseCache([], 2);
    const options = { contentType: 'text/plain', cacheControl: 'no-store' };
    for (const slot of ['a', 'b', 'c']) await cache.get(slot, 'k', options, async () => slot);
    expect(cache.ready('a', 'k')).toBeUndefined();
    expect(cache.lastMadeFor('a')).toBeUndefined();
    expect(cache.ready('b', 'k')?.plain.body.toString()).toBe('b');
    expect(cache.ready('c', 'k')?.plain.body.toString()).toBe('c');
  });
});
