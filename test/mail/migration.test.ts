import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS_DIR } from '../../src/db.js';

describe('migration 007 (email confirmation)', () => {
  it('signatures made before it → confirmed and still counted; the triggers count confirmed ones only', () => {
    const before = mkdtempSync(join(tmpdir(), 'undersigned-migrations-'));
    try {
      for (const f of readdirSync(MIGRATIONS_DIR).filter((f) => f < '007'))
        cpSync(join(MIGRATIONS_DIR, f), join(before, f));
      const db = new Database(':memory:');
      db.pragma('foreign_keys = ON');
      migrate(db, before);
      db.prepare("INSERT INTO campaigns (slug) VALUES ('c')").run();
      const add = db.prepare(
        `INSERT INTO signatures (campaign_slug, first_name, last_name, email, email_key, country, opted_in, consent_version, created_at)
         VALUES ('c', 'A', 'B', ?, ?, 'US', 1, 'v1', '2026-11-01T10:00:00.000Z')`,
      );
      add.run('one@example.org', 'one@example.org');
      add.run('two@example.org', 'two@example.org');
      migrate(db, MIGRATIONS_DIR);
      const totals = () =>
        db.prepare('SELECT signature_count AS n, pending_count AS p, opted_in_count AS o FROM campaigns').get();
      expect(db.prepare('SELECT DISTINCT status FROM signatures').pluck().all()).toEqual(['confirmed']);
      expect(totals()).toEqual({ n: 2, p: 0, o: 2 });

      db.prepare(
        `INSERT INTO signatures (campaign_slug, first_name, last_name, email, email_key, country, opted_in, consent_version, created_at, status)
         VALUES ('c', 'A', 'B', 'p@example.org', 'p@example.org', 'FR', 1, 'v1', '2026-11-02T10:00:00.000Z', 'pending')`,
      ).run();
      expect(totals()).toEqual({ n: 2, p: 1, o: 2 });
      const country = () =>
        db
          .prepare("SELECT coalesce(sum(count), 0) FROM signature_counts_by_country WHERE country = 'FR'")
          .pluck()
          .get();
      expect(country()).toBe(0);
      db.prepare(
        "UPDATE signatures SET status = 'confirmed', confirmed_at = '2026-11-03T00:00:00.000Z' WHERE email_key = 'p@example.org'",
      ).run();
      expect(totals()).toEqual({ n: 3, p: 0, o: 3 });
      expect(country()).toBe(1);
      expect(() =>
        db.prepare("UPDATE signatures SET status = 'pending' WHERE email_key = 'p@example.org'").run(),
      ).toThrow(/never becomes pending again/);
      expect(() =>
        db.prepare("UPDATE signatures SET status = 'maybe' WHERE email_key = 'p@example.org'").run(),
      ).toThrow();
      db.prepare("DELETE FROM signatures WHERE email_key = 'p@example.org'").run();
      expect(totals()).toEqual({ n: 2, p: 0, o: 2 });
      expect(country()).toBe(0);
    } finally {
      rmSync(before, { recursive: true, force: true });
    }
  });
});
