import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { CampaignCatalog } from '../campaigns/content.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { renderMessage } from './messages.js';
import type { OutboxMessage, OutboxRepository } from './repository.js';
import type { MailTransport } from './transport.js';

export interface SenderOptions {
  outbox: OutboxRepository;
  transport: MailTransport;
  campaigns: CampaignCatalog;
  clock: Clock;
  logger: Logger;
  baseUrl: string;
  from: string;
  cacheTemplates: boolean;
  /** First retry after a temporary failure; doubling each time, up to RETRY_MAX_MS. */
  retryMs: number;
  /** How often to look for due mail when nothing wakes the sender (mail queued by another process). */
  pollMs?: number;
  /** Messages claimed at once. */
  batch?: number;
}

const RETRY_MAX_MS = 60 * 60 * 1000;
/** A message still failing after this long is given up: whatever it said is out of date. */
const GIVE_UP_AFTER_MS = 3 * 24 * 60 * 60 * 1000;
/**
 * How long a claim holds. Longer than any send can take (the transport's timeouts add up to under a
 * minute), so a message is sent by one process; short enough that one whose process died goes soon.
 */
export const LEASE_MS = 2 * 60 * 1000;

export type Verdict = 'retry' | 'undeliverable' | 'rejected';

/**
 * Sorts an SMTP failure, as e-petitions' email job does, into try again or give up:
 *  - 5xx to RCPT TO: this address does not take mail. Suppressed; nothing more goes to it.
 *  - 5xx to DATA: this one message was refused (content, size). Given up; the address is not blamed.
 *  - everything else: connection refused or dropped, timeouts, 4xx ("try later"), and 5xx to MAIL FROM
 *    or AUTH, which say our configuration is wrong, not the address: tried again with backoff, so the
 *    mail goes once someone fixes the settings.
 */
export function classify(error: unknown): Verdict {
  const e = error as { responseCode?: unknown; command?: unknown };
  const code = typeof e.responseCode === 'number' ? e.responseCode : 0;
  if (code >= 500 && code < 600) {
    if (e.command === 'RCPT TO') return 'undeliverable';
    if (e.command === 'DATA') return 'rejected';
  }
  return 'retry';
}

export const retryDelay = (attempts: number, firstMs: number): number =>
  Math.min(RETRY_MAX_MS, firstMs * 2 ** Math.max(0, attempts - 1));

const describe = (error: unknown): string => {
  const e = error as { code?: unknown; response?: unknown; message?: unknown };
  const text = typeof e.response === 'string' ? e.response : String(e.message ?? error);
  return [typeof e.code === 'string' ? e.code : undefined, text].filter(Boolean).join(': ').slice(0, 300);
};

export interface Sender extends EventEmitter {
  /** Look for mail now (called after this process queued some). */
  wake(): void;
  /** Stop claiming; resolves when the sends in flight have finished and the transport is closed. */
  stop(): Promise<void>;
}

/**
 * The outbox's sender, one per server process. It claims due messages with a lease, renders and sends
 * them through the transport's pooled connections, and records each outcome. Events, for tests and
 * logs: 'sent' (id), 'retry' (id, error), 'failed' (id, error), 'idle' (nothing due).
 */
export function startSender(options: SenderOptions): Sender {
  const { outbox, transport, clock, logger } = options;
  const pollMs = options.pollMs ?? 1000;
  const batch = options.batch ?? 100;
  const worker = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const events = new EventEmitter();
  let stopping = false;
  let wakeUp: (() => void) | undefined;
  let woken = false;

  const nap = () =>
    new Promise<void>((resolve) => {
      if (woken || stopping) return resolve();
      const timer = setTimeout(done, pollMs);
      timer.unref();
      function done() {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });

  async function deliver(message: OutboxMessage, sent: number[]): Promise<void> {
    try {
      const mail = await renderMessage(message, {
        campaigns: options.campaigns,
        baseUrl: options.baseUrl,
        from: options.from,
        cache: options.cacheTemplates,
      });
      await transport.send(mail);
      sent.push(message.id);
    } catch (error) {
      const verdict = classify(error);
      const why = describe(error);
      const now = clock.now();
      const tooOld = now.getTime() - Date.parse(message.createdAt) > GIVE_UP_AFTER_MS;
      if (verdict === 'retry' && !tooOld) {
        const retryAt = new Date(now.getTime() + retryDelay(message.attempts, options.retryMs));
        await outbox.retryLater(worker, message.id, now, retryAt, why);
        logger.warn(
          { event: 'mail deferred', id: message.id, attempts: message.attempts, error: why },
          'mail deferred',
        );
        events.emit('retry', message.id, why);
      } else {
        await outbox.giveUp(worker, message.id, now, why, { suppress: verdict === 'undeliverable' });
        logger.warn({ event: 'mail given up', id: message.id, verdict, error: why }, 'mail given up');
        events.emit('failed', message.id, why);
      }
    }
  }

  async function round(): Promise<number> {
    const claimed = await outbox.claim({ worker, now: clock.now(), leaseMs: LEASE_MS, limit: batch });
    if (claimed.length === 0) return 0;
    const sent: number[] = [];
    await Promise.all(claimed.map((m) => deliver(m, sent)));
    // One transaction for the round's successes: a commit per message would cost more than sending it.
    await outbox.markSent(worker, sent, clock.now());
    for (const id of sent) events.emit('sent', id);
    return claimed.length;
  }

  const running = (async () => {
    while (!stopping) {
      woken = false;
      let claimed = 0;
      try {
        claimed = await round();
      } catch (error) {
        // The database was busy or unavailable: nothing was lost (unsent messages stay in the outbox);
        // try again at the next poll.
        logger.error({ err: error, event: 'mail round failed' }, 'mail round failed');
      }
      if (claimed === 0) {
        events.emit('idle');
        await nap();
      }
    }
  })();

  return Object.assign(events, {
    wake() {
      woken = true;
      wakeUp?.();
    },
    async stop() {
      stopping = true;
      wakeUp?.();
      await running;
      await outbox.release(worker).catch(() => undefined);
      transport.close();
    },
  });
}
