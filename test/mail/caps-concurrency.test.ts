import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTestApp, validForm, type TestApp } from '../helpers.js';
import { fixtureCatalog } from '../privacy-helpers.js';
import { BASE_URL, MAIL_FROM } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'mail-caps-'));
const apps: TestApp[] = [];
afterAll(async () => {
  for (const t of apps) t.db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A server confirming both fixture campaigns by email, on the shared database, allowing one email per address a day. */
async function server(databasePath: string): Promise<TestApp> {
  const t = await buildTestApp(
    // No sender runs: the test reads what was queued in the outbox.
    { SMTP_URL: 'smtp://127.0.0.1:9', BASE_URL, MAIL_FROM },
    {},
    {
      campaigns: fixtureCatalog({ 'amazon-ring': { confirmEmail: true }, 'library-hours': { confirmEmail: true } }),
      databasePath,
    },
  );
  t.config.mail.caps = { perSignature: 5, perAddressPerDay: 1 };
  apps.push(t);
  return t;
}

const sign = (t: TestApp, slug: string, email: string) =>
  request(t.app).post(`/campaigns/${slug}/signatures`).type('form').send(validForm({ email }));

describe('the daily email cap per address, with two servers on one database', () => {
  it('one address signing two campaigns on two servers at the same instant → one email, never two', async () => {
    const databasePath = join(dir, 'shared.db');
    const one = await server(databasePath);
    const two = await server(databasePath);
    // Each round, the same new address signs one campaign on each server at once: both check the
    // day's count for the address before either has stored its row.
    const rounds = 25;
    for (let round = 0; round < rounds; round++) {
      const email = `racer${round}@example.org`;
      const answers = await Promise.all([sign(one, 'amazon-ring', email), sign(two, 'library-hours', email)]);
      expect(answers.map((a) => a.status)).toEqual([303, 303]);
    }
    const perAddress = one.db
      .prepare('SELECT to_address AS "to", count(*) AS n FROM mail_outbox GROUP BY to_address ORDER BY to_address')
      .all() as { to: string; n: number }[];
    expect(perAddress).toHaveLength(rounds);
    expect(perAddress.filter((row) => Number(row.n) !== 1)).toEqual([]);
    // Both signatures of each address are stored, one of them pending without an email.
    const stored = one.db.prepare('SELECT count(*) AS n FROM signatures').get() as { n: number };
    expect(Number(stored.n)).toBe(2 * rounds);
  });
});
