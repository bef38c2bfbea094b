import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validForm } from './helpers.js';
import { buildPrivacyApp, capturingLogger } from './privacy-helpers.js';

const CLIENT_IP = '198.51.100.73';
const USER_AGENT = 'PrivacyProbe/7.3 (X11; Linux; unique-agent-5f2c9a)';

interface StoredConsent {
  opted_in: number;
  consent_version: string;
  source_hash: string | null;
}

describe('collecting only what the letter needs', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'undersigned-privacy-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('POST /campaigns/:slug/signatures → signed from a known address and browser → neither is anywhere in the database file', async () => {
    const path = join(dir, 'signatures.db');
    // One proxy hop trusted, as in production behind nginx: req.ip is the X-Forwarded-For address.
    const { app, db } = await buildPrivacyApp({
      databasePath: path,
      // The file's bytes are what this test reads: SQLite on both runs.
      sqliteFile: true,
      env: { TRUST_PROXY: '1', SIGN_RATE_LIMIT: '100' },
    });

    const res = await request(app)
      .post('/campaigns/amazon-ring/signatures')
      .set('X-Forwarded-For', CLIENT_IP)
      .set('User-Agent', USER_AGENT)
      .type('form')
      .send(validForm({ email: 'file-check@example.org', updates: 'yes' }));
    expect(res.status).toBe(303);

    const row = db.prepare('SELECT * FROM signatures WHERE email_key = ?').get('file-check@example.org') as Record<
      string,
      unknown
    >;
    // The source is still recognisable (a keyed hash is stored) without the address being kept.
    expect(row.source_hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(row)).not.toContain(CLIENT_IP);

    const files = [path, `${path}-wal`].filter((f) => existsSync(f));
    const readAll = () => Buffer.concat(files.map((f) => readFileSync(f)));
    // The signature itself is in the files (so the search below looks in the right place)...
    expect(readAll().includes('file-check@example.org')).toBe(true);
    // ...and the address and the browser are not, in any encoding SQLite would use for text.
    for (const secret of [CLIENT_IP, USER_AGENT, 'unique-agent-5f2c9a']) {
      expect(readAll().includes(Buffer.from(secret, 'utf8'))).toBe(false);
      expect(readAll().includes(Buffer.from(secret, 'utf16le'))).toBe(false);
    }
    db.close();
    // After the last connection closes the WAL is folded into the main file: check that too.
    const closed = readFileSync(path);
    expect(closed.includes('file-check@example.org')).toBe(true);
    expect(closed.includes(CLIENT_IP)).toBe(false);
    expect(closed.includes(USER_AGENT)).toBe(false);
  });

  it('POST /campaigns/:slug/signatures → good, invalid, repeated and bot submissions → the log has no name, email, postal code or address', async () => {
    const capture = capturingLogger();
    const { app } = await buildPrivacyApp({
      logger: capture.logger,
      env: { TRUST_PROXY: '1', SIGN_RATE_LIMIT: '100' },
    });
    const personal = {
      first_name: 'Zebulon',
      last_name: 'Quartermaine',
      email: 'zebulon.q@example.net',
      postal_code: '90210',
    };
    const post = (form: Record<string, string>) =>
      request(app)
        .post('/campaigns/amazon-ring/signatures')
        .set('X-Forwarded-For', CLIENT_IP)
        .set('User-Agent', USER_AGENT)
        .type('form')
        .send(form);

    expect((await post(validForm(personal))).status).toBe(303);
    expect((await post(validForm(personal))).status).toBe(303); // the same person again
    expect((await post(validForm({ ...personal, email: 'not-an-address' }))).status).toBe(422);
    expect((await post(validForm({ ...personal, website: 'http://spam.example' }))).status).toBe(303); // honeypot
    await request(app).get('/campaigns/amazon-ring/thanks').set('X-Forwarded-For', CLIENT_IP);
    await new Promise((resolve) => setImmediate(resolve));

    const log = capture.text();
    // Something was logged (request lines and the discarded bot), so the checks below can fail.
    expect(capture.lines.length).toBeGreaterThanOrEqual(5);
    expect(log).toContain('signature discarded');
    for (const value of [...Object.values(personal), 'not-an-address', CLIENT_IP, USER_AGENT]) {
      expect(log).not.toContain(value);
    }
  });

  it('POST /campaigns/:slug/signatures → box ticked or not → consent version shown and the choice are stored', async () => {
    const { app, db } = await buildPrivacyApp();
    const page = await request(app).get('/campaigns/amazon-ring');
    // Unticked unless the person ticks it.
    expect(page.text).toMatch(/<input type="checkbox" id="updates" name="updates" value="yes"(?![^>]*checked)[^>]*>/);

    await request(app)
      .post('/campaigns/amazon-ring/signatures')
      .type('form')
      .send(validForm({ email: 'ticked@example.org', updates: 'yes' }));
    await request(app)
      .post('/campaigns/amazon-ring/signatures')
      .type('form')
      .send(validForm({ email: 'unticked@example.org' }));
    await request(app)
      .post('/campaigns/library-hours/signatures')
      .type('form')
      .send(validForm({ email: 'ticked@example.org', updates: 'yes' }));

    const stored = (slug: string, email: string) =>
      db
        .prepare(
          'SELECT opted_in, consent_version, source_hash FROM signatures WHERE campaign_slug = ? AND email_key = ?',
        )
        .get(slug, email) as StoredConsent;
    expect(stored('amazon-ring', 'ticked@example.org')).toMatchObject({ opted_in: 1, consent_version: '2026-11-28' });
    expect(stored('amazon-ring', 'unticked@example.org')).toMatchObject({ opted_in: 0, consent_version: '2026-11-28' });
    // Each campaign records its own wording's version.
    expect(stored('library-hours', 'ticked@example.org')).toMatchObject({ opted_in: 1, consent_version: 'v1' });
  });
});
