import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import { realpathSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createApp } from './app.js';
import { LiveCatalog, loadCampaigns } from './campaigns/content.js';
import { campaignReloader } from './campaigns/reload.js';
import { systemClock } from './clock.js';
import { ConfigError, loadServerConfig, type Config } from './config.js';
import { closeDatabase, describeDatabase, openConfiguredDatabase, serveFrom, type Database } from './database.js';
import { createSigner } from './http/signing.js';
import { createLogger, type Logger } from './logger.js';
import { startSender, type Sender } from './mail/sender.js';
import { createMailTransport } from './mail/transport.js';
import { explainFailure } from './problems.js';
import { scheduleRetention } from './privacy/retention.js';
import { createRepositories } from './repositories.js';

export interface RunningServer {
  url: string;
  server: Server;
  database: Database;
  /** Sends the outbox's mail (src/mail/sender.ts). */
  sender: Sender;
  /** Reads the campaign files again (SIGHUP); a broken file keeps the running version. True when the new one is in use. */
  reloadCampaigns(reason: string): Promise<boolean>;
  stop(): Promise<void>;
}

/** Starts the site: config, database and migrations, campaigns, then listen. */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const campaigns = new LiveCatalog(loadCampaigns(config.campaignsDir));
  const needsMail = campaigns.all.filter((c) => c.confirmEmail);
  if (config.production && !config.mail.smtpUrl && needsMail.length > 0) {
    throw new ConfigError(
      `SMTP_URL is not set: in production the confirmation emails of ${needsMail.map((c) => c.slug).join(', ')} need it, for example SMTP_URL=smtps://user:password@smtp.example.org:465 (or set confirm_email: false in the campaign's file)`,
    );
  }
  const transport = createMailTransport(config.mail);
  const database = await openConfiguredDatabase(config);
  const repos = createRepositories(database);
  await repos.campaigns.register(campaigns.all);
  const secret = config.secretKey ?? (await repos.system.secret('hmac'));
  // Start-up writes above may wait for another process starting at the same time; from here on no
  // write waits on the main thread (src/db.ts).
  serveFrom(database);
  // Started once listening (below); until then nothing can queue mail.
  const started: { sender?: Sender } = {};
  const app = createApp({
    config,
    repos,
    campaigns,
    clock: systemClock,
    logger,
    signer: createSigner(secret),
    mailQueued: () => started.sender?.wake(),
  });

  // Node checks the header and request timeouts only every connectionsCheckingInterval (30 s by
  // default), so a slow client could hold a connection for up to 40 s despite a 10 s headers timeout.
  const server = createServer(
    { connectionsCheckingInterval: Math.min(1_000, config.limits.headersTimeoutMs), ...app.serverOptions },
    app,
  );
  // Slow clients (slowloris) are cut off rather than holding a connection open forever.
  server.headersTimeout = config.limits.headersTimeoutMs;
  server.requestTimeout = config.limits.requestTimeoutMs;
  server.keepAliveTimeout = config.limits.keepAliveTimeoutMs;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const mail = startSender({
    outbox: repos.outbox,
    transport,
    campaigns,
    clock: systemClock,
    logger,
    baseUrl: config.baseUrl,
    from: config.mail.from,
    cacheTemplates: config.production,
    retryMs: config.mail.retrySeconds * 1000,
  });
  started.sender = mail;
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  // Retention from inside the server: at start and daily, one process at a time (src/privacy/retention.ts).
  const retention = scheduleRetention(
    { campaigns, repos, clock: systemClock, logger },
    `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
  );
  const reloader = campaignReloader(config.campaignsDir, campaigns, repos.campaigns, logger);
  // In development an edited campaign file shows on the next reload of the page, like an edited view.
  const unwatch = config.env === 'development' ? reloader.watch() : () => {};

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= new Promise<void>((resolve) => {
      unwatch();
      // Stop accepting, let requests in flight finish, drop idle keep-alive connections; stop claiming
      // mail and let the sends in flight finish; then close the database so the WAL is checkpointed.
      // A keep-alive connection whose request is in flight becomes idle once its response is sent;
      // close it then, rather than waiting out its keep-alive timeout before the process can exit.
      const sweep = setInterval(() => server.closeIdleConnections(), 100);
      const mailStopped = mail.stop();
      server.close(() => {
        clearInterval(sweep);
        void Promise.all([mailStopped, retention.stop()])
          .then(() => closeDatabase(database))
          .then(resolve, resolve);
      });
      server.closeIdleConnections();
    }));
  return { url, server, database, sender: mail, reloadCampaigns: reloader.reload, stop };
}

/**
 * Runs the site as this process's whole job: reads the environment, starts, stops gracefully on
 * SIGTERM or SIGINT, and reads the campaign files again on SIGHUP. A failure the person starting it can fix (configuration, campaign content, a
 * port in use, a database that cannot be opened) ends the process with one sentence saying what to
 * fix, and no stack. `context` is added to the start-up log line (the cluster passes its worker id).
 */
export async function runServer(context: Record<string, unknown> = {}): Promise<RunningServer> {
  let config: Config | undefined;
  let logger: Logger;
  let running: RunningServer;
  try {
    config = loadServerConfig(process.env);
    logger = createLogger(config.logLevel);
    running = await startServer(config, logger);
  } catch (error) {
    const problem = explainFailure(error, config);
    if (problem === undefined) throw error;
    console.error(problem);
    process.exit(1);
  }
  logger.info(
    { url: running.url, database: describeDatabase(config), env: config.env, ...context },
    'Undersigned is listening',
  );

  const shutdown = (signal: string) => {
    logger.info({ signal, ...context }, 'shutting down');
    // Requests still running after 10 s are cut so a deploy never hangs.
    setTimeout(() => {
      logger.error('shutdown timed out');
      process.exit(1);
    }, 10_000).unref();
    void running.stop().then(() => {
      logger.info({ ...context }, 'stopped');
      process.exit(0);
    });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  // Edited campaign files are read again without a restart; the outcome is logged either way.
  process.on('SIGHUP', () => void running.reloadCampaigns('SIGHUP'));
  return running;
}

// Run only when started as a program, not when a test imports startServer.
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const running = await runServer();
  if (running.url.includes('127.0.0.1'))
    console.log(`Undersigned is serving on ${running.url.replace('127.0.0.1', 'localhost')}`);
}
