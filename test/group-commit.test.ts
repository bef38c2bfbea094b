import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db.js';
import { createRepositories } from '../src/repositories.js';
import type { NewSignature } from '../src/signatures/repository.js';
import { buildTestApp, rowCount, validForm } from './helpers.js';

// Signatures arriving in the same turn of the event loop are written in one transaction (group
// commit, src/signatures/repository.ts). What each signer is told must not change because of it.

/** Repositories over a fresh database, counting the transactions their code runs. */
async function repositories() {
  const db = openDatabase(':memory:');
  const transaction = db.transaction.bind(db);
  let transactions = 0;
  db.transaction = ((fn: (...args: never[]) => unknown) =>
    transaction((...args: never[]) => {
      transactions++;
      return fn(...args);
    })) as typeof db.transaction;
  const repos = createRepositories(db);
  await repos.campaigns.register(['amazon-ring', 'other']);
  return { db, repos, transactions: () => transactions };
}

const signature = (n: number, overrides: Partial<NewSignature> = {}): NewSignature => ({
  firstName: 'Ada',
  lastName: `Lovelace ${n}`,
  email: `ada${n}@example.org`,
  country: 'US',
  postalCode: '12345',
  comment: null,
  optedIn: n % 2 === 0,
  campaignSlug: 'amazon-ring',
  consentVersion: 'v1',
  sourceHash: null,
  createdAt: new Date('2026-11-28T12:00:00.000Z'),
  ...overrides,
});

describe('group commit of signatures', () => {
  it('many adds in one turn → one transaction, each told added or duplicate correctly', async () => {
    const { db, repos, transactions } = await repositories();
    const before = transactions();
    const results = await Promise.all([
      ...Array.from({ length: 50 }, (_, n) => repos.signatures.add(signature(n))),
      repos.signatures.add(signature(7, { email: ' ADA7@example.org ' })),
      repos.signatures.add(signature(7, { campaignSlug: 'other' })),
    ]);
    expect(transactions() - before).toBe(1);
    expect(results.filter((r) => r === 'added')).toHaveLength(51);
    expect(results[50]).toBe('duplicate');
    expect(results[51]).toBe('added');
    expect(rowCount(db, 'amazon-ring')).toBe(50);
    const totals = await repos.campaigns.totals('amazon-ring');
    expect(totals.signatureCount).toBe(50);
    expect(totals.optedInCount).toBe(25);
  });

  it('one row breaking a constraint → only that signer fails; the rest of the batch is kept', async () => {
    const { db, repos } = await repositories();
    const results = await Promise.allSettled([
      repos.signatures.add(signature(1)),
      repos.signatures.add(signature(2, { campaignSlug: 'no-such-campaign' })),
      repos.signatures.add(signature(3, { country: 'USA' })),
      repos.signatures.add(signature(4)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason.code)).toMatch(/^SQLITE_CONSTRAINT/);
    expect(rowCount(db, 'amazon-ring')).toBe(2);
    expect((await repos.campaigns.totals('amazon-ring')).signatureCount).toBe(2);
  });

  it('the database refusing the write → every signer in the batch fails, nothing is kept, later ones succeed', async () => {
    const { db, repos } = await repositories();
    db.pragma('query_only = 1');
    const refused = await Promise.allSettled([1, 2, 3].map((n) => repos.signatures.add(signature(n))));
    expect(refused.every((r) => r.status === 'rejected')).toBe(true);
    expect(String((refused[0] as PromiseRejectedResult).reason.code)).toMatch(/^SQLITE_READONLY/);
    expect(rowCount(db, 'amazon-ring')).toBe(0);
    db.pragma('query_only = 0');
    expect(await repos.signatures.add(signature(4))).toBe('added');
    expect(await repos.signatures.add(signature(5))).toBe('added');
    expect((await repos.campaigns.totals('amazon-ring')).signatureCount).toBe(2);
  });

  it('adds in different turns → each written in its own turn, none waits for another', async () => {
    const { db, repos, transactions } = await repositories();
    const before = transactions();
    expect(await repos.signatures.add(signature(1))).toBe('added');
    expect(rowCount(db, 'amazon-ring')).toBe(1);
    expect(await repos.signatures.add(signature(1))).toBe('duplicate');
    expect(transactions() - before).toBe(2);
  });

  it('over HTTP: simultaneous POSTs are each answered 303 and each counted', async () => {
    const { app, db } = await buildTestApp();
    const sent = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        request(app)
          .post('/campaigns/amazon-ring/signatures')
          .type('form')
          .send(validForm({ email: `p${n}@example.org` })),
      ),
    );
    expect(sent.map((r) => r.status)).toEqual(Array(20).fill(303));
    expect(rowCount(db, 'amazon-ring')).toBe(20);
  });
});
