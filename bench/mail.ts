import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { loadCampaigns } from '../src/campaigns/content.js';
import { openDatabase } from '../src/db.js';
import { newEmailTokens } from '../src/mail/tokens.js';
import { createRepositories } from '../src/repositories.js';
import { closedLoop, type Measured } from './load.js';
import { campaignsCopy, startApp } from './servers.js';

/**
 * The email scenarios (issue 12), run by `npm run bench` after the others (`-- --only mail` for these
 * alone): signing with confirmation on, and the outbox draining a backlog to a local SMTP server. The
 * sender must keep up with 300 emails/s (10× Revoke Article 50's 30 signatures/s) so a surge never
 * builds a backlog.
 */
export interface MailBenchResult {
  signing: Measured & { pendingDelta: number; queued: number; sentWhileSigning: number };
  drain: { messages: number; seconds: number; emailsPerSecond: number; appCpuSeconds: number };
}

interface Sink {
  url: string;
  received: number;
  firstAt: number;
  lastAt: number;
  /** Resolves once `count` messages in all have been accepted. */
  until(count: number): Promise<void>;
  close(): Promise<void>;
}

/** A local SMTP server that accepts everything and throws the bytes away (in this process). */
async function startSink(): Promise<Sink> {
  const waiters: { count: number; resolve: () => void }[] = [];
  const sink = {
    received: 0,
    firstAt: 0,
    lastAt: 0,
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        const now = performance.now();
        if (sink.received === 0) sink.firstAt = now;
        sink.received += 1;
        sink.lastAt = now;
        callback();
        for (const w of waiters.filter((x) => x.count <= sink.received)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return Object.assign(sink, {
    url: `smtp://127.0.0.1:${port}`,
    until: (count: number) =>
      sink.received >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve })),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

let n = 0;
const runId = Date.now().toString(36);
function signatureBody(): string {
  n += 1;
  return new URLSearchParams({
    first_name: 'Bench',
    last_name: `Signer ${n}`,
    email: `${randomBytes(4).toString('hex')}.mail-${runId}-${n}@example.org`,
    country: 'US',
    postal_code: '12345',
    ...(n % 2 ? { updates: 'yes' } : {}),
    website: '',
  }).toString();
}

const MAIL_ENV = (sink: Sink) => ({ SMTP_URL: sink.url, MAIL_FROM: 'Undersigned <mail@bench.example>' });

export async function mailBench(options: {
  outDir: string;
  quick: boolean;
  connections: number;
  logLevel: string;
  port: number;
  log: (line: string) => void;
}): Promise<MailBenchResult> {
  const { log } = options;
  const confirming = campaignsCopy({ confirmEmail: true });
  const slug = loadCampaigns(confirming).defaultCampaign.slug;
  const sink = await startSink();

  // 1. Signing with confirmation on: each signature is stored pending with its email in one commit.
  const signings = options.quick ? 3_000 : 20_000;
  const signingDb = join(options.outDir, 'mail-signing.db');
  let app = await startApp({
    databasePath: signingDb,
    campaignsDir: confirming,
    env: MAIL_ENV(sink),
    port: options.port,
    logFile: join(options.outDir, 'mail-server.log'),
    logLevel: options.logLevel,
  });
  log(`signing with confirmation on (${options.connections} connections, ${signings} signatures)`);
  const m = await closedLoop({
    name: 'signing, confirmation on',
    url: `${app.url}/campaigns/${slug}/signatures`,
    connections: options.connections,
    amount: signings,
    warmup: 0,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: signatureBody,
    expect: 303,
    cpuSeconds: app.cpuSeconds,
  });
  const sentDuring = sink.received;
  await sink.until(m.requests);
  await app.stop();
  const db = openDatabase(signingDb, { readonly: true });
  const pendingDelta = db.prepare('SELECT pending_count FROM campaigns WHERE slug = ?').pluck().get(slug) as number;
  const queued = db.prepare('SELECT count(*) FROM mail_outbox').pluck().get() as number;
  db.close();
  const signing = { ...m, pendingDelta, queued, sentWhileSigning: sentDuring };
  log(
    `  ${Math.round(m.rps).toLocaleString('en-US')} signatures/s, p99 ${m.p99} ms; ${pendingDelta} pending, ${queued} emails queued, ` +
      `${sentDuring} of them sent while signing went on; all ${sink.received} delivered`,
  );

  // 2. Draining a backlog: the outbox filled while no server ran, then one server started.
  const messages = options.quick ? 5_000 : 20_000;
  const drainDb = join(options.outDir, 'mail-drain.db');
  const filling = openDatabase(drainDb);
  const repos = createRepositories(filling);
  await repos.campaigns.register([slug]);
  const caps = { perSignature: 5, perAddressPerDay: 10 };
  for (let i = 0; i < messages; i += 1000) {
    await Promise.all(
      Array.from({ length: Math.min(1000, messages - i) }, (_, j) =>
        repos.signatures.add({
          firstName: 'Bench',
          lastName: `Backlog ${i + j}`,
          email: `${randomBytes(4).toString('hex')}.backlog-${i + j}@example.org`,
          country: 'US',
          postalCode: '12345',
          comment: null,
          optedIn: (i + j) % 2 === 0,
          campaignSlug: slug,
          consentVersion: 'bench',
          sourceHash: null,
          createdAt: new Date(),
          confirmation: { tokens: newEmailTokens(), caps },
        }),
      ),
    );
  }
  filling.close();
  const before = sink.received;
  app = await startApp({
    databasePath: drainDb,
    campaignsDir: confirming,
    env: MAIL_ENV(sink),
    port: options.port,
    logFile: join(options.outDir, 'mail-server.log'),
    logLevel: options.logLevel,
  });
  const cpuBefore = app.cpuSeconds();
  const startedAt = performance.now();
  await sink.until(before + messages);
  const seconds = (performance.now() - startedAt) / 1000;
  const appCpuSeconds = app.cpuSeconds() - cpuBefore;
  await app.stop();
  await sink.close();
  const drain = { messages, seconds, emailsPerSecond: messages / seconds, appCpuSeconds };
  log(
    `  outbox drain: ${messages.toLocaleString('en-US')} emails in ${seconds.toFixed(1)} s: ` +
      `${Math.round(drain.emailsPerSecond).toLocaleString('en-US')} emails/s (target 300), app CPU ${appCpuSeconds.toFixed(1)} s`,
  );
  return { signing, drain };
}
