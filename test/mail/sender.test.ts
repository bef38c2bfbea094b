import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { silentLogger } from '../../src/logger.js';
import { classify, startSender } from '../../src/mail/sender.js';
import { smtpTransport } from '../../src/mail/transport.js';
import { buildMailApp, rowsOf, signUp, type MailTestApp } from './harness.js';
import { startSmtp, type TestSmtp } from './smtp.js';

let smtp: TestSmtp | undefined;
let t: MailTestApp | undefined;

afterEach(async () => {
  await t?.close();
  await smtp?.close();
  t = smtp = undefined;
});

const outbox = (app: MailTestApp) =>
  app.db
    .prepare(
      'SELECT attempts, sent_at IS NOT NULL AS sent, failed_at IS NOT NULL AS failed, last_error FROM mail_outbox ORDER BY id',
    )
    .all() as { attempts: number; sent: number; failed: number; last_error: string | null }[];

describe('the sender', () => {
  it('SMTP down, then back → the mail waits, is retried after the backoff, and arrives once', async () => {
    // A port with nothing listening: connection refused.
    const gone = await startSmtp();
    const port = gone.port;
    await gone.close();
    t = await buildMailApp(`smtp://127.0.0.1:${port}`);
    const deferred = once(t.sender, 'retry');
    await signUp(t).expect(303);
    const [, error] = (await deferred) as [number, string];
    expect(error).toMatch(/ECONNREFUSED|ECONNECTION/);
    expect(outbox(t)).toMatchObject([{ attempts: 1, sent: 0, failed: 0 }]);
    const health = await request(t.app).get('/healthz/mail').expect(200);
    expect(health.body).toMatchObject({ status: 'ok', waiting: 1, lastFailure: { at: '2026-11-28T12:00:00.000Z' } });

    // Back on the same port; nothing is due until the backoff has passed.
    smtp = await startSmtp({ port });
    await t.drained();
    expect(smtp.messages).toHaveLength(0);
    t.clock.advance(60_000);
    await t.drained();
    expect(smtp.messages).toHaveLength(1);
    expect(outbox(t)).toMatchObject([{ attempts: 2, sent: 1, failed: 0 }]);
    await t.drained();
    expect(smtp.messages).toHaveLength(1);
  });

  it('a 5xx to RCPT TO → given up, the address suppressed, and nothing more is sent to it', async () => {
    smtp = await startSmtp({
      rejectRecipient: (address) =>
        address === 'nobody@example.org' ? { code: 550, message: '5.1.1 No such user' } : undefined,
    });
    t = await buildMailApp(smtp.url);
    const failed = once(t.sender, 'failed');
    await signUp(t, { email: 'nobody@example.org' }).expect(303);
    await failed;
    expect(outbox(t)).toMatchObject([{ attempts: 1, sent: 0, failed: 1 }]);
    expect(outbox(t)[0]?.last_error).toMatch(/550/);
    expect(rowsOf(t, 'mail_suppressions')).toMatchObject([{ address_key: 'nobody@example.org' }]);

    // Signing again, here or on another campaign, queues nothing for that address.
    await signUp(t, { email: 'Nobody@example.org' }).expect(303);
    await signUp(t, { email: 'nobody@example.org' }, 'library-hours').expect(303);
    await signUp(t, { email: 'someone@example.org' }).expect(303);
    await smtp.received(1);
    await t.drained();
    expect(rowsOf(t, 'mail_outbox')).toHaveLength(2);
    expect(smtp.messages.map((m) => (m.to && !Array.isArray(m.to) ? m.to.text : ''))).toEqual(['someone@example.org']);
  });

  it('a 4xx to RCPT TO ("try later") → retried, not suppressed', async () => {
    let refusals = 1;
    smtp = await startSmtp({
      rejectRecipient: () => (refusals-- > 0 ? { code: 451, message: '4.7.1 Greylisted, try again' } : undefined),
    });
    t = await buildMailApp(smtp.url);
    const deferred = once(t.sender, 'retry');
    await signUp(t).expect(303);
    await deferred;
    expect(rowsOf(t, 'mail_suppressions')).toEqual([]);
    t.clock.advance(60_000);
    await t.drained();
    expect(smtp.messages).toHaveLength(1);
  });

  it('two senders on one outbox → every message sent exactly once', async () => {
    smtp = await startSmtp();
    t = await buildMailApp(smtp.url);
    await t.sender.stop();
    for (let i = 0; i < 40; i++) await signUp(t, { email: `person${i}@example.org` }).expect(303);
    const senders = [0, 1].map(() =>
      startSender({
        outbox: t!.repos.outbox,
        transport: smtpTransport(t!.config.mail),
        campaigns: t!.campaigns,
        clock: t!.clock,
        logger: silentLogger,
        baseUrl: t!.config.baseUrl,
        from: t!.config.mail.from,
        cacheTemplates: false,
        retryMs: 60_000,
        pollMs: 60_000,
        batch: 7,
      }),
    );
    const sentBy = senders.map(() => 0);
    senders.forEach((s, i) => s.on('sent', () => (sentBy[i] = (sentBy[i] ?? 0) + 1)));
    await smtp.received(40);
    await Promise.all(senders.map((s) => s.stop()));
    const ids = smtp.messages.map((m) => m.messageId);
    expect(new Set(ids).size).toBe(40);
    expect(sentBy.reduce((a, b) => a + b, 0)).toBe(40);
    expect(outbox(t).every((m) => m.sent === 1 && m.attempts === 1)).toBe(true);
  });

  it('stop → claims nothing more, and the send in flight finishes first', async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    smtp = await startSmtp({ holdData: () => held });
    t = await buildMailApp(smtp.url);
    const inFlight = once(smtp.events, 'data');
    await signUp(t).expect(303);
    await inFlight;
    const stopped = t.sender.stop();
    await signUp(t, { email: 'later@example.org' }).expect(303);
    release();
    await stopped;
    expect(outbox(t)).toMatchObject([{ sent: 1 }, { sent: 0, attempts: 0 }]);
    expect(smtp.messages).toHaveLength(1);
  });
});

describe('classify', () => {
  it('sorts SMTP failures into retry, undeliverable and rejected', () => {
    expect(classify({ code: 'ECONNECTION' })).toBe('retry');
    expect(classify({ responseCode: 421, command: 'RCPT TO' })).toBe('retry');
    expect(classify({ responseCode: 550, command: 'RCPT TO' })).toBe('undeliverable');
    expect(classify({ responseCode: 554, command: 'DATA' })).toBe('rejected');
    // Our own settings are wrong (sender refused, bad password): keep the mail until they are fixed.
    expect(classify({ responseCode: 553, command: 'MAIL FROM' })).toBe('retry');
    expect(classify({ responseCode: 535, command: 'AUTH PLAIN' })).toBe('retry');
  });
});
