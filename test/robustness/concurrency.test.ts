import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/db.js';
import { rowCount, validForm } from '../helpers.js';
import { buildAppOver } from './app.js';
import { buildServer, sign, startServerProcess, tempDatabase, type ServerProcess } from './server-process.js';

const SIGN = '/campaigns/amazon-ring/signatures';
const counted = (db: Db): number =>
  db.prepare("SELECT signature_count FROM campaigns WHERE slug = 'amazon-ring'").pluck().get() as number;

/** Every derived total agrees with the rows it counts. */
function expectTotalsMatchRows(db: Db): void {
  const rows = rowCount(db, 'amazon-ring');
  expect(counted(db)).toBe(rows);
  for (const table of ['signature_counts_daily', 'signature_counts_hourly', 'signature_counts_by_country']) {
    expect(
      db.prepare(`SELECT coalesce(sum(count), 0) FROM ${table} WHERE campaign_slug = 'amazon-ring'`).pluck().get(),
      table,
    ).toBe(rows);
  }
}

describe('Concurrent submissions to one server', () => {
  it('stores and counts every one of many distinct signatures sent at once', async () => {
    const db = openDatabase(tempDatabase());
    const { app } = await buildAppOver(db);
    const countries = ['US', 'GB', 'DE', 'KE', 'BR'];
    const responses = await Promise.all(
      Array.from({ length: 150 }, (_, i) =>
        request(app)
          .post(SIGN)
          .type('form')
          .send(
            validForm({
              email: `many${i}@example.org`,
              country: countries[i % countries.length],
              postal_code: i % 5 === 0 ? '12345' : 'AB1 2CD',
            }),
          ),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(150).fill(303));
    expect(rowCount(db)).toBe(150);
    expectTotalsMatchRows(db);
    db.close();
  });

  it('stores one row for many simultaneous submissions of one address in any case, and answers each the same', async () => {
    const db = openDatabase(tempDatabase());
    const { app } = await buildAppOver(db);
    const spellings = ['ada@example.org', 'ADA@example.org', ' Ada@Example.Org ', 'ada@EXAMPLE.ORG'];
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        request(app)
          .post(SIGN)
          .type('form')
          .send(validForm({ email: spellings[i % spellings.length] })),
      ),
    );
    const [first] = responses;
    for (const res of responses) {
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(first!.headers.location);
      expect(res.headers['set-cookie']).toEqual(first!.headers['set-cookie']);
      expect(res.text).toBe(first!.text);
    }
    expect(rowCount(db)).toBe(1);
    expectTotalsMatchRows(db);
    db.close();
  });
});

describe('Two server processes sharing one database file', () => {
  let serverJs: string;
  const running: ServerProcess[] = [];
  beforeAll(async () => {
    serverJs = await buildServer();
  }, 180_000);
  afterAll(() => {
    for (const server of running) server.child.kill('SIGKILL');
  });

  // Two processes start, migrate and then take turns at the disk with every commit flushed to it:
  // on a loaded 2-core machine that alone can take most of vitest's default 20 s.
  it('store one row when both receive the same address at once, and every distinct one', async () => {
    const databasePath = tempDatabase();
    // Started together on a new file: both race to create it, migrate it and generate its secret.
    const [a, b] = await Promise.all([
      startServerProcess(serverJs, databasePath),
      startServerProcess(serverJs, databasePath),
    ]);
    running.push(a, b);
    const same = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        sign(i % 2 ? a.url : b.url, i % 3 ? 'same@example.org' : 'SAME@example.org'),
      ),
    );
    expect(same).toEqual(Array(30).fill(303));
    const distinct = await Promise.all(
      Array.from({ length: 120 }, (_, i) => sign(i % 2 ? a.url : b.url, `both${i}@example.org`)),
    );
    expect(distinct).toEqual(Array(120).fill(303));
    // Each process shows the count the other wrote.
    for (const server of [a, b]) {
      const json = (await (await fetch(`${server.url}/campaigns/amazon-ring.json`)).json()) as {
        signatureCount: number;
      };
      expect(json.signatureCount).toBe(121);
    }
    // Both generated-on-first-start secrets are one: a thank-you cookie from one is read by the other.
    const signed = await fetch(`${a.url}${SIGN}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(validForm({ first_name: 'Grace', email: 'both0@example.org' })).toString(),
      redirect: 'manual',
    });
    const cookie = signed.headers.get('set-cookie')!.split(';')[0]!;
    const thanks = await (await fetch(`${b.url}/campaigns/amazon-ring/thanks`, { headers: { cookie } })).text();
    expect(thanks).toContain('Thank you, Grace!');
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    expect(await a.exited).toEqual({ code: 0, signal: null });
    expect(await b.exited).toEqual({ code: 0, signal: null });
    const db = openDatabase(databasePath);
    expect(rowCount(db)).toBe(121);
    expect(db.prepare("SELECT count(*) FROM signatures WHERE email_key = 'same@example.org'").pluck().get()).toBe(1);
    expectTotalsMatchRows(db);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  }, 60_000);
});
