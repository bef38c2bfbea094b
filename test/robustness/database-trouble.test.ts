import { statSync } from 'node:fs';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/db.js';
import type { Repositories } from '../../src/repositories.js';
import { NOW, rowCount, validForm } from '../helpers.js';
import { buildAppOver } from './app.js';
import { holdWriteLock } from './lock-holder.js';
import { tempDatabase } from './server-process.js';

const SIGN = '/campaigns/amazon-ring/signatures';
const opened: Db[] = [];
const open = (path: string, options?: { readonly?: boolean }): Db => {
  const db = openDatabase(path, options);
  opened.push(db);
  return db;
};
afterEach(() => {
  for (const db of opened.splice(0)) if (db.open) db.close();
});

const counted = (db: Db): number =>
  db.prepare("SELECT signature_count FROM campaigns WHERE slug = 'amazon-ring'").pluck().get() as number;

/** The supporter sees "please try again", with nothing acknowledged: no redirect, no thank-you cookie. */
function expectTryAgain(res: request.Response): void {
  expect(res.status).toBe(503);
  expect(res.text).toContain('Sorry, please try again in a moment');
  expect(res.text).toContain('Nothing was recorded');
  expect(res.headers['retry-after']).toBe('5');
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers['set-cookie']).toBeUndefined();
  expect(res.headers.location).toBeUndefined();
  // Internals stay hidden.
  expect(res.text).not.toMatch(/SQLITE|SqliteError|at .*\.js/);
}

/** Makes signatures.add fail with a given SQLite code until healed, as a full or failing disk would. */
function faultySignatures(code: string) {
  const state = { failing: true };
  const wrap = (repos: Repositories): Repositories => ({
    ...repos,
    signatures: {
      ...repos.signatures,
      add: async (signature) => {
        if (state.failing) throw Object.assign(new Error(`${code}: injected`), { code });
        return repos.signatures.add(signature);
      },
    },
  });
  return { state, wrap };
}

describe('POST /campaigns/:slug/signatures when the database is in trouble', () => {
  it.each(['SQLITE_FULL', 'SQLITE_IOERR_WRITE', 'SQLITE_READONLY', 'SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_CANTOPEN'])(
    'answers %s with 503 "please try again", and signs normally once the database recovers',
    async (code) => {
      const db = open(':memory:');
      const faults = faultySignatures(code);
      const { app } = await buildAppOver(db, { wrap: faults.wrap });
      expectTryAgain(await request(app).post(SIGN).type('form').send(validForm()));
      expect(rowCount(db)).toBe(0);
      faults.state.failing = false;
      const res = await request(app).post(SIGN).type('form').send(validForm()).expect(303);
      expect(res.headers.location).toBe('/campaigns/amazon-ring/thanks');
      expect(rowCount(db)).toBe(1);
      expect(counted(db)).toBe(1);
    },
  );

  it('answers 503 when the disk is really full (SQLite max_page_count), and recovers when space returns', async () => {
    const db = open(':memory:');
    const { app } = await buildAppOver(db);
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    // Fill the last free pages, so the next signature needs a page the "disk" does not have.
    let i = 0;
    for (;;) {
      const res = await request(app)
        .post(SIGN)
        .type('form')
        .send(validForm({ email: `filler${i++}@example.org`, comment: 'x'.repeat(900) }));
      if (res.status === 503) {
        expectTryAgain(res);
        break;
      }
      expect(res.status).toBe(303);
    }
    const before = rowCount(db);
    expect(counted(db)).toBe(before);
    expectTryAgain(
      await request(app)
        .post(SIGN)
        .type('form')
        .send(validForm({ comment: 'y'.repeat(900) })),
    );
    expect(rowCount(db)).toBe(before);
    // The page still renders while writes fail: people can read the campaign.
    await request(app).get('/').expect(200);

    db.pragma(`max_page_count = ${pages * 100}`);
    await request(app)
      .post(SIGN)
      .type('form')
      .send(validForm({ comment: 'y'.repeat(900) }))
      .expect(303);
    expect(rowCount(db)).toBe(before + 1);
    expect(counted(db)).toBe(before + 1);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('another process holding the write lock → pages and JSON answered while a signature waits; it gets 503, nothing acknowledged is lost', async () => {
    const path = tempDatabase();
    const db = open(path);
    const adding: (() => void)[] = [];
    const { app } = await buildAppOver(db, {
      writeWaitMs: 300,
      // Only to learn when the signature has reached the database; the write itself is the real one.
      wrap: (repos) => ({
        ...repos,
        signatures: {
          ...repos.signatures,
          add: (s) => (adding.splice(0).forEach((f) => f()), repos.signatures.add(s)),
        },
      }),
    });
    const acknowledged: string[] = [];
    for (const email of ['a@example.org', 'b@example.org']) {
      await request(app).post(SIGN).type('form').send(validForm({ email })).expect(303);
      acknowledged.push(email);
    }
    await request(app).get('/campaigns/amazon-ring').expect(200);

    const lock = await holdWriteLock(path);
    const order: string[] = [];
    const reachedDatabase = new Promise<void>((resolve) => adding.push(resolve));
    const signing = request(app)
      .post(SIGN)
      .type('form')
      .send(validForm({ email: 'c@example.org' }))
      .then((res) => (order.push('signature answered'), res));
    await reachedDatabase;
    // The signature is now waiting for the lock. Before this fix it waited on the main thread, and
    // these were answered only after it had given up.
    const [page, json] = await Promise.all([
      request(app)
        .get('/campaigns/amazon-ring')
        .then((res) => (order.push('page answered'), res)),
      request(app)
        .get('/campaigns/amazon-ring.json')
        .then((res) => (order.push('json answered'), res)),
    ]);
    expect(lock.holding).toBe(true);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Signed, 2 people and counting');
    expect(json.status).toBe(200);
    expect(json.body.signatureCount).toBe(2);
    expectTryAgain(await signing);
    expect(order.indexOf('signature answered')).toBe(2);
    expect(lock.holding).toBe(true);

    await lock.release();
    await request(app)
      .post(SIGN)
      .type('form')
      .send(validForm({ email: 'c@example.org' }))
      .expect(303);
    acknowledged.push('c@example.org');
    const stored = db.prepare('SELECT email FROM signatures ORDER BY id').pluck().all();
    expect(stored).toEqual(acknowledged);
    expect(counted(db)).toBe(3);
  });

  it('answers 503 when the database file can only be read, while pages keep rendering', async () => {
    const path = tempDatabase();
    open(path).close();
    const readonly = open(path, { readonly: true });
    const { app } = await buildAppOver(readonly);
    expectTryAgain(await request(app).post(SIGN).type('form').send(validForm()));
    await request(app).get('/campaigns/amazon-ring').expect(200);
    // The same file opened for writing again (the operator fixed the mount): signing works.
    const writable = open(path);
    const { app: recovered } = await buildAppOver(writable);
    await request(recovered).post(SIGN).type('form').send(validForm()).expect(303);
    expect(rowCount(writable)).toBe(1);
  });
});

describe('GET /healthz: whether a signature could be written now', () => {
  const probedAt = (db: Db) => db.prepare('SELECT checked_at FROM health_probe').pluck().get();

  it('a healthy database → 200, writing its probe at most once a second however often it is asked', async () => {
    const db = open(tempDatabase());
    const { app, clock } = await buildAppOver(db);
    const res = await request(app).get('/healthz').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(probedAt(db)).toBe(NOW);
    clock.advance(900);
    await request(app).get('/healthz').expect(200);
    expect(probedAt(db)).toBe(NOW);
    clock.advance(100);
    await request(app).get('/healthz').expect(200);
    expect(probedAt(db)).toBe(new Date(Date.parse(NOW) + 1000).toISOString());
  });

  it('the database closed → 503 "database unavailable"', async () => {
    const db = open(':memory:');
    const { app, clock } = await buildAppOver(db);
    await request(app).get('/healthz').expect(200);
    db.close();
    clock.advance(1000);
    const res = await request(app).get('/healthz').expect(503);
    expect(res.body).toEqual({ status: 'database unavailable', problem: 'database unavailable' });
  });

  it('the file can only be read → 503 "read-only", though the database answers queries', async () => {
    const path = tempDatabase();
    open(path).close();
    const { app } = await buildAppOver(open(path, { readonly: true }));
    const res = await request(app).get('/healthz').expect(503);
    expect(res.body.problem).toBe('read-only');
    expect(res.headers['retry-after']).toBe('5');
  });

  it('the disk full (SQLite max_page_count) → 503 "disk full"; 200 again once there is room', async () => {
    const db = open(':memory:');
    const { app, clock } = await buildAppOver(db);
    // No free pages left over from the migrations (017 drops an index): the disk is full for every write.
    db.exec('VACUUM');
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    for (let i = 0; ; i++) {
      const res = await request(app)
        .post(SIGN)
        .type('form')
        .send(validForm({ email: `filler${i}@example.org`, comment: 'x'.repeat(900) }));
      if (res.status === 503) break;
    }
    expect((await request(app).get('/healthz').expect(503)).body.problem).toBe('disk full');
    db.pragma(`max_page_count = ${pages * 100}`);
    clock.advance(1000);
    await request(app).get('/healthz').expect(200);
  });

  it('another process holding the write lock too long → 503 "locked"; 200 once it lets go', async () => {
    const path = tempDatabase();
    const db = open(path);
    const { app, clock } = await buildAppOver(db, { writeWaitMs: 200 });
    const lock = await holdWriteLock(path);
    const res = await request(app).get('/healthz').expect(503);
    expect(res.body.problem).toBe('locked');
    expect(lock.holding).toBe(true);
    await lock.release();
    clock.advance(1000);
    await request(app).get('/healthz').expect(200);
  });
});

describe('GET campaign pages when the count cannot be read', () => {
  /** campaigns.totals failing with a SQLite code until healed, as a read would while the file is in trouble. */
  function faultyReads(code: string) {
    const state = { failing: false };
    const wrap = (repos: Repositories): Repositories => ({
      ...repos,
      campaigns: {
        ...repos.campaigns,
        totals: async (slug) => {
          if (state.failing) throw Object.assign(new Error(`${code}: injected`), { code });
          return repos.campaigns.totals(slug);
        },
      },
    });
    return { state, wrap };
  }

  it('the read failing (SQLITE_BUSY) → the page and JSON last prepared are served, not an error', async () => {
    const db = open(':memory:');
    const faults = faultyReads('SQLITE_BUSY');
    const { app } = await buildAppOver(db, { wrap: faults.wrap });
    await request(app).post(SIGN).type('form').send(validForm()).expect(303);
    const page = await request(app).get('/campaigns/amazon-ring').expect(200);
    const json = await request(app).get('/campaigns/amazon-ring.json').expect(200);
    faults.state.failing = true;
    const keptPage = await request(app).get('/campaigns/amazon-ring').expect(200);
    expect(keptPage.text).toBe(page.text);
    const keptJson = await request(app).get('/campaigns/amazon-ring.json').expect(200);
    expect(keptJson.body).toEqual(json.body);
    faults.state.failing = false;
    await request(app)
      .post(SIGN)
      .type('form')
      .send(validForm({ email: 'b@example.org' }))
      .expect(303);
    expect((await request(app).get('/campaigns/amazon-ring.json').expect(200)).body.signatureCount).toBe(2);
  });

  it('the read failing before any copy was made → 503 "please try again", never a 500', async () => {
    const db = open(':memory:');
    const faults = faultyReads('SQLITE_IOERR_READ');
    const { app } = await buildAppOver(db, { wrap: faults.wrap });
    faults.state.failing = true;
    const res = await request(app).get('/campaigns/amazon-ring.json');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
  });
});

describe('The write-ahead log', () => {
  it('stays bounded while signatures arrive and other connections keep reading', async () => {
    const path = tempDatabase();
    const db = open(path);
    // This is about the log's size, not durability: 2,500 flushes to the disk would only make it slow.
    db.pragma('synchronous = NORMAL');
    const { repos } = await buildAppOver(db);
    // Other processes read all the time (a second server, an export): short reads between the writes,
    // and now and then a long one that holds its snapshot across many writes.
    const reader = open(path, { readonly: true });
    const readCount = reader.prepare('SELECT count(*) FROM signatures').pluck();
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    let largestWal = 0;
    const writes = 2500;
    for (let i = 0; i < writes; i++) {
      if (i % 500 === 100) reader.exec('BEGIN');
      if (i % 500 === 200) reader.exec('COMMIT');
      readCount.get();
      await repos.campaigns.totals('amazon-ring');
      await repos.signatures.add({
        firstName: 'Ada',
        lastName: 'Lovelace',
        email: `wal${i}@example.org`,
        country: 'US',
        postalCode: '12345',
        comment: null,
        optedIn: false,
        campaignSlug: 'amazon-ring',
        consentVersion: 'test',
        sourceHash: null,
        createdAt: new Date(NOW),
      });
      largestWal = Math.max(largestWal, statSync(`${path}-wal`).size);
    }
    // Each signature rewrites several pages (the row, its indexes, the counters), so without
    // checkpoints the log would hold ~10 pages per signature. With them it stays within a few
    // multiples of the 1000-page autocheckpoint mark, however many signatures arrive.
    const uncheckpointed = writes * 5 * pageSize;
    expect(largestWal).toBeLessThan(uncheckpointed / 4);
    expect(largestWal).toBeLessThan(4_000 * (pageSize + 24));
    expect(rowCount(db)).toBe(writes);
    expect(readCount.get()).toBe(writes);
  });
});
