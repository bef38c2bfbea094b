import { once } from 'node:events';
import request from 'supertest';
import type { Campaign } from '../../src/campaigns/content.js';
import type { MailConfig } from '../../src/config.js';
import { silentLogger, type Logger } from '../../src/logger.js';
import { startSender, type Sender } from '../../src/mail/sender.js';
import { smtpTransport } from '../../src/mail/transport.js';
import { buildTestApp, validForm, type TestApp } from '../helpers.js';
import { fixtureCatalog } from '../privacy-helpers.js';

export const BASE_URL = 'https://petition.example';
export const MAIL_FROM = 'Undersigned <mail@petition.example>';

export interface MailTestApp extends TestApp {
  sender: Sender;
  /** Resolves when the sender next finds nothing due (everything queued so far is sent or deferred). */
  drained(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The app with confirmation on for the two open fixture campaigns, and a sender sending through a
 * real SMTP server at `smtpUrl`. The sender runs on the test's fixed clock and is woken only by
 * signing (its poll is a minute), so every test moves by events: a message arriving, the sender idle.
 */
export async function buildMailApp(
  smtpUrl: string,
  options: {
    caps?: MailConfig['caps'];
    logger?: Logger;
    campaigns?: Record<string, Partial<Campaign>>;
    /** http:// for tests that sign in (supertest sends no Secure cookies). */
    baseUrl?: string;
  } = {},
): Promise<MailTestApp> {
  const campaigns = fixtureCatalog({
    'amazon-ring': { confirmEmail: true },
    'library-hours': { confirmEmail: true },
    ...options.campaigns,
  });
  const late: { sender?: Sender } = {};
  const t = await buildTestApp(
    { SMTP_URL: smtpUrl, BASE_URL: options.baseUrl ?? BASE_URL, MAIL_FROM },
    {},
    { campaigns, logger: options.logger, mailQueued: () => late.sender?.wake() },
  );
  if (options.caps) t.config.mail.caps = options.caps;
  const started = startSender({
    outbox: t.repos.outbox,
    transport: smtpTransport(t.config.mail),
    campaigns,
    clock: t.clock,
    logger: silentLogger,
    baseUrl: t.config.baseUrl,
    from: t.config.mail.from,
    cacheTemplates: false,
    retryMs: 60_000,
    pollMs: 60_000,
  });
  late.sender = started;
  return {
    ...t,
    sender: started,
    async drained() {
      started.wake();
      await once(started, 'idle');
    },
    async close() {
      await started.stop();
      t.db.close();
    },
  };
}

export function signUp(t: TestApp, overrides: Record<string, string | undefined> = {}, slug = 'amazon-ring') {
  return request(t.app).post(`/campaigns/${slug}/signatures`).type('form').send(validForm(overrides));
}

export const totals = (t: TestApp, slug = 'amazon-ring') =>
  t.db
    .prepare(
      'SELECT signature_count AS count, pending_count AS pending, opted_in_count AS optedIn FROM campaigns WHERE slug = ?',
    )
    .get(slug) as { count: number; pending: number; optedIn: number };

export const signatureRow = (t: TestApp, email: string, slug = 'amazon-ring') =>
  t.db.prepare('SELECT * FROM signatures WHERE email_key = ? AND campaign_slug = ?').get(email.toLowerCase(), slug) as
    Record<string, unknown> | undefined;

export const rowsOf = (t: TestApp, table: 'signatures' | 'email_tokens' | 'mail_outbox' | 'mail_suppressions') =>
  t.db.prepare(`SELECT * FROM ${table}`).all() as Record<string, unknown>[];
