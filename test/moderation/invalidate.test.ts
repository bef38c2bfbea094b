import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db.js';
import { INVALIDATION_BATCH } from '../../src/moderation/repository.js';
import { buildTestApp, NOW, type TestApp } from '../helpers.js';
import { sessionToken, signature, signedIn } from '../organizers/helpers.js';
import { crowd, insertRows, namesOn } from './helpers.js';

const SLUG = 'amazon-ring';
const SEARCH = `/organizers/campaigns/${SLUG}/search`;
const INVALIDATIONS = `/organizers/campaigns/${SLUG}/invalidations`;

/** Every total the triggers keep, next to the same figures counted from the rows themselves. */
function totals(db: Db) {
  const kept = db
    .prepare(
      'SELECT signature_count AS count, opted_in_count AS optedIn, pending_count AS pending FROM campaigns WHERE slug = ?',
    )
    .get(SLUG);
  const counted = db
    .prepare(
      `SELECT count(*) FILTER (WHERE status = 'confirmed' AND invalidation_id IS NULL) AS count,
              coalesce(sum(opted_in) FILTER (WHERE status = 'confirmed' AND invalidation_id IS NULL), 0) AS optedIn,
              count(*) FILTER (WHERE status = 'pending' AND invalidation_id IS NULL) AS pending
         FROM signatures WHERE campaign_slug = ?`,
    )
    .get(SLUG);
  const daily = db
    .prepare('SELECT coalesce(sum(count), 0) FROM signature_counts_daily WHERE campaign_slug = ?')
    .pluck()
    .get(SLUG);
  const hourly = db
    .prepare('SELECT coalesce(sum(count), 0) FROM signature_counts_hourly WHERE campaign_slug = ?')
    .pluck()
    .get(SLUG);
  const byCountry = db
    .prepare('SELECT coalesce(sum(count), 0) FROM signature_counts_by_country WHERE campaign_slug = ?')
    .pluck()
    .get(SLUG);
  return { kept, counted, daily, hourly, byCountry };
}

function expectConsistent(db: Db, count: number) {
  const t = totals(db);
  expect(t.kept).toEqual(t.counted);
  expect([t.daily, t.hourly, t.byCountry]).toEqual([count, count, count]);
  expect((t.kept as { count: number }).count).toBe(count);
}

/** 200 ordinary signers and 30 from a flood domain, the last 10 of them pending. */
async function flooded(): Promise<{ t: TestApp; agent: Awaited<ReturnType<typeof signedIn>>; token: string }> {
  const t = await buildTestApp();
  insertRows(t.db, crowd(200, '2026-11-27T00:00:00.000Z'));
  insertRows(
    t.db,
    Array.from({ length: 30 }, (_, i) => ({
      first: 'Bot',
      last: `Number${i}`,
      email: `bot${i}@flood.example`,
      at: new Date(Date.parse('2026-11-28T03:00:00.000Z') + i * 1000).toISOString(),
      status: i >= 20 ? ('pending' as const) : ('confirmed' as const),
    })),
  );
  const agent = await signedIn(t);
  return { t, agent, token: await sessionToken(agent) };
}

/** The hidden fields of the dry run's form, as the browser would send them. */
function dryRunForm(html: string): Record<string, string> {
  const form = /<form method="post" action="[^"]+\/invalidations" class="org-invalidate">([\s\S]*?)<\/form>/.exec(
    html,
  )?.[1];
  if (!form) throw new Error('no invalidate form on the page');
  return Object.fromEntries([...form.matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]));
}

describe('invalidating by rule', () => {
  it('the search is the dry run: the count, a sample and the button, and nothing changes', async () => {
    const { t, agent } = await flooded();
    const page = await agent.get(SEARCH).query({ domain: 'flood.example' }).expect(200);
    expect(page.text).toContain('30 signatures match');
    expect(namesOn(page.text)).toHaveLength(30);
    expect(page.text).toContain('Invalidate these 30 signatures');
    expect(dryRunForm(page.text)).toMatchObject({ domain: 'flood.example', up_to: '230' });
    expectConsistent(t.db, 220);
  });

  it('applying takes the matches out of every count at once, keeps them, and records who, when and how many', async () => {
    const { t, agent } = await flooded();
    const dry = await agent.get(SEARCH).query({ domain: 'flood.example' }).expect(200);
    t.clock.set('2026-11-28T12:05:00.000Z');
    const res = await agent.post(INVALIDATIONS).type('form').send(dryRunForm(dry.text)).expect(303);
    expect(res.headers.location).toBe(`/organizers/campaigns/${SLUG}#invalidation-1`);
    // 20 counted and 10 pending left the totals; every row is still there.
    expectConsistent(t.db, 200);
    expect((totals(t.db).kept as { pending: number }).pending).toBe(0);
    expect(t.db.prepare('SELECT count(*) FROM signatures WHERE invalidation_id = 1').pluck().get()).toBe(30);
    expect(t.db.prepare('SELECT rule, signature_count, applied_by, applied_at FROM invalidations').get()).toEqual({
      rule: '{"domain":"flood.example"}',
      signature_count: 30,
      applied_by: 'ann@example.org',
      applied_at: '2026-11-28T12:05:00.000Z',
    });
    // The audit on the campaign page, with the rule linking to its search and a button to undo it.
    const page = await agent.get(`/organizers/campaigns/${SLUG}`).expect(200);
    expect(page.text).toContain('<tr id="invalidation-1">');
    expect(page.text).toContain(`<a href="${SEARCH}?domain=flood.example">email domain flood.example</a>`);
    expect(page.text).toMatch(
      /<td class="org-num">30<\/td>\s*<td><time datetime="2026-11-28T12:05:00.000Z">[^<]+<\/time> by ann@example.org<\/td>/,
    );
    expect(page.text).toContain(`action="${INVALIDATIONS}/1/undo"`);
    // The search still finds them, marked.
    const again = await agent.get(SEARCH).query({ domain: 'flood.example' }).expect(200);
    expect(again.text).toContain('30 of them already invalidated');
    expect(again.text).toContain('<td>Invalidated</td>');
    expect(again.text).not.toContain('Invalidate these');
  });

  it('invalidated signatures leave the downloads, the recent list and delivery packages', async () => {
    const { t, agent } = await flooded();
    const dry = await agent.get(SEARCH).query({ domain: 'flood.example' });
    await agent.post(INVALIDATIONS).type('form').send(dryRunForm(dry.text)).expect(303);
    const csv = await agent.get(`/organizers/campaigns/${SLUG}/signatures.csv`).expect(200);
    const rows = parse(csv.text.replace(/^\uFEFF/, ''), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(200);
    expect(rows.some((r) => Object.values(r).some((v) => v.includes('flood.example')))).toBe(false);
    const page = await agent.get(`/organizers/campaigns/${SLUG}`).expect(200);
    expect(page.text).not.toContain('Bot Number');
    const upToId = await t.repos.deliveries.lastSignatureId();
    const counts = await t.repos.deliveries.countsByCountry({ campaignSlug: SLUG, country: null, upToId });
    expect(counts.reduce((sum, c) => sum + c.count, 0)).toBe(200);
  });

  it('undo puts every one back in every count, and is recorded; a second undo changes nothing', async () => {
    const { t, agent, token } = await flooded();
    const dry = await agent.get(SEARCH).query({ domain: 'flood.example' });
    await agent.post(INVALIDATIONS).type('form').send(dryRunForm(dry.text)).expect(303);
    t.clock.set('2026-11-28T12:30:00.000Z');
    await agent.post(`${INVALIDATIONS}/1/undo`).type('form').send({ csrf: token }).expect(303);
    expectConsistent(t.db, 220);
    expect((totals(t.db).kept as { pending: number }).pending).toBe(10);
    expect(t.db.prepare('SELECT undone_by, undone_at FROM invalidations WHERE id = 1').get()).toEqual({
      undone_by: 'ann@example.org',
      undone_at: '2026-11-28T12:30:00.000Z',
    });
    const page = await agent.get(`/organizers/campaigns/${SLUG}`).expect(200);
    expect(page.text).toMatch(/Undone <time datetime="2026-11-28T12:30:00.000Z">[^<]+<\/time> by ann@example.org/);
    t.clock.set('2026-11-28T12:40:00.000Z');
    await agent.post(`${INVALIDATIONS}/1/undo`).type('form').send({ csrf: token }).expect(303);
    expect(t.db.prepare('SELECT undone_at FROM invalidations WHERE id = 1').pluck().get()).toBe(
      '2026-11-28T12:30:00.000Z',
    );
    expectConsistent(t.db, 220);
  });

  it('an empty rule is never applied: 422 saying so, nothing changed', async () => {
    const { t, agent, token } = await flooded();
    const res = await agent.post(INVALIDATIONS).type('form').send({ csrf: token, up_to: '230' }).expect(422);
    expect(res.text).toContain('Fill in at least one field: a rule must say which signatures it means');
    expect(t.db.prepare('SELECT count(*) FROM invalidations').pluck().get()).toBe(0);
    expectConsistent(t.db, 220);
  });

  it('a rule with a bad field → 422 with its message, nothing changed', async () => {
    const { t, agent, token } = await flooded();
    await agent.post(INVALIDATIONS).type('form').send({ csrf: token, email: 'nope', up_to: '230' }).expect(422);
    expect(t.db.prepare('SELECT count(*) FROM invalidations').pluck().get()).toBe(0);
  });

  it('without the session token → 403, nothing changed', async () => {
    const { t, agent } = await flooded();
    await agent
      .post(INVALIDATIONS)
      .type('form')
      .send({ csrf: 'wrong', domain: 'flood.example', up_to: '230' })
      .expect(403);
    expect(t.db.prepare('SELECT count(*) FROM invalidations').pluck().get()).toBe(0);
  });

  it('takes only what the dry run showed: a match signed after it still counts', async () => {
    const { t, agent } = await flooded();
    const dry = await agent.get(SEARCH).query({ domain: 'flood.example' });
    await t.repos.signatures.add(signature({ email: 'late@flood.example', createdAt: new Date(NOW) }));
    await agent.post(INVALIDATIONS).type('form').send(dryRunForm(dry.text)).expect(303);
    expect(
      t.db.prepare("SELECT invalidation_id FROM signatures WHERE email = 'late@flood.example'").pluck().get(),
    ).toBeNull();
    expectConsistent(t.db, 201);
  });

  it('a pending signature invalidated and then confirmed stays out of the count until the undo', async () => {
    const { t, agent, token } = await flooded();
    const dry = await agent.get(SEARCH).query({ domain: 'flood.example' });
    await agent.post(INVALIDATIONS).type('form').send(dryRunForm(dry.text)).expect(303);
    const pendingId = t.db
      .prepare("SELECT id FROM signatures WHERE email = 'bot25@flood.example'")
      .pluck()
      .get() as number;
    expect(await t.repos.signatures.confirm(pendingId, new Date(NOW))).toBe(true);
    expectConsistent(t.db, 200);
    await agent.post(`${INVALIDATIONS}/1/undo`).type('form').send({ csrf: token }).expect(303);
    expectConsistent(t.db, 221);
  });
});

describe('invalidating at size', () => {
  it(`runs in batches of ${INVALIDATION_BATCH} that let signing in between, and every count stays exact`, async () => {
    const t = await buildTestApp();
    insertRows(t.db, crowd(20_000, '2026-11-20T00:00:00.000Z'));
    const flood = 4 * INVALIDATION_BATCH + 123;
    insertRows(
      t.db,
      Array.from({ length: flood }, (_, i) => ({
        first: 'Bot',
        last: 'Flood',
        email: `bot${i}@flood.example`,
        at: new Date(Date.parse('2026-11-21T00:00:00.000Z') + i * 100).toISOString(),
      })),
    );
    const events: string[] = [];
    const upToId = await t.repos.moderation.lastSignatureId();
    const applied = t.repos.moderation
      .invalidate(
        { campaignSlug: SLUG, rule: { domain: 'flood.example' }, upToId, appliedBy: 'ann@example.org', appliedAt: NOW },
        () => new Date(NOW),
      )
      .then((inv) => {
        events.push('invalidation finished');
        return inv;
      });
    // Signed while it runs: stored (and answered) before the invalidation's last batch.
    const signed = t.repos.signatures.add(signature({ email: 'person@example.net' })).then((result) => {
      events.push('signature stored');
      return result;
    });
    const [inv, result] = await Promise.all([applied, signed]);
    expect(result).toBe('added');
    expect(events).toEqual(['signature stored', 'invalidation finished']);
    expect(inv.signatureCount).toBe(flood);
    expectConsistent(t.db, 20_001);
    expect(await t.repos.moderation.undo(SLUG, inv.id, 'ann@example.org', NOW)).toBe(true);
    expectConsistent(t.db, 20_001 + flood);
  });
});
