import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, validForm } from './helpers.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** Two app instances on one database, as two servers behind a balancer are. */
async function twoServers(env: Record<string, string>) {
  dir = mkdtempSync(join(tmpdir(), 'undersigned-limits-'));
  const databasePath = join(dir, 'site.db');
  return [await buildTestApp(env, {}, { databasePath }), await buildTestApp(env, {}, { databasePath })] as const;
}

describe('rate limits across servers', () => {
  it('POST /campaigns/:slug/signatures on two servers → one count per address: the limit holds across both', async () => {
    const [one, two] = await twoServers({ SIGN_RATE_LIMIT: '3' });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const app = i % 2 === 0 ? one.app : two.app;
      const res = await request(app)
        .post('/campaigns/amazon-ring/signatures')
        .type('form')
        .send(validForm({ email: `p${i}@example.org` }));
      statuses.push(res.status);
    }
    expect(statuses).toEqual([303, 303, 303, 429, 429]);
    // The database holds a code for the address, never the address.
    const keys = one.db.prepare('SELECT key_hash FROM rate_limits').pluck().all() as string[];
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.some((k) => k.includes('127.0.0.1') || k.includes('::'))).toBe(false);
  });

  it('POST /organizers/login on two servers → the sign-in limit holds across both', async () => {
    const [one, two] = await twoServers({ LOGIN_RATE_LIMIT: '2' });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await request(i % 2 === 0 ? one.app : two.app)
        .post('/organizers/login')
        .type('form')
        .send({ email: 'nobody@example.org', password: 'wrong password here' });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 2).every((s) => s !== 429)).toBe(true);
    expect(statuses[2]).toBe(429);
  });
});
