import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { startSender } from '../../src/mail/sender.js';
import { fileTransport, smtpTransport } from '../../src/mail/transport.js';
import { purge } from '../../src/privacy/retention.js';
import { buildTestApp, FIXTURE_CAMPAIGNS } from '../helpers.js';
import { fixtureCatalog } from '../privacy-helpers.js';
import { buildMailApp, rowsOf, signUp, type MailTestApp } from './harness.js';
import { rawHeader, startSmtp, type TestSmtp } from './smtp.js';

let smtp: TestSmtp | undefined;
let t: MailTestApp | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await t?.close();
  await smtp?.close();
  t = smtp = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'undersigned-mail-'));
  dirs.push(d);
  return d;
};

describe('mail configuration', () => {
  it('SMTP_URL that is not smtp:// or smtps:// → refused, naming the variable', () => {
    expect(() => loadConfig({ SMTP_URL: 'http://mail.example', CAMPAIGNS_DIR: FIXTURE_CAMPAIGNS })).toThrow(
      /SMTP_URL must be an smtp:\/\/ or smtps:\/\//,
    );
  });

  it('only some of the DKIM variables → refused: all three or none', () => {
    expect(() => loadConfig({ DKIM_DOMAIN: 'petition.example' })).toThrow(ConfigError);
  });

  it('DKIM set → every message signed, List-Unsubscribe-Post among the signed headers (RFC 8058)', async () => {
    const dir = tempDir();
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(dir, 'dkim.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    smtp = await startSmtp();
    const config = loadConfig({
      SMTP_URL: smtp.url,
      DKIM_DOMAIN: 'petition.example',
      DKIM_SELECTOR: 'mail2026',
      DKIM_KEY_FILE: join(dir, 'dkim.pem'),
    });
    const transport = smtpTransport(config.mail);
    await transport.send({
      from: 'mail@petition.example',
      to: 'ada@example.org',
      subject: 'Test',
      text: 'Hello',
      headers: {
        'List-Unsubscribe': '<https://petition.example/u>',
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
    });
    transport.close();
    const [mail] = await smtp.received(1);
    const signature = rawHeader(mail!, 'dkim-signature') ?? '';
    expect(signature).toContain('d=petition.example');
    expect(signature).toContain('s=mail2026');
    expect(signature.replace(/\s/g, '')).toMatch(/h=[^;]*List-Unsubscribe-Post/i);
  });
});

describe('without SMTP (development)', () => {
  it('mail is written as .eml files and listed with its links at /dev/mail', async () => {
    const dir = tempDir();
    const campaigns = fixtureCatalog({ 'amazon-ring': { confirmEmail: true } });
    const app = await buildTestApp(
      { DATABASE_PATH: join(dir, 'site.db') },
      {},
      { campaigns, databasePath: join(dir, 'site.db') },
    );
    expect(app.config.mail.dir).toBe(join(dir, 'mail'));
    const sender = startSender({
      outbox: app.repos.outbox,
      transport: fileTransport(app.config.mail.dir),
      campaigns,
      clock: app.clock,
      logger: silentLogger,
      baseUrl: app.config.baseUrl,
      from: app.config.mail.from,
      cacheTemplates: false,
      retryMs: 1000,
      pollMs: 60_000,
    });
    const sent = new Promise((resolve) => sender.once('sent', resolve));
    await signUp(app).expect(303);
    sender.wake();
    await sent;
    await sender.stop();
    expect(readdirSync(app.config.mail.dir).filter((f) => f.endsWith('.eml'))).toHaveLength(1);
    const page = await request(app.app).get('/dev/mail').expect(200);
    expect(page.text).toContain('Please confirm your signature');
    const link = /href="(http:\/\/localhost:3000\/campaigns\/amazon-ring\/confirm\/[A-Za-z0-9_-]{43})"/.exec(page.text);
    expect(link).not.toBeNull();
    await request(app.app).get(new URL(link![1]!).pathname).expect(200);
    app.db.close();
  });

  it('in production → /dev/mail does not exist', async () => {
    const app = await buildTestApp({ NODE_ENV: 'production' });
    await request(app.app).get('/dev/mail').expect(404);
    app.db.close();
  });
});

describe('retention', () => {
  it('purge → pending signatures older than 30 days erased with their links and mail; confirmed ones kept', async () => {
    smtp = await startSmtp();
    t = await buildMailApp(smtp.url);
    await signUp(t, { email: 'old@example.org' }).expect(303);
    await signUp(t, { email: 'kept@example.org' }).expect(303);
    await smtp.received(2);
    const keptLink = new URL((smtp.messages[1]!.text ?? '').match(/https?:\/\/\S+/)![0]).pathname;
    await request(t.app).post(keptLink).type('form').send({}).expect(303);
    const report = await purge({ campaigns: t.campaigns, repos: t.repos }, new Date('2026-12-29T12:00:01.000Z'));
    expect(report.pendingErased).toBe(1);
    expect(rowsOf(t, 'signatures').map((r) => r.email)).toEqual(['kept@example.org']);
    expect(rowsOf(t, 'email_tokens')).toHaveLength(1);
    const totals = t.db
      .prepare("SELECT signature_count, pending_count FROM campaigns WHERE slug = 'amazon-ring'")
      .get();
    expect(totals).toEqual({ signature_count: 1, pending_count: 0 });
  });
});
