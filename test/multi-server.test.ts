/**
 * Three app server processes on one PostgreSQL database behind a real nginx configured from
 * deploy/nginx.conf (issue 13). Runs in the PostgreSQL project only (vitest.config.ts). Every wait is
 * for an event (an answer, a message, a process exiting), never a sleep.
 */
import type { ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/organizers/passwords.js';
import { fromRoot } from '../src/paths.js';
import { openPostgres, type Pool } from '../src/postgres.js';
import { createRepositories } from '../src/repositories.js';
import { startSmtp, type TestSmtp } from './mail/smtp.js';
import { NGINX, startNginx } from './nginx.js';
import { TEST_COST } from './organizers/helpers.js';
import { freshPostgresUrl } from './postgres/fresh.js';
import {
  buildServer,
  freePort,
  signatureBody,
  startServerProcess,
  type ServerProcess,
} from './robustness/server-process.js';

const SIGN = '/campaigns/amazon-ring/signatures';
const CONFIRMING = '/campaigns/library-hours/signatures';

interface Answer {
  status: number | 'failed';
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One HTTP request from a chosen loopback address (127.0.0.0/8 all reach this machine), so that a test
 * can be many different clients: nginx passes each one's address on, and the rate limit is per address.
 */
function send(
  url: string,
  path: string,
  options: { method?: string; body?: string; from?: string; cookie?: string; type?: string } = {},
): Promise<Answer> {
  return new Promise((resolve) => {
    const target = new URL(path, url);
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
        localAddress: options.from,
        agent: false,
        headers: {
          ...(options.body !== undefined
            ? { 'Content-Type': options.type ?? 'application/x-www-form-urlencoded' }
            : {}),
          ...(options.cookie ? { Cookie: options.cookie } : {}),
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', () => resolve({ status: 'failed', headers: {}, body }));
      },
    );
    req.on('error', () => resolve({ status: 'failed', headers: {}, body: '' }));
    req.end(options.body);
  });
}

/** Client number i as its own loopback address. */
const client = (i: number) => `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;

describe.skipIf(!NGINX)('three app servers on one PostgreSQL behind nginx', () => {
  let dir: string;
  let pool: Pool;
  let smtp: TestSmtp;
  let servers: ServerProcess[] = [];
  let nginx: ChildProcess;
  let site: string;

  const count = async (slug: string) =>
    (await pool.query<{ n: number }>('SELECT signature_count AS n FROM campaigns WHERE slug = $1', [slug])).rows[0]?.n;
  const rows = async (slug: string) =>
    (await pool.query<{ n: number }>('SELECT count(*) AS n FROM signatures WHERE campaign_slug = $1', [slug])).rows[0]
      ?.n;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'undersigned-multi-'));
    const url = await freshPostgresUrl();
    pool = await openPostgres(url, { max: 4 });
    smtp = await startSmtp();
    // The fixture campaigns, one of them (library-hours) asking signers to confirm by email.
    const campaigns = join(dir, 'campaigns');
    const fixtures = fromRoot('test', 'fixtures', 'campaigns');
    cpSync(fixtures, campaigns, { recursive: true });
    const library = join(campaigns, 'library-hours.md');
    writeFileSync(library, readFileSync(library, 'utf8').replace(/^---\n/, '---\nconfirm_email: true\n'));
    const serverJs = await buildServer();
    const env = {
      DATABASE_URL: url,
      TRUST_PROXY: '1',
      SIGN_RATE_LIMIT: '5',
      CAMPAIGNS_DIR: campaigns,
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Undersigned <mail@petition.example>',
    };
    // Started together, so the migrations lock and the shared secret are tried by three at once.
    servers = await Promise.all([1, 2, 3].map(() => startServerProcess(serverJs, join(dir, 'unused.db'), env)));
    const port = await freePort();
    nginx = await startNginx(
      dir,
      port,
      servers.map((s) => s.port),
    );
    site = `http://127.0.0.1:${port}`;
  }, 240_000);

  afterAll(async () => {
    nginx?.kill('SIGTERM');
    for (const server of servers) server.child.kill('SIGKILL');
    await Promise.all(servers.map((s) => s.exited));
    await smtp?.close();
    await pool?.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signatures sent through nginx to all three → each stored once, and the counts equal the rows', async () => {
    const answers = await Promise.all(
      Array.from({ length: 90 }, (_, i) =>
        send(site, SIGN, { body: signatureBody(`crowd${i}@example.org`), from: client(i) }),
      ),
    );
    const odd = answers.filter((a) => a.status !== 303).map((a) => `${a.status} ${a.body.slice(0, 200)}`);
    expect(odd).toEqual([]);
    expect(await rows('amazon-ring')).toBe(90);
    expect(await count('amazon-ring')).toBe(90);
    const { rows: daily } = await pool.query<{ n: number }>(
      "SELECT sum(count) AS n FROM signature_counts_by_country WHERE campaign_slug = 'amazon-ring'",
    );
    expect(daily[0]?.n).toBe(90);
  });

  it('a signature taken by one server → a later view on another shows it (its count is read again at most 200 ms on)', async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const countOn = async (server: ServerProcess) =>
      (JSON.parse((await send(server.url, '/campaigns/amazon-ring.json')).body) as { signatureCount: number })
        .signatureCount;
    const before = await countOn(b);
    expect(
      (await send(a.url, SIGN, { body: signatureBody('seen-elsewhere@example.org'), from: client(700) })).status,
    ).toBe(303);
    // Server b reads the count at most every 200 ms: ask again until it has (for up to a few seconds).
    let seen = before;
    for (let asks = 0; seen === before && asks < 300; asks++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      seen = await countOn(b);
    }
    expect(seen).toBe(before + 1);
  });

  it('identical submissions at once on two different servers → one row', async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const body = signatureBody('twice@example.org');
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => send(i % 2 === 0 ? a.url : b.url, SIGN, { body, from: client(500 + i) })),
    );
    expect(answers.every((x) => x.status === 303)).toBe(true);
    const { rows: found } = await pool.query("SELECT id FROM signatures WHERE email_key = 'twice@example.org'");
    expect(found).toHaveLength(1);
  });

  it('one client signing through nginx → the limit (5 a minute) holds across the three servers', async () => {
    const from = client(900);
    const statuses: (number | 'failed')[] = [];
    for (let i = 0; i < 8; i++)
      statuses.push((await send(site, SIGN, { body: signatureBody(`limited${i}@example.org`), from })).status);
    expect(statuses).toEqual([303, 303, 303, 303, 303, 429, 429, 429]);
  });

  it('an organizer session made on one server works on the others, and signing out on one ends it on all', async () => {
    const repos = createRepositories({ engine: 'postgres', pool });
    await repos.organizers.add(
      'ann@example.org',
      await hashPassword('correct horse battery', TEST_COST),
      new Date().toISOString(),
      {
        isAdmin: true,
      },
    );
    const [a, b, c] = servers as [ServerProcess, ServerProcess, ServerProcess];
    const cookies = (answer: Answer) =>
      ([answer.headers['set-cookie'] ?? []].flat() as string[]).map((line) => line.split(';')[0]).join('; ');
    const page = await send(a.url, '/organizers/login', { from: client(950) });
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] as string;
    const loggedIn = await send(a.url, '/organizers/login', {
      body: new URLSearchParams({ csrf, email: 'ann@example.org', password: 'correct horse battery' }).toString(),
      cookie: cookies(page),
      from: client(950),
    });
    expect(loggedIn.status).toBe(303);
    const session = [cookies(page), cookies(loggedIn)].filter(Boolean).join('; ');
    for (const server of [b, c]) expect((await send(server.url, '/organizers', { cookie: session })).status).toBe(200);
    const overview = await send(b.url, '/organizers', { cookie: session });
    const token = /name="csrf" value="([^"]+)"/.exec(overview.body)?.[1] as string;
    expect((await send(c.url, '/organizers/logout', { body: `csrf=${token}`, cookie: session })).status).toBe(303);
    for (const server of servers) {
      const after = await send(server.url, '/organizers', { cookie: session });
      expect(after.status).toBe(303);
      expect(String(after.headers.location)).toContain('/organizers/login');
    }
  });

  it('signatures that need confirming, through all three → each confirmation email sent once', async () => {
    const before = smtp.messages.length;
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        send(site, CONFIRMING, { body: signatureBody(`confirm${i}@example.org`), from: client(1000 + i) }),
      ),
    );
    expect(answers.every((x) => x.status === 303)).toBe(true);
    const mail = (await smtp.received(before + 30)).slice(before);
    const recipients = mail.map((m) => (Array.isArray(m.to) ? m.to[0] : m.to)?.value[0]?.address);
    expect(new Set(recipients).size).toBe(30);
    expect(recipients).toHaveLength(30);
    // Every message in the outbox is marked sent once, by one of the three. A sender records "sent"
    // after the SMTP server has accepted the message, so the record may trail the arrival: wait for it.
    const outbox = async () =>
      (
        await pool.query<{ sent: number; waiting: number }>(
          `SELECT count(*) FILTER (WHERE sent_at IS NOT NULL) AS sent, count(*) FILTER (WHERE sent_at IS NULL) AS waiting
             FROM mail_outbox WHERE campaign_slug = 'library-hours'`,
        )
      ).rows[0];
    for (let tries = 0; (await outbox())?.waiting !== 0 && tries < 500; tries++)
      await new Promise((r) => setTimeout(r, 20));
    expect(await outbox()).toEqual({ sent: 30, waiting: 0 });
    expect(smtp.messages.length - before).toBe(30);
  });

  it('kill -9 one server under load → every signature nginx acknowledged is stored, once', async () => {
    const victim = servers[2] as ServerProcess;
    const acknowledged: string[] = [];
    const statuses: (number | 'failed')[] = [];
    const one = async (i: number, afterAnswer?: () => void) => {
      const email = `load${i}@example.org`;
      const answer = await send(site, SIGN, { body: signatureBody(email), from: client(2000 + i) });
      statuses.push(answer.status);
      if (answer.status === 303) acknowledged.push(email);
      afterAnswer?.();
    };
    // A first wave reaches all three; in the second, the kill lands at its first answer, with the rest
    // of it in flight on every server.
    await Promise.all(Array.from({ length: 40 }, (_, i) => one(i)));
    let killed = false;
    const kill = () => {
      if (!killed) victim.child.kill('SIGKILL');
      killed = true;
    };
    await Promise.all(Array.from({ length: 80 }, (_, i) => one(40 + i, kill)));
    await victim.exited;
    // What nginx did not acknowledge may or may not be stored (the signer is told to try again, and the
    // unique index absorbs the retry); what it acknowledged must be there, once.
    expect(acknowledged.length, statuses.join(' ')).toBeGreaterThanOrEqual(40);
    const { rows: stored } = await pool.query<{ email: string; n: number }>(
      "SELECT email, count(*) AS n FROM signatures WHERE email LIKE 'load%@example.org' GROUP BY email",
    );
    const kept = new Map(stored.map((r) => [r.email, r.n]));
    for (const email of acknowledged) expect(kept.get(email), email).toBe(1);
    expect(await count('amazon-ring')).toBe(await rows('amazon-ring'));
  });
});
