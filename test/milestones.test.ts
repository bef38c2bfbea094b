import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCampaigns, parseCampaign, CampaignContentError } from '../src/campaigns/content.js';
import { renderMessage } from '../src/mail/messages.js';
import type { OutboxMessage } from '../src/mail/repository.js';
import { buildTestApp, FIXTURE_CAMPAIGNS, NOW, validForm, type TestApp } from './helpers.js';
import { addOrganizer, signedIn } from './organizers/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'org-milestones-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The fixture campaigns, amazon-ring naming these milestones. */
function campaignsWith(milestones: string): string {
  const folder = mkdtempSync(join(dir, 'campaigns-'));
  cpSync(FIXTURE_CAMPAIGNS, folder, { recursive: true });
  const file = join(folder, 'amazon-ring.md');
  writeFileSync(file, readFileSync(file, 'utf8').replace('goal: 20000\n', `goal: 20000\nmilestones: ${milestones}\n`));
  return folder;
}

async function appWith(milestones: string, databasePath?: string): Promise<TestApp> {
  return buildTestApp({}, {}, { campaigns: loadCampaigns(campaignsWith(milestones)), databasePath });
}

/** The organizers: an admin, an organizer of this campaign, and one of another campaign only. */
async function organizers(t: TestApp) {
  await addOrganizer(t, 'ann@example.org', 'correct horse battery', { isAdmin: true });
  await addOrganizer(t, 'bob@example.org', 'correct horse battery', { campaigns: ['amazon-ring'] });
  await addOrganizer(t, 'cat@example.org', 'correct horse battery', { campaigns: ['library-hours'] });
}

const milestoneMail = (t: TestApp) =>
  t.db
    .prepare(`SELECT to_address AS "to", payload FROM mail_outbox WHERE kind = 'milestone' ORDER BY to_address, id`)
    .all() as { to: string; payload: string }[];

const sign = (t: TestApp, i: number) =>
  request(t.app)
    .post('/campaigns/amazon-ring/signatures')
    .type('form')
    .send(validForm({ email: `signer${i}@example.org` }));

describe('campaign milestones', () => {
  it('crossed under concurrent signing from two servers on one database → recorded and mailed exactly once', async () => {
    const databasePath = join(dir, 'concurrent.db');
    const one = await appWith('[50, 100, 1000]', databasePath);
    const two = await appWith('[50, 100, 1000]', databasePath);
    await organizers(one);
    // 150 people at once, half on each server: batches from both interleave on the write lock.
    const answers = await Promise.all(Array.from({ length: 150 }, (_, i) => sign(i % 2 ? one : two, i)));
    expect(answers.every((a) => a.status === 303)).toBe(true);
    expect((await one.repos.campaigns.totals('amazon-ring')).signatureCount).toBe(150);
    const milestones = await one.repos.campaigns.milestones('amazon-ring');
    expect(milestones.map((m) => [m.milestone, m.crossedAt !== null])).toEqual([
      [50, true],
      [100, true],
      [1000, false],
    ]);
    // One message per milestone to each account holding the campaign, none to the other campaign's.
    expect(milestoneMail(one)).toEqual([
      { to: 'ann@example.org', payload: '{"kind":"milestone","milestone":50}' },
      { to: 'ann@example.org', payload: '{"kind":"milestone","milestone":100}' },
      { to: 'bob@example.org', payload: '{"kind":"milestone","milestone":50}' },
      { to: 'bob@example.org', payload: '{"kind":"milestone","milestone":100}' },
    ]);
    one.db.close();
    two.db.close();
  });

  it('crossed in the transaction of the signature that crossed it: at that signature, not before', async () => {
    const t = await appWith('[3]');
    await organizers(t);
    for (let i = 0; i < 2; i++) await sign(t, i).expect(303);
    expect(milestoneMail(t)).toEqual([]);
    await sign(t, 2).expect(303);
    expect(milestoneMail(t)).toHaveLength(2);
    const [m] = await t.repos.campaigns.milestones('amazon-ring');
    expect(m).toEqual({ milestone: 3, crossedAt: NOW });
  });

  it('a count that falls back below a milestone and crosses it again mails nobody twice', async () => {
    const t = await appWith('[3]');
    await organizers(t);
    for (let i = 0; i < 3; i++) await sign(t, i).expect(303);
    const inv = await t.repos.moderation.invalidate(
      {
        campaignSlug: 'amazon-ring',
        rule: { email: 'signer0@example.org' },
        upToId: 3,
        appliedBy: 'ann@example.org',
        appliedAt: NOW,
      },
      () => new Date(NOW),
    );
    await t.repos.moderation.undo('amazon-ring', inv.id, 'ann@example.org', NOW);
    await sign(t, 3).expect(303);
    expect((await t.repos.campaigns.totals('amazon-ring')).signatureCount).toBe(4);
    expect(milestoneMail(t)).toHaveLength(2);
  });

  it('a milestone named after the count passed it is recorded as reached, and mails nobody', async () => {
    const databasePath = join(dir, 'late.db');
    const before = await appWith('[1000]', databasePath);
    await organizers(before);
    for (let i = 0; i < 3; i++) await sign(before, i).expect(303);
    before.db.close();
    const after = await appWith('[2, 1000]', databasePath);
    const milestones = await after.repos.campaigns.milestones('amazon-ring');
    expect(milestones.map((m) => [m.milestone, m.crossedAt !== null])).toEqual([
      [2, true],
      [1000, false],
    ]);
    expect(milestoneMail(after)).toEqual([]);
    after.db.close();
  });

  it('the count page shows each milestone: when it was reached, or how many to go', async () => {
    const t = await appWith('[2, 10]');
    for (let i = 0; i < 3; i++) await sign(t, i).expect(303);
    const agent = await signedIn(t);
    const page = await agent.get('/organizers/campaigns/amazon-ring').expect(200);
    expect(page.text).toMatch(
      /<li>2 signatures: reached <time datetime="2026-11-28T12:00:00.000Z">[^<]+<\/time><\/li>/,
    );
    expect(page.text).toContain('<li>10 signatures: not yet, 7 to go</li>');
  });

  it('the message says which milestone and links the count page', async () => {
    const t = await appWith('[3]');
    await organizers(t);
    for (let i = 0; i < 3; i++) await sign(t, i).expect(303);
    const row = t.db.prepare("SELECT * FROM mail_outbox WHERE kind = 'milestone' LIMIT 1").get() as {
      id: number;
      campaign_slug: string;
      to_address: string;
      payload: string;
      created_at: string;
    };
    const message: OutboxMessage = {
      id: row.id,
      kind: 'milestone',
      campaignSlug: row.campaign_slug,
      to: row.to_address,
      locale: 'en',
      payload: JSON.parse(row.payload) as OutboxMessage['payload'],
      attempts: 1,
      createdAt: row.created_at,
    };
    const mail = await renderMessage(message, {
      campaigns: t.campaigns,
      baseUrl: 'https://sign.example.org',
      from: 'Undersigned <no-reply@sign.example.org>',
      cache: false,
    });
    expect(mail.subject).toBe('3 signatures: Tell Amazon Ring: stop sharing information with police');
    expect(mail.text).toContain('has passed 3 counted signatures.');
    expect(mail.text).toContain('https://sign.example.org/organizers/campaigns/amazon-ring');
    expect(mail.headers).not.toHaveProperty('List-Unsubscribe');
  });

  it('milestones that are not increasing whole numbers stop start-up, naming the file and field', () => {
    const folder = campaignsWith('[1000, 100]');
    expect(() =>
      parseCampaign(join(folder, 'amazon-ring.md'), readFileSync(join(folder, 'amazon-ring.md'), 'utf8')),
    ).toThrow(CampaignContentError);
    expect(() => loadCampaigns(folder)).toThrow(/milestones.*increasing order/);
  });
});
