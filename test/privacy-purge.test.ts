import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { Database } from '../src/database.js';
import type { Db } from '../src/db.js';
import * as privacyPg from '../src/privacy/postgres.js';
import * as privacySqlite from '../src/privacy/sqlite.js';
import { addMonths, describePurge, purge } from '../src/privacy/retention.js';
import { NOW } from './helpers.js';
import { buildPrivacyApp, fixtureCatalog } from './privacy-helpers.js';

// old-campaign closed 2026-01-31 with the default 6 months: its retention ended 2026-07-31, before NOW.
// library-hours is made to close 2026-10-01: its retention runs until 2027-04-01, after NOW.
// amazon-ring is open.
const campaigns = () => fixtureCatalog({ 'library-hours': { open: false, closedOn: '2026-10-01' } });

async function setUp() {
  const built = await buildPrivacyApp({ campaigns: campaigns() });
  const add = (campaignSlug: string, email: string, country: string, createdAt: string, optedIn: boolean) =>
    built.repos.signatures.add({
      campaignSlug,
      firstName: 'Grace',
      lastName: 'Hopper',
      email,
      country,
      postalCode: '10001',
      comment: 'Keep it',
      optedIn,
      consentVersion: 'v1',
      sourceHash: 'hash-' + email,
      createdAt: new Date(createdAt),
    });
  await add('old-campaign', 'a@example.org', 'US', '2026-01-10T09:15:00.000Z', true);
  await add('old-campaign', 'b@example.org', 'GB', '2026-01-10T17:40:00.000Z', false);
  await add('old-campaign', 'c@example.org', 'US', '2026-01-20T11:00:00.000Z', true);
  await add('library-hours', 'a@example.org', 'US', '2026-09-01T10:00:00.000Z', true);
  await add('amazon-ring', 'a@example.org', 'DE', '2026-11-01T10:00:00.000Z', true);
  return built;
}

const rows = (db: Db, slug: string) =>
  db.prepare('SELECT * FROM signatures WHERE campaign_slug = ? ORDER BY id').all(slug) as Array<
    Record<string, unknown>
  >;

/** The privacy repository of the engine under test, built with its own batch size. */
const privacyInBatches = (database: Database, batchSize: number) =>
  database.engine === 'postgres'
    ? privacyPg.createPrivacyRepository(database.pool, { batchSize })
    : privacySqlite.createPrivacyRepository(database.db, { batchSize });

/** Every figure a chart or total is drawn from, for one campaign. */
const figures = (db: Db, slug: string) => ({
  total: db.prepare('SELECT signature_count FROM campaigns WHERE slug = ?').pluck().get(slug),
  daily: db.prepare('SELECT day, count FROM signature_counts_daily WHERE campaign_slug = ? ORDER BY day').all(slug),
  hourly: db.prepare('SELECT hour, count FROM signature_counts_hourly WHERE campaign_slug = ? ORDER BY hour').all(slug),
  countries: db
    .prepare('SELECT country, count FROM signature_counts_by_country WHERE campaign_slug = ? ORDER BY country')
    .all(slug),
});

describe('retention purge', () => {
  it('purge → closed campaign past retention → personal fields erased, country and date kept, totals and charts unchanged', async () => {
    const { db, repos, campaigns: catalog, app } = await setUp();
    const before = figures(db, 'old-campaign');
    const beforeRows = rows(db, 'old-campaign');
    const json = (await request(app).get('/campaigns/old-campaign.json')).body as Record<string, unknown>;

    const report = await purge({ campaigns: catalog, repos }, new Date(NOW));

    expect(report.anonymised).toBe(3);
    const after = rows(db, 'old-campaign');
    expect(after).toHaveLength(3);
    after.forEach((row, i) => {
      expect(row).toMatchObject({
        first_name: null,
        last_name: null,
        email: null,
        email_key: null,
        postal_code: null,
        comment: null,
        source_hash: null,
        opted_in: 0,
        anonymised_at: NOW,
        country: beforeRows[i]?.country,
        created_at: beforeRows[i]?.created_at,
        consent_version: 'v1',
      });
    });
    expect(figures(db, 'old-campaign')).toEqual(before);
    // Nobody is left to email: the opted-in total follows, through the update trigger.
    expect(db.prepare("SELECT opted_in_count FROM campaigns WHERE slug = 'old-campaign'").pluck().get()).toBe(0);
    // The public figures are the same as before.
    const jsonAfter = (await request(app).get('/campaigns/old-campaign.json')).body as Record<string, unknown>;
    expect(jsonAfter.signatureCount).toBe(3);
    expect(jsonAfter.signaturesByCountry).toEqual(json.signaturesByCountry);
  });

  it('purge → open campaign and closed campaign within retention → nothing of theirs changes but old address codes', async () => {
    const { db, repos, campaigns: catalog } = await setUp();
    // Address codes have their own, shorter window (tested below); everything else must stay.
    const withoutCodes = (list: Array<Record<string, unknown>>) => list.map(({ source_hash: _code, ...rest }) => rest);
    const before = { library: withoutCodes(rows(db, 'library-hours')), ring: withoutCodes(rows(db, 'amazon-ring')) };
    const optedIn = db.prepare('SELECT slug, opted_in_count FROM campaigns ORDER BY slug').all();

    const report = await purge({ campaigns: catalog, repos }, new Date(NOW));

    expect(withoutCodes(rows(db, 'library-hours'))).toEqual(before.library);
    expect(withoutCodes(rows(db, 'amazon-ring'))).toEqual(before.ring);
    expect(report.lines).toContainEqual({
      slug: 'library-hours',
      action: 'kept',
      signatures: 1,
      reason: 'within retention',
      keptUntil: '2027-04-01',
    });
    expect(report.lines).toContainEqual({ slug: 'amazon-ring', action: 'kept', signatures: 1, reason: 'open' });
    expect(db.prepare('SELECT slug, opted_in_count FROM campaigns ORDER BY slug').all()).toEqual(
      optedIn.map((c) =>
        (c as { slug: string }).slug === 'old-campaign' ? { slug: 'old-campaign', opted_in_count: 0 } : c,
      ),
    );
  });

  it('purge → run again the next day → changes nothing and says so', async () => {
    const { db, repos, campaigns: catalog } = await setUp();
    await purge({ campaigns: catalog, repos }, new Date(NOW));
    const once = rows(db, 'old-campaign');

    const again = await purge({ campaigns: catalog, repos }, new Date('2026-11-29T03:00:00.000Z'));

    expect(again.anonymised).toBe(0);
    expect(rows(db, 'old-campaign')).toEqual(once); // anonymised_at keeps the first run's time
    expect(describePurge(again)).toContain('old-campaign: anonymised 0 signatures (retention ended 2026-07-31)');
    expect(describePurge(again).at(-1)).toBe('Anonymised 0 signatures in total at 2026-11-29T03:00:00.000Z.');
  });

  it('purge → the day retention ends → anonymises; the day before → keeps', async () => {
    const { db, repos, campaigns: catalog } = await setUp();
    const dayBefore = await purge({ campaigns: catalog, repos }, new Date('2026-07-30T23:59:59.000Z'));
    expect(dayBefore.anonymised).toBe(0);
    expect(rows(db, 'old-campaign').every((r) => r.email !== null)).toBe(true);
    const onTheDay = await purge({ campaigns: catalog, repos }, new Date('2026-07-31T00:00:00.000Z'));
    expect(onTheDay.anonymised).toBe(3);
  });

  it('purge --dry-run → reports what it would do and changes nothing', async () => {
    const { db, repos, campaigns: catalog } = await setUp();
    const before = rows(db, 'old-campaign');
    const report = await purge({ campaigns: catalog, repos }, new Date(NOW), { dryRun: true });
    expect(report.anonymised).toBe(3);
    expect(describePurge(report)).toContain('old-campaign: would anonymise 3 signatures (retention ended 2026-07-31)');
    expect(rows(db, 'old-campaign')).toEqual(before);
  });

  it('purge → more signatures than one batch → every one anonymised, across batches, counts unchanged', async () => {
    const { db, database } = await setUp();
    const before = figures(db, 'old-campaign');
    const batched = privacyInBatches(database, 2);

    expect(await batched.anonymiseCampaign('old-campaign', new Date(NOW))).toBe(3);

    expect(rows(db, 'old-campaign').map((r) => r.anonymised_at)).toEqual([NOW, NOW, NOW]);
    expect(figures(db, 'old-campaign')).toEqual(before);
    expect(rows(db, 'library-hours')[0]).toMatchObject({ anonymised_at: null, email: 'a@example.org' });
    expect(await batched.anonymiseCampaign('old-campaign', new Date(NOW))).toBe(0);
  });

  it('purge → signatures of a campaign with no content file → reported and left alone', async () => {
    const { db, repos, campaigns: catalog } = await setUp();
    await repos.campaigns.register(['gone-campaign']);
    await repos.signatures.add({
      campaignSlug: 'gone-campaign',
      firstName: 'Alan',
      lastName: 'Turing',
      email: 'alan@example.org',
      country: 'GB',
      postalCode: null,
      comment: null,
      optedIn: false,
      consentVersion: 'v1',
      sourceHash: null,
      createdAt: new Date('2025-01-01T00:00:00.000Z'),
    });
    const report = await purge({ campaigns: catalog, repos }, new Date(NOW));
    expect(report.lines).toContainEqual({ slug: 'gone-campaign', action: 'unknown campaign', signatures: 1 });
    expect(rows(db, 'gone-campaign')[0]).toMatchObject({ email: 'alan@example.org', anonymised_at: null });
  });
});

describe('addMonths', () => {
  it.each([
    ['2026-01-31', 6, '2026-07-31'],
    ['2026-08-31', 6, '2027-02-28'],
    ['2027-08-31', 6, '2028-02-29'],
    ['2026-03-15', 12, '2027-03-15'],
    ['2026-11-30', 3, '2027-02-28'],
  ])('addMonths(%s, %i) → %s', (date, months, expected) => {
    expect(addMonths(date, months)).toBe(expected);
  });
});

describe('address codes', () => {
  it('purge → address codes older than seven days are cleared, newer ones and everything else kept', async () => {
    const { db, repos } = await setUp();
    await repos.signatures.add({
      campaignSlug: 'amazon-ring',
      firstName: 'Recent',
      lastName: 'Signer',
      email: 'recent@example.org',
      country: 'US',
      postalCode: '10001',
      comment: null,
      optedIn: false,
      consentVersion: 'v1',
      sourceHash: 'hash-recent',
      createdAt: new Date(new Date(NOW).getTime() - 6 * 24 * 60 * 60 * 1000),
    });
    const report = await purge({ campaigns: campaigns(), repos }, new Date(NOW));
    const codes = db
      .prepare('SELECT email_key AS email, source_hash AS code FROM signatures WHERE campaign_slug = ? ORDER BY id')
      .all('amazon-ring');
    expect(codes).toEqual([
      { email: 'a@example.org', code: null },
      { email: 'recent@example.org', code: 'hash-recent' },
    ]);
    // library-hours (closed, within retention) keeps names but loses its month-old code too.
    expect(rows(db, 'library-hours')[0]).toMatchObject({ first_name: 'Grace', source_hash: null });
    expect(report.sourcesCleared).toBe(2);
    expect(describePurge(report)).toContain('Cleared the address codes of 2 signatures older than 7 days.');
  });
});
