import { fsync, statSync } from 'node:fs';
import request from 'supertest';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  flushOffMainThread,
  neverBlockOnLocks,
  openDatabase,
  stopFlushing,
  type Db,
  type SyncFile,
} from '../../src/db.js';
import { createRepositories } from '../../src/repositories.js';
import { validForm } from '../helpers.js';
import { buildAppOver } from './app.js';
import { tempDatabase } from './server-process.js';

const SIGN = '/campaigns/amazon-ring/signatures';
const opened: Db[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) {
    stopFlushing(db);
    if (db.open) db.close();
  }
});
const open = (path: string, options?: { readonly?: boolean }) => {
  const db = openDatabase(path, options);
  opened.push(db);
  return db;
};

describe('Durable commits', () => {
  it('a database file, as the tools open it → write-ahead log with synchronous=FULL: each commit is on the disk before it returns', () => {
    const db = open(tempDatabase());
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    // 2 is FULL; NORMAL (1) left commits in the page cache, lost on power loss (issue 11).
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
  });

  it('POST a signature → the 303 is sent only once another connection can read the committed row', async () => {
    const path = tempDatabase();
    const { app } = await buildAppOver(open(path));
    const reader = open(path, { readonly: true });
    const find = reader.prepare('SELECT count(*) FROM signatures WHERE email = ?').pluck();
    for (let n = 0; n < 5; n++) {
      const email = `durable${n}@example.org`;
      await request(app).post(SIGN).type('form').send(validForm({ email })).expect(303);
      expect(find.get(email)).toBe(1);
    }
  });

  it('a server connection → synchronous=NORMAL, and every thanked signature had a flush of the log to the disk after it', async () => {
    const path = tempDatabase();
    const db = open(path);
    let flushes = 0;
    const sync: SyncFile = (fd) =>
      new Promise((resolve, reject) =>
        fsync(fd, (error) => {
          flushes++;
          return error ? reject(error) : resolve();
        }),
      );
    const { app } = await buildAppOver(db, { sync });
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    for (let n = 0; n < 3; n++) {
      const before = flushes;
      await request(app)
        .post(SIGN)
        .type('form')
        .send(validForm({ email: `flushed${n}@example.org` }))
        .expect(303);
      expect(flushes).toBeGreaterThan(before);
    }
  });

  it('POST a signature → no answer until the flush of the log ends, though the row is already committed', async () => {
    const path = tempDatabase();
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let flushStarted: () => void = () => {};
    const started = new Promise<void>((resolve) => (flushStarted = resolve));
    const sync: SyncFile = async () => {
      flushStarted();
      await held;
    };
    const { app } = await buildAppOver(open(path), { sync });
    const reader = open(path, { readonly: true });
    let answered = false;
    const answer = request(app)
      .post(SIGN)
      .type('form')
      .send(validForm({ email: 'held@example.org' }))
      .then((res) => {
        answered = true;
        return res;
      });
    await started;
    // The commit is done and readable; the signer has heard nothing, and hears once the disk has it.
    expect(reader.prepare('SELECT count(*) FROM signatures').pluck().get()).toBe(1);
    // A whole request answered meanwhile: a 303 sent without waiting for the flush would be in by now.
    await request(app).get('/campaigns/amazon-ring.json').expect(200);
    expect(answered).toBe(false);
    release();
    expect((await answer).status).toBe(303);
  });

  it('the flush fails (an I/O error) → 503 "try again", for that signer and every later one: nothing is thanked that may not be on the disk', async () => {
    const path = tempDatabase();
    const sync: SyncFile = () => Promise.reject(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
    const { app } = await buildAppOver(open(path), { sync });
    for (const email of ['eio1@example.org', 'eio2@example.org']) {
      const res = await request(app).post(SIGN).type('form').send(validForm({ email }));
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
    }
  });
});

describe('Checkpoints off the main thread', () => {
  it('a server connection → the checkpoint thread copies the log into the file before the connection would', async () => {
    const path = tempDatabase();
    const db = open(path);
    flushOffMainThread(db);
    db.exec('CREATE TABLE filler (b BLOB)');
    const fileBefore = statSync(path).size;
    // 500 pages: under the 1,000 at which the connection would checkpoint in its own commit.
    const add = db.prepare('INSERT INTO filler VALUES (randomblob(4000))');
    db.transaction(() => {
      for (let i = 0; i < 500; i++) add.run();
    })();
    // The file grows only when a checkpoint copies the pages into it; this connection made none.
    await vi.waitFor(() => expect(statSync(path).size).toBeGreaterThan(fileBefore + 500 * 4000), {
      timeout: 10_000,
      interval: 10,
    });
    expect(db.prepare('SELECT count(*) FROM filler').pluck().get()).toBe(500);
  });
  // That the log stays bounded with the thread running is database-trouble.test.ts, "stays bounded".
});

describe('Erasing and the write-ahead log', () => {
  it('a reader holding the log when an address is erased → erasing waits for it, and the log is emptied all the same', async () => {
    const path = tempDatabase();
    const db = open(path);
    const repos = createRepositories(db);
    await repos.campaigns.register(['c']);
    neverBlockOnLocks(db);
    await repos.signatures.add({
      campaignSlug: 'c',
      firstName: 'Grace',
      lastName: 'Hopper',
      email: 'grace@example.org',
      country: 'US',
      postalCode: null,
      comment: null,
      optedIn: false,
      consentVersion: 'v1',
      sourceHash: null,
      createdAt: new Date('2026-11-28T12:00:00.000Z'),
    });
    // Another process in the middle of a read (an export, say): its snapshot keeps the log in use.
    const reader = open(path, { readonly: true });
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM signatures').get();
    setTimeout(() => reader.exec('COMMIT'), 30);
    expect(await repos.privacy.eraseByEmail('grace@example.org')).toEqual([{ campaignSlug: 'c', erased: 1 }]);
    expect(reader.inTransaction).toBe(false);
    expect(statSync(`${path}-wal`).size).toBe(0);
  });
});
