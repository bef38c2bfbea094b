import { createServer, type Server } from 'node:http';
import { realpathSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createApp } from './app.js';
import { CampaignContentError, loadCampaigns } from './campaigns/content.js';
import { systemClock } from './clock.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { openDatabase, type Db } from './db.js';
import { createSigner } from './http/signing.js';
import { createLogger, type Logger } from './logger.js';
import { createRepositories } from './repositories.js';

export interface RunningServer {
  url: string;
  server: Server;
  db: Db;
  stop(): Promise<void>;
}

/** Starts the site: config, database and migrations, campaigns, then listen. */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const campaigns = loadCampaigns(config.campaignsDir);
  const db = openDatabase(config.databasePath);
  const repos = createRepositories(db);
  await repos.campaigns.register(campaigns.all.map((c) => c.slug));
  const secret = config.secretKey ?? (await repos.system.secret('hmac'));
  const app = createApp({ config, repos, campaigns, clock: systemClock, logger, signer: createSigner(secret) });

  // Node checks the header and request timeouts only every connectionsCheckingInterval (30 s by
  // default), so a slow client could hold a connection for up to 40 s despite a 10 s headers timeout.
  const server = createServer({ connectionsCheckingInterval: Math.min(1_000, config.limits.headersTimeoutMs) }, app);
  // Slow clients (slowloris) are cut off rather than holding a connection open forever.
  server.headersTimeout = config.limits.headersTimeoutMs;
  server.requestTimeout = config.limits.requestTimeoutMs;
  server.keepAliveTimeout = config.limits.keepAliveTimeoutMs;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= new Promise<void>((resolve) => {
      // Stop accepting, let requests in flight finish, drop idle keep-alive connections, then
      // close the database so the WAL is checkpointed.
      // A keep-alive connection whose request is in flight becomes idle once its response is sent;
      // close it then, rather than waiting out its keep-alive timeout before the process can exit.
      const sweep = setInterval(() => server.closeIdleConnections(), 100);
      server.close(() => {
        clearInterval(sweep);
        db.close();
        resolve();
      });
      server.closeIdleConnections();
    }));
  return { url, server, db, stop };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  let running: RunningServer;
  try {
    running = await startServer(config, logger);
  } catch (error) {
    if (error instanceof CampaignContentError) {
      console.error(`Campaign content is not valid:\n${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  logger.info({ url: running.url, database: config.databasePath, env: config.env }, 'Undersigned is listening');
  if (running.url.includes('127.0.0.1')) console.log(`Undersigned is serving on http://localhost:${config.port}`);

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    // Requests still running after 10 s are cut so a deploy never hangs.
    setTimeout(() => {
      logger.error('shutdown timed out');
      process.exit(1);
    }, 10_000).unref();
    void running.stop().then(() => {
      logger.info('stopped');
      process.exit(0);
    });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

// Run only when started as a program, not when a test imports startServer.
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  await main();
}
