import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/db.js';
import { silentLogger } from '../../src/logger.js';
import { RETENTION_JOB, runRetentionIfDue, type RetentionDeps } from '../../src/privacy/retention.js';
import { createRepositories, type Repositories } from '../../src/repositories.js';
import { buildTestApp, type TestApp } from '../helpers.js';
import { signedIn } from '../organizers/helpers.js';
import { fixtureCatalog } from '../privacy-helpers.js';
import { buildServer, startServerProcess, tempDatabase, type ServerProcess } from './server-process.js';

// old-campaign (fixtures) closed 2026-01-31 with 6 months' retention: past it at the tests' NOW
// (28 November 2026) and at any real date after 31 July 2026.
const HOUR = 60 * 60 * 1000;

const personal = (db: Db): number =>
  db
    .prepare("SELECT count(*) FROM signatures WHERE campaign_slug = 'old-campaign' AND email IS NOT NULL")
    .pluck()
    .get() as number;

async function addOldSignatures(target: Db | Repositories, n: number): Promise<void> {
  const repos = 'signatures' in target ? target : createRepositories(target);
  await repos.campaigns.register(['old-campaign', 'amazon-ring']);
  for (let i = 0; i < n; i++)
    await repos.signatures.add({
      campaignSlug: 'old-campaign',
      firstName: 'Grace',
      lastName: 'Hopper',
      email: `old${i}@example.org`,
      country: 'US',
      postalCode: '10001',
      comment: null,
      optedIn: true,
      consentVersion: 'v1',
      sourceHash: null,
      createdAt: new Date('2026-01-10T09:15:00.000Z'),
    });
}

const depsOf = (t: TestApp): RetentionDeps => ({
  campaigns: t.campaigns,
  repos: t.repos,
  clock: t.clock,
  logger: silentLogger,
});

/** Two app instances (each its own connection, as two server processes have) on one database file. */
async function twoInstances() {
  const databasePath = tempDatabase();
  const one = await buildTestApp({}, {}, { databasePath });
  const two = await buildTestApp({}, {}, { databasePath });
  await addOldSignatures(one.repos, 3);
  return { one, two, advance: (ms: number) => [one, two].forEach((t) => t.clock.advance(ms)) };
}

describe('Retention run by the servers themselves, one at a time', () => {
  it('two instances on one file starting it at once → one runs it, the other skips, and neither again that day', async () => {
    const { one, two, advance } = await twoInstances();
    const [a, b] = await Promise.all([
      runRetentionIfDue(depsOf(one), 'one', HOUR),
      runRetentionIfDue(depsOf(two), 'two', HOUR),
    ]);
    expect([a, b].filter((r) => r !== undefined)).toHaveLength(1);
    expect((a ?? b)?.anonymised).toBe(3);
    expect(personal(one.db)).toBe(0);
    advance(HOUR);
    expect(await runRetentionIfDue(depsOf(two), 'two', 23 * HOUR)).toBeUndefined();
    expect(await runRetentionIfDue(depsOf(one), 'one', 23 * HOUR)).toBeUndefined();
    advance(23 * HOUR);
    const next = await runRetentionIfDue(depsOf(two), 'two', 23 * HOUR);
    expect(next?.anonymised).toBe(0);
  });

  it('an instance that died holding the lease → the other waits until the lease expires, then runs it', async () => {
    const { one, two } = await twoInstances();
    const now = one.clock.now();
    expect(await one.repos.system.takeLease(RETENTION_JOB, 'one', now, new Date(now.getTime() + HOUR), now)).toBe(true);
    expect(await runRetentionIfDue(depsOf(two), 'two', HOUR)).toBeUndefined();
    expect(personal(two.db)).toBe(3);
    two.clock.advance(HOUR);
    expect((await runRetentionIfDue(depsOf(two), 'two', HOUR))?.anonymised).toBe(3);
  });

  it('a run that fails → the lease is given back unfinished, and the next check runs it', async () => {
    const { one, two } = await twoInstances();
    const failing: RetentionDeps = {
      ...depsOf(one),
      repos: {
        ...one.repos,
        privacy: {
          ...one.repos.privacy,
          personalDataByCampaign: async () => {
            throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' });
          },
        },
      },
    };
    await expect(runRetentionIfDue(failing, 'one', HOUR)).rejects.toThrow('disk I/O error');
    expect((await runRetentionIfDue(depsOf(two), 'two', HOUR))?.anonymised).toBe(3);
  });
});

describe('The organizer page of a closed campaign', () => {
  it('within retention → the date its signers will be anonymised, and a reminder to download before then', async () => {
    const t = await buildTestApp(
      {},
      {},
      { campaigns: fixtureCatalog({ 'library-hours': { open: false, closedOn: '2026-10-01' } }) },
    );
    const agent = await signedIn(t);
    const page = await agent.get('/organizers/campaigns/library-hours').expect(200);
    expect(page.text).toContain('will be anonymised on 1 April 2027');
    expect(page.text).toContain('Download the signatures before then');
  });

  it('past retention → says they were anonymised; an open campaign says nothing of it', async () => {
    const t = await buildTestApp();
    const agent = await signedIn(t);
    const old = await agent.get('/organizers/campaigns/old-campaign').expect(200);
    expect(old.text).toContain('were anonymised on 31 July 2026');
    const open = await agent.get('/organizers/campaigns/amazon-ring').expect(200);
    expect(open.text).not.toContain('anonymised');
  });
});

describe('The server process', () => {
  let serverJs: string;
  const running: ServerProcess[] = [];
  beforeAll(async () => {
    serverJs = await buildServer();
  }, 60_000);
  afterAll(() => {
    for (const server of running) server.child.kill('SIGKILL');
  });

  it('runs retention when it starts: a closed campaign past its retention is anonymised without npm run purge', async () => {
    const databasePath = tempDatabase();
    const db = openDatabase(databasePath);
    await addOldSignatures(db, 2);
    db.close();
    const server = await startServerProcess(serverJs, databasePath);
    running.push(server);
    // A graceful stop waits for a retention run in progress, so once it has exited the run is done.
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    const after = openDatabase(databasePath);
    expect(personal(after)).toBe(0);
    expect(
      after.prepare('SELECT last_finished_at FROM job_leases WHERE name = ?').pluck().get(RETENTION_JOB),
    ).toBeTruthy();
    after.close();
  }, 60_000);
});
