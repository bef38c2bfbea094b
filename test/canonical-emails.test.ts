import fc from 'fast-check';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { CampaignContentError, parseDisposableDomains } from '../src/campaigns/content.js';
import { migrate, openDatabase, type Db } from '../src/db.js';
import { createPrivacyRepository } from '../src/privacy/sqlite.js';
import { emailKey, PLUS_TAG_DOMAINS } from '../src/signatures/emailKey.js';
import { buildTestApp, rowCount, validForm, NOW } from './helpers.js';
import { migrationsUpTo } from './migration-helpers.js';

describe('emailKey', () => {
  it.each([
    ['j.o.h.n+1@gmail.com', 'john@gmail.com'],
    ['  John@Gmail.com ', 'john@gmail.com'],
    ['J.Ohn+news+more@googlemail.com', 'john@gmail.com'],
    ['+tag@gmail.com', '+tag@gmail.com'],
    ['ann.lee+petitions@fastmail.com', 'ann.lee@fastmail.com'],
    ['Ann+x@proton.me', 'ann@proton.me'],
    // Elsewhere a dot or a tag may be another person's address: only the letter case goes.
    ['j.o.h.n+1@example.org', 'j.o.h.n+1@example.org'],
    ['Ann.Lee+x@Outlook.com', 'ann.lee+x@outlook.com'],
    ['ÉMILE@exemple.fr', 'émile@exemple.fr'],
  ])('%s → %s', (email, key) => {
    expect(emailKey(email)).toBe(key);
  });
});

/** A database as it was before migration 012, with signatures stored under the old key. */
function before012(): Db {
  const db = openDatabase(':memory:', { migrationsDir: migrationsUpTo(11) });
  db.prepare("INSERT INTO campaigns (slug) VALUES ('amazon-ring'), ('library-hours')").run();
  return db;
}
const oldKey = (email: string) => email.trim().toLowerCase();
function storeOld(db: Db, email: string, campaign = 'amazon-ring', at = NOW) {
  return Number(
    db
      .prepare(
        `INSERT INTO signatures (campaign_slug, first_name, last_name, email, email_key, country, opted_in,
                                 consent_version, created_at)
         VALUES (?, 'Ada', 'Lovelace', ?, ?, 'GB', 0, 'v1', ?)`,
      )
      .run(campaign, email, oldKey(email), at).lastInsertRowid,
  );
}

const LOCAL_CHARS = fc.constantFrom(...'abcXYZ09._+-éÅ'.split(''));
const DOMAINS = fc.constantFrom('gmail.com', 'GoogleMail.com', 'example.org', 'Outlook.com', ...PLUS_TAG_DOMAINS);
const address = fc
  .tuple(fc.array(LOCAL_CHARS, { minLength: 1, maxLength: 12 }), DOMAINS)
  .map(([local, domain]) => `${local.join('')}@${domain}`);

describe('migration 012', () => {
  it('recomputes every stored key in SQL exactly as emailKey() computes it', () => {
    fc.assert(
      fc.property(fc.uniqueArray(address, { minLength: 1, maxLength: 40, selector: oldKey }), (emails) => {
        const db = before012();
        // Each in its own campaign row would need campaigns; distinct keys are enough to compare.
        const ids = emails.map((email) => storeOld(db, email));
        migrate(db);
        const keys = db.prepare('SELECT id, email_key AS key FROM signatures').all() as { id: number; key: string }[];
        const byId = new Map(keys.map((k) => [k.id, k.key]));
        ids.forEach((id, i) => expect(byId.get(id)).toBe(emailKey(emails[i] as string)));
      }),
      { numRuns: 60 },
    );
  });

  it('keeps the first of two signatures that become one address, and every later one counted and marked', () => {
    const db = before012();
    const first = storeOld(db, 'john@gmail.com', 'amazon-ring', '2026-11-01T10:00:00.000Z');
    const later = storeOld(db, 'J.ohn+petition@gmail.com', 'amazon-ring', '2026-11-02T10:00:00.000Z');
    const elsewhere = storeOld(db, 'j.o.h.n@googlemail.com', 'library-hours');
    const unrelated = storeOld(db, 'j.ohn@example.org');
    migrate(db);
    const rows = db.prepare('SELECT id, email_key AS key, duplicate_id AS dup FROM signatures ORDER BY id').all();
    expect(rows).toEqual([
      { id: first, key: 'john@gmail.com', dup: 0 },
      { id: later, key: 'john@gmail.com', dup: later },
      { id: elsewhere, key: 'john@gmail.com', dup: 0 },
      { id: unrelated, key: 'j.ohn@example.org', dup: 0 },
    ]);
    // Nothing deleted, nothing uncounted.
    expect(db.prepare("SELECT signature_count FROM campaigns WHERE slug = 'amazon-ring'").pluck().get()).toBe(3);
    // The address still signs once: a new spelling of it is a duplicate of the first.
    expect(() => storeOld(db, 'john@gmail.com')).toThrow(/UNIQUE/);
  });

  it('moves suppressed addresses to their canonical key, two that become one as one', () => {
    const db = before012();
    const suppress = db.prepare(
      "INSERT INTO mail_suppressions (address_key, reason, created_at) VALUES (?, '550 no such user', ?)",
    );
    suppress.run('john+a@gmail.com', NOW);
    suppress.run('j.ohn@gmail.com', NOW);
    suppress.run('ann@example.org', NOW);
    migrate(db);
    expect(db.prepare('SELECT address_key FROM mail_suppressions ORDER BY 1').pluck().all()).toEqual([
      'ann@example.org',
      'john@gmail.com',
    ]);
  });

  it('a data request by any spelling finds the marked repeats too, and erases them', async () => {
    const db = before012();
    storeOld(db, 'john@gmail.com');
    storeOld(db, 'J.ohn+petition@gmail.com');
    migrate(db);
    const privacy = createPrivacyRepository(db);
    expect(await privacy.signaturesByEmail('JOHN+x@googlemail.com')).toHaveLength(2);
    await privacy.eraseByEmail('j.o.h.n@gmail.com');
    expect(db.prepare('SELECT count(*) FROM signatures').pluck().get()).toBe(0);
  });
});

describe('POST /campaigns/:slug/signatures with canonical addresses', () => {
  it('j.o.h.n+1@gmail.com after john@gmail.com → one signature, the same answer to both', async () => {
    const t = await buildTestApp();
    const first = await request(t.app)
      .post('/campaigns/amazon-ring/signatures')
      .type('form')
      .send(validForm({ email: 'john@gmail.com' }));
    const second = await request(t.app)
      .post('/campaigns/amazon-ring/signatures')
      .type('form')
      .send(validForm({ email: 'j.o.h.n+1@gmail.com' }));
    expect(first.status).toBe(303);
    expect([second.status, second.headers.location]).toEqual([first.status, first.headers.location]);
    expect(rowCount(t.db, 'amazon-ring')).toBe(1);
    expect(t.db.prepare('SELECT email, email_key FROM signatures').get()).toEqual({
      email: 'john@gmail.com',
      email_key: 'john@gmail.com',
    });
    expect((await t.repos.campaigns.totals('amazon-ring')).signatureCount).toBe(1);
  });

  it('an address at a listed disposable domain (or under one) → 422 saying why, nothing stored', async () => {
    const t = await buildTestApp();
    for (const email of ['bot@mailinator.com', 'bot@eu.Mailinator.com']) {
      const res = await request(t.app)
        .post('/campaigns/amazon-ring/signatures')
        .type('form')
        .send(validForm({ email }));
      expect(res.status).toBe(422);
      expect(res.text).toContain(
        `Enter an email address of your own: addresses at ${email.split('@')[1]?.toLowerCase()} are disposable (anyone can read their mail), so they cannot sign`,
      );
      // The values come back, the address included, for the person to change.
      expect(res.text).toContain(`value="${email}"`);
    }
    expect(rowCount(t.db)).toBe(0);
  });

  it('a domain that only ends like a listed one (notmailinator.com) → signs', async () => {
    const t = await buildTestApp();
    await request(t.app)
      .post('/campaigns/amazon-ring/signatures')
      .type('form')
      .send(validForm({ email: 'ann@notmailinator.com' }))
      .expect(303);
    expect(rowCount(t.db)).toBe(1);
  });
});

describe('disposable-domains.txt', () => {
  it('reads one domain a line, lower-cased, skipping comments and blank lines', () => {
    const domains = parseDisposableDomains(
      'campaigns/disposable-domains.txt',
      '# list\n\nMailinator.com\nyopmail.com # fr\n',
    );
    expect([...domains]).toEqual(['mailinator.com', 'yopmail.com']);
  });

  it('a line that is not a domain stops start-up, naming the file and line', () => {
    expect(() => parseDisposableDomains('campaigns/disposable-domains.txt', 'mailinator.com\n@yopmail.com\n')).toThrow(
      CampaignContentError,
    );
    expect(() => parseDisposableDomains('campaigns/disposable-domains.txt', 'mailinator.com\n@yopmail.com\n')).toThrow(
      /disposable-domains\.txt line 2: "@yopmail\.com" is not a domain name/,
    );
  });
});
