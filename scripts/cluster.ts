/**
 * One Node process per core, all serving the same port and the same SQLite file.
 *
 *   npm run start:cluster                   as many workers as cores
 *   WEB_CONCURRENCY=2 npm run start:cluster
 *
 * node:cluster's primary accepts connections and hands them to the workers in turn; each worker is
 * the ordinary server (src/server.ts startServer) with its own database connection. SQLite in WAL
 * mode lets all of them read at once; writes take turns on the file lock, each retrying on timers
 * for up to 5 s (src/db.ts retryWhileBusy). Migrations and the generated secret are safe to race (see
 * db.ts and repositories.ts). The organizer sign-in throttle is in the database, shared by all. What
 * is NOT shared: the per-address rate limits live in each worker's memory, so with N workers a client
 * gets up to N times the configured limit. Put them in front (proxy) or keep SIGN_RATE_LIMIT lower.
 */
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { loadServerConfig } from '../src/config.js';
import { explainFailure } from '../src/problems.js';
import { runServer } from '../src/server.js';

function workerCount(): number {
  const raw = process.env.WEB_CONCURRENCY;
  if (raw === undefined || raw === '') return availableParallelism();
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    console.error('WEB_CONCURRENCY must be a whole number from 1 to 64');
    process.exit(1);
  }
  return n;
}

function primary(): void {
  const count = workerCount();
  // Checked once here, so a mistake is said once rather than by every worker.
  try {
    loadServerConfig(process.env);
  } catch (error) {
    console.error(explainFailure(error) ?? error);
    process.exit(1);
  }
  let stopping = false;
  const started = new Map<number, number>();
  const fork = () => started.set(cluster.fork().id, Date.now());
  for (let i = 0; i < count; i++) fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(process.exitCode ?? 0);
      return;
    }
    // One that fails at start (bad configuration or content) would only fail again: stop everything.
    if (Date.now() - (started.get(worker.id) ?? 0) < 5_000) {
      // Exit status 1 is a failure the worker has explained already (runServer): say nothing more.
      if (code !== 1) console.error(`worker ${worker.process.pid} failed to start (${signal ?? code}); stopping`);
      stopping = true;
      for (const other of Object.values(cluster.workers ?? {})) other?.process.kill('SIGTERM');
      process.exitCode = 1;
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(1);
      return;
    }
    // A worker that dies later is replaced, so one crash never leaves the site on fewer cores for good.
    console.error(`worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    fork();
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
    setTimeout(() => process.exit(1), 15_000).unref();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  // Each worker reads the campaign files again (src/server.ts runServer).
  process.on('SIGHUP', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGHUP');
  });
}

if (cluster.isPrimary) primary();
else await runServer({ worker: cluster.worker?.id });
