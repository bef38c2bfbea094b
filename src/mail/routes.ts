import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Router } from 'express';
import type { AppDeps } from '../app.js';
import { noStore } from '../http/security.js';
import type { OutboxHealth } from './repository.js';

/** Mail waiting longer than this means the sender is stuck or the SMTP server refuses us. */
export const MAIL_BACKLOG_MS = 15 * 60 * 1000;

export const isBacklogged = (health: OutboxHealth, now: Date): boolean =>
  health.oldestWaitingSince !== null && now.getTime() - Date.parse(health.oldestWaitingSince) > MAIL_BACKLOG_MS;

/**
 * GET /healthz/mail: the outbox for monitoring. 200 while mail flows; 503 once a message has waited
 * more than 15 minutes, so an uptime check can page someone before signers give up on their email.
 * Counts and times only: never an address.
 */
export function mailHealthRoute(deps: AppDeps): Router {
  const router = Router();
  router.get('/healthz/mail', noStore, async (_req, res) => {
    const health = await deps.repos.outbox.health();
    const backlog = isBacklogged(health, deps.clock.now());
    res.status(backlog ? 503 : 200).json({
      status: backlog ? 'backlog' : 'ok',
      transport: deps.config.mail.smtpUrl ? 'smtp' : 'files',
      ...health,
    });
  });
  return router;
}

interface DevMessage {
  name: string;
  to: string;
  subject: string;
  date: string;
  links: string[];
}

/** The few headers and the links of a message written by the file transport; enough to list it. */
function summarise(name: string, source: string): DevMessage {
  const [head = '', ...rest] = source.split(/\r?\n\r?\n/);
  const header = (field: string) =>
    new RegExp(`^${field}: (.*(?:\\n[ \\t].*)*)`, 'mi').exec(head)?.[1]?.replace(/\n[ \t]/g, ' ') ?? '';
  const body = rest.join('\n\n').replace(/=\r?\n/g, '');
  const links = [...new Set(body.match(/https?:\/\/[^\s"<>]+\/(?:confirm|withdraw|unsubscribe)\/[A-Za-z0-9_-]{43}/g))];
  return { name, to: header('To'), subject: header('Subject'), date: header('Date'), links };
}

/**
 * Development only (not mounted in production): the mail the file transport wrote, newest first, with
 * each message's links, so a fresh checkout can be signed and confirmed end to end without SMTP.
 */
export function devMailRoutes(deps: AppDeps): Router {
  const router = Router();
  const dir = deps.config.mail.dir;
  const names = (): string[] => {
    try {
      return readdirSync(dir)
        .filter((f) => f.endsWith('.eml') && !f.startsWith('.'))
        .sort()
        .reverse();
    } catch {
      return [];
    }
  };
  router.get('/dev/mail', noStore, (_req, res) => {
    const messages = names()
      .slice(0, 100)
      .map((name) => summarise(name, readFileSync(join(dir, name), 'utf8')));
    res.render('dev-mail', { page: { title: 'Mail written in development' }, dir, messages });
  });
  router.get('/dev/mail/:name', noStore, (req, res, next) => {
    const name = String(req.params.name);
    if (!names().includes(name)) return next();
    res.type('text/plain; charset=utf-8').send(readFileSync(join(dir, name)));
  });
  return router;
}
