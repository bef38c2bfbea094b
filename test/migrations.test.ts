import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS_DIR, openDatabase } from '../src/db.js';

describe('migrations', () => {
  it('applies every migration once, in order, and records it', () => {
    const db = openDatabase(':memory:');
    const recorded = db.prepare('SELECT id, name FROM schema_migrations ORDER BY id').all() as {
      id: number;
      name: string;
    }[];
    expect(recorded[0]).toEqual({ id: 1, name: '001_signatures.sql' });
    expect(recorded.map((r) => r.id)).toEqual([...recorded.map((r) => r.id)].sort((a, b) => a - b));
    expect(migrate(db, MIGRATIONS_DIR)).toEqual([]);
    expect(db.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBe(recorded.length);
  });

  it('keeps the database in WAL mode when it is a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'db-'));
    const db = openDatabase(join(dir, 'x.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('rolls back a failing migration whole and does not record it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
    writeFileSync(join(dir, '001_ok.sql'), 'CREATE TABLE a (x INTEGER);');
    writeFileSync(join(dir, '002_bad.sql'), 'CREATE TABLE b (x INTEGER); INSERT INTO nowhere VALUES (1);');
    const db = new Database(':memory:');
    expect(() => migrate(db, dir)).toThrow(/nowhere/);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(['a', 'schema_migrations']);
    expect(db.prepare('SELECT id FROM schema_migrations').pluck().all()).toEqual([1]);
  });
});

describe('schema invariants', () => {
  const sign = (
    db: Database.Database,
    email: string | null,
    country = 'US',
    at = '2026-11-28T12:00:00.000Z',
    optedIn = 0,
  ) =>
    db
      .prepare(
        `INSERT INTO signatures (campaign_slug, first_name, last_name, email, email_key, country, opted_in, consent_version, created_at)
         VALUES ('c', 'A', 'B', ?, lower(?), ?, ?, 'v1', ?)`,
      )
      .run(email, email, country, optedIn, at);

  it('allows one signature per campaign and address, whatever code writes it', () => {
    const db = openDatabase(':memory:');
    db.prepare("INSERT INTO campaigns (slug) VALUES ('c')").run();
    sign(db, 'a@example.org');
    expect(() => sign(db, 'A@example.org')).toThrow(/UNIQUE/);
  });

  it('keeps the totals by campaign, day, hour and country in step with inserts and deletes', () => {
    const db = openDatabase(':memory:');
    db.prepare("INSERT INTO campaigns (slug) VALUES ('c')").run();
    sign(db, 'a@example.org', 'US', '2026-11-27T23:59:00.000Z', 1);
    sign(db, 'b@example.org', 'FR', '2026-11-28T00:01:00.000Z');
    sign(db, 'c@example.org', 'US', '2026-11-28T00:30:00.000Z');
    const totals = () => ({
      campaign: db.prepare("SELECT signature_count, opted_in_count FROM campaigns WHERE slug = 'c'").get(),
      days: db.prepare('SELECT day, count FROM signature_counts_daily ORDER BY day').all(),
      hours: db.prepare('SELECT hour, count FROM signature_counts_hourly ORDER BY hour').all(),
      countries: db.prepare('SELECT country, count FROM signature_counts_by_country ORDER BY country').all(),
    });
    expect(totals()).toEqual({
      campaign: { signature_count: 3, opted_in_count: 1 },
      days: [
        { day: '2026-11-27', count: 1 },
        { day: '2026-11-28', count: 2 },
      ],
      hours: [
        { hour: '2026-11-27T23', count: 1 },
        { hour: '2026-11-28T00', count: 2 },
      ],
      countries: [
        { country: 'FR', count: 1 },
        { country: 'US', count: 2 },
      ],
    });
    db.prepare("DELETE FROM signatures WHERE email_key = 'a@example.org'").run();
    expect(totals().campaign).toEqual({ signature_count: 2, opted_in_count: 0 });
    expect(totals().days[0]).toEqual({ day: '2026-11-27', count: 0 });
    expect(totals().countries).toContainEqual({ country: 'US', count: 1 });
  });

  it('never lets a signature change campaign, country or time, which the totals are keyed on', () => {
    const db = openDatabase(':memory:');
    db.prepare("INSERT INTO campaigns (slug) VALUES ('c')").run();
    sign(db, 'a@example.org');
    expect(() => db.prepare("UPDATE signatures SET country = 'FR'").run()).toThrow(/never change/);
  });

  it('keeps one index on the address: it makes one signature per campaign and finds a person’s signatures', () => {
    const db = openDatabase(':memory:');
    const indexes = (db.prepare("PRAGMA index_list('signatures')").all() as { name: string; unique: number }[])
      .filter((i) => !i.name.startsWith('sqlite_'))
      .map((i) => [i.name, i.unique]);
    expect(indexes).toContainEqual(['signatures_one_per_email', 1]);
    expect(indexes.map(([name]) => name)).not.toContain('signatures_by_email');
    const plan = (sql: string) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('a@example.org') as { detail: string }[]).map((r) => r.detail);
    expect(plan('SELECT id FROM signatures WHERE email_key = ?').join()).toMatch(/INDEX signatures_one_per_email/);
    db.prepare("INSERT INTO campaigns (slug) VALUES ('c'), ('d')").run();
    sign(db, 'a@example.org');
    expect(() => sign(db, 'a@example.org')).toThrow(/UNIQUE/);
    db.prepare(
      `INSERT INTO signatures (campaign_slug, first_name, last_name, email, email_key, country, opted_in, consent_version, created_at)
       VALUES ('d', 'A', 'B', 'a@example.org', 'a@example.org', 'US', 0, 'v1', '2026-11-28T12:00:00.000Z')`,
    ).run();
    expect(db.prepare("SELECT count(*) FROM signatures WHERE email_key = 'a@example.org'").pluck().get()).toBe(2);
  });
});
