import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, setPriority, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pgClient from 'pg';
import { loadCampaigns } from '../src/campaigns/content.js';
import { fromRoot } from '../src/paths.js';
import type { Captured } from './baseline.js';
import { loadSignatures, loadSignaturesPostgres } from './loadSignatures.js';
import { mailBench } from './mail.js';
import { printTable } from './report.js';
import type { Bench, Row, Scenario } from './scenario.js';
import { countPage, csvExport, mixed, signing, throughput } from './scenarios.js';
import { startCluster, type Cluster } from '../test/postgres/cluster.js';
import { BUILD_DIR, startBaseline, startFleet, type Running } from './servers.js';
import { WRK } from './wrk.js';

/**
 * `npm run bench`: builds and starts the real app (production mode, request logging on, a fresh
 * database file, rate limits and the minimum fill time off), measures each scenario against it with
 * wrk (and, for fixed arrival rates, bench/openLoop.ts), then loads --rows signatures and measures
 * again. One table at the end; results.json and results.md in the output folder.
 *
 * A scenario is a module exporting a `Scenario` (bench/scenario.ts): add it to SCENARIOS.
 */
/**
 * The email scenarios (bench/mail.ts): signing with confirmation on, and the outbox draining to a local
 * SMTP server. They start their own app (confirmation needs its own campaigns folder) on another port.
 */
const mail: Scenario = {
  id: 'mail',
  phases: ['fresh'],
  async run(b) {
    const result = await mailBench({
      outDir: b.outDir,
      quick: b.quick,
      connections: b.connections,
      logLevel: args['log-level'] ?? 'info',
      port: 3904,
      log: b.log,
    });
    const s = result.signing;
    b.record({
      phase: b.phase,
      scenario: 'signing with confirmation (autocannon)',
      server: 'app',
      measured: { ...s, seconds: s.requests / s.rps },
      note: `${s.queued} emails queued, ${s.sentWhileSigning} sent while signing`,
    });
    const d = result.drain;
    b.record({
      phase: b.phase,
      scenario: 'outbox drain (emails/s)',
      server: 'app',
      measured: {
        name: 'outbox drain',
        requests: d.messages,
        seconds: d.seconds,
        rps: d.emailsPerSecond,
        p50: NaN,
        p99: NaN,
        errors: 0,
        unexpected: 0,
        bytesPerResponse: NaN,
      },
      target: { text: '≥ 300 emails/s', met: d.emailsPerSecond >= 300 },
    });
  },
};

const SCENARIOS: Scenario[] = [throughput, signing, countPage, mixed, mail, csvExport];

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    only: { type: 'string' },
    rows: { type: 'string' },
    seconds: { type: 'string' },
    connections: { type: 'string', default: '50' },
    /** Where the app's log lines go: a file in the output folder (default), or /dev/null. */
    log: { type: 'string', default: 'file' },
    'log-level': { type: 'string', default: 'info' },
    engine: { type: 'string', default: 'sqlite' },
    servers: { type: 'string', default: '1' },
    cluster: { type: 'string' },
    out: { type: 'string' },
    priority: { type: 'boolean', default: false },
  },
});

const quick = args.quick ?? false;
const seconds = Number(args.seconds ?? (quick ? 3 : 8));
const connections = Number(args.connections);
const rows = Number(args.rows ?? (quick ? 100_000 : 1_000_000));
const only = args.only ? new Set(args.only.split(',')) : undefined;
if (only)
  for (const id of only)
    if (!SCENARIOS.some((s) => s.id === id) && id !== 'scale')
      throw new Error(`--only: no scenario "${id}" (there are: ${SCENARIOS.map((s) => s.id).join(', ')}, scale)`);
// --engine postgres runs the apps on a throwaway PostgreSQL cluster with durable settings (fsync and
// synchronous_commit on, as a real server keeps them); --servers N puts N app processes behind nginx.
if (args.engine !== 'sqlite' && args.engine !== 'postgres')
  throw new Error(`--engine ${args.engine}: the engines are sqlite and postgres`);
const servers = Number(args.servers);
if (!Number.isInteger(servers) || servers < 1 || servers > 8) throw new Error('--servers: a whole number from 1 to 8');
if (servers > 1 && args.engine !== 'postgres')
  throw new Error('--servers: several app servers share one PostgreSQL database; add --engine postgres');
const postgres = args.engine === 'postgres';
if (!WRK) throw new Error('wrk is not installed: apt-get install wrk');

const outDir = args.out ?? join(tmpdir(), `undersigned-bench-${new Date().toISOString().replace(/[:.]/g, '-')}`);
mkdirSync(outDir, { recursive: true });
const databasePath = join(outDir, 'bench.db');
const logFile = args.log === 'file' ? join(outDir, 'server.log') : args.log === 'null' ? '/dev/null' : args.log;
const profileDir = args.profile ? join(outDir, 'profiles') : undefined;
const campaign = loadCampaigns(fromRoot('campaigns')).defaultCampaign;
const pagePath = `/campaigns/${campaign.slug}`;
const runId = Date.now().toString(36);
const BROWSER = { 'Accept-Encoding': 'gzip, deflate, br' };

const log = (line: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);

async function count(app: Running): Promise<number> {
  const res = await fetch(`${app.url}${pagePath}.json`);
  return ((await res.json()) as { signatureCount: number }).signatureCount;
}

async function settledCount(app: Running): Promise<number> {
  let last = await count(app);
  for (;;) {
    // Longer than the app's count cache (STATE_TTL_MS), so a second read is a new one.
    await new Promise((r) => setTimeout(r, 300));
    const now = await count(app);
    if (now === last) return now;
    last = now;
  }
}

/** A response as the app sent it to a browser: gzipped when it is, every header but Node's own. */
function capture(url: string): Promise<Captured> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: BROWSER }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const headers: string[] = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2) {
            const name = res.rawHeaders[i] as string;
            if (!['date', 'connection', 'keep-alive'].includes(name.toLowerCase()))
              headers.push(name, res.rawHeaders[i + 1] as string);
          }
          resolve({ path: new URL(url).pathname, headers, body: Buffer.concat(chunks).toString('base64') });
        });
      })
      .on('error', reject);
  });
}

/** Which durability SQLite is set to in src/db.ts, for the record (the benchmark measures what is there). */
function sqliteSynchronous(): string {
  const source = readFileSync(fromRoot('src', 'db.ts'), 'utf8');
  const set = [...source.matchAll(/pragma\('synchronous = (\w+)'\)/g)].map((m) => m[1]);
  // Since the sixth session the server flushes the log itself, off the main thread, before answering.
  if (source.includes('function flushOffMainThread') && set.includes('NORMAL'))
    return 'NORMAL with the log flushed (fsync) off the main thread before each acknowledgement';
  return set[0] ?? 'unknown';
}

async function main(): Promise<void> {
  log(`output in ${outDir}${quick ? ' (quick mode)' : ''}`);
  if (args.priority) {
    try {
      setPriority(-5);
      log('running at nice -5 (generator and servers)');
    } catch (error) {
      log(`could not raise priority: ${(error as Error).message}`);
    }
  }
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: fromRoot(), encoding: 'utf8' }).trim();
  const dirty = execFileSync('git', ['status', '--porcelain', 'src'], { cwd: fromRoot(), encoding: 'utf8' }).trim();
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGb: +(totalmem() / 2 ** 30).toFixed(1),
    freeGb: +(freemem() / 2 ** 30).toFixed(1),
    node: process.version,
    commit: dirty ? `${commit} (src modified)` : commit,
    sqliteSynchronous: sqliteSynchronous(),
    engine: postgres ? `postgres, ${servers} server(s) behind nginx` : 'sqlite',
    loadAverageAtStart: loadavg(),
    loadAverageAtEnd: [] as number[],
  };
  log(
    `machine: ${machine.cpus} × ${machine.cpuModel}, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} at start; commit ${machine.commit}; SQLite synchronous=${machine.sqliteSynchronous}; ` +
      `app log (LOG_LEVEL=${args['log-level']}) to ${logFile}`,
  );
  execFileSync(
    process.execPath,
    [fromRoot('node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', BUILD_DIR],
    { cwd: fromRoot(), stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const cluster = args.cluster ? Number(args.cluster) : undefined;
  let pg: Cluster | undefined;
  let databaseUrl: string | undefined;
  if (postgres) {
    pg = startCluster({ durable: true });
    // Stopped at the end, or at exit when a scenario fails (its data folder is a throwaway).
    const throwaway = pg;
    process.once('exit', () => throwaway.stop());
    const admin = new pgClient.Client({ connectionString: pg.url('postgres') });
    await admin.connect();
    await admin.query('CREATE DATABASE bench');
    await admin.end();
    databaseUrl = pg.url('bench');
    log(
      `PostgreSQL: a throwaway cluster (fsync on, synchronous_commit on, shared_buffers 128MB), ${servers} app server(s)`,
    );
  }
  const appOptions = {
    databasePath,
    databaseUrl,
    servers,
    port: 3901,
    logFile,
    logLevel: args['log-level'] ?? 'info',
    profileDir,
    cluster,
  };
  let app = await startFleet(appOptions);
  const pageHtml = await (await fetch(app.url + pagePath)).text();
  const cssPath = /href="(\/static\/css\/site\.[0-9a-f]+\.css)"/.exec(pageHtml)?.[1];
  if (!cssPath) throw new Error('no stylesheet link on the campaign page');

  const rowsOut: Row[] = [];
  const bench = (phase: Bench['phase']): Bench => ({
    get app() {
      return app;
    },
    phase,
    quick,
    seconds,
    connections,
    outDir,
    databasePath,
    databaseEnv: databaseUrl ? { DATABASE_URL: databaseUrl } : { DATABASE_PATH: databasePath },
    servers,
    campaign,
    pagePath,
    cssPath,
    browser: BROWSER,
    runId,
    log,
    record: (row) => rowsOut.push(row),
    count: () => count(app),
    settledCount: (server) => settledCount(server ?? app),
    restart: async () => {
      await app.stop();
      app = await startFleet(appOptions);
      return app;
    },
    baselines: async (paths) => {
      const file = join(outDir, 'baseline-responses.json');
      const captured = await Promise.all(paths.map((p) => capture(app.url + p)));
      writeFileSync(file, JSON.stringify(captured));
      const baselineLog = join(outDir, 'baselines.log');
      const node = await startBaseline('node', 3902, file, paths[0] as string, baselineLog);
      const express = await startBaseline('express', 3903, file, paths[0] as string, baselineLog);
      return { node, express, stop: async () => void (await Promise.all([node.stop(), express.stop()])) };
    },
  });

  const wanted = (s: Scenario, phase: Bench['phase']) => s.phases.includes(phase) && (!only || only.has(s.id));
  log(`fresh database: ${connections} connections, ${seconds} s per run`);
  for (const s of SCENARIOS.filter((s) => wanted(s, 'fresh'))) {
    log(`${s.id}:`);
    await s.run(bench('fresh'));
  }

  const scaleScenarios = SCENARIOS.filter((s) => wanted(s, 'scale'));
  if (rows > 0 && scaleScenarios.length && (!only || only.has('scale') || only.has('export'))) {
    await app.stop();
    log(`loading ${rows.toLocaleString('en-US')} signatures in batched transactions`);
    const load = { databasePath, campaignSlug: campaign.slug, consentVersion: campaign.consent.version, rows };
    const loaded = databaseUrl ? await loadSignaturesPostgres({ ...load, databaseUrl }) : loadSignatures(load);
    log(
      `  loaded in ${loaded.seconds.toFixed(1)} s (${Math.round(loaded.rows / loaded.seconds).toLocaleString('en-US')} rows/s)`,
    );
    app = await startFleet(appOptions);
    log(`${(await count(app)).toLocaleString('en-US')} signatures`);
    for (const s of scaleScenarios) {
      log(`${s.id} (at scale):`);
      await s.run(bench('scale'));
    }
  }
  await app.stop();
  pg?.stop();
  machine.loadAverageAtEnd = loadavg();

  const table = printTable(rowsOut, { rows });
  console.log('\n' + table);
  console.log(
    `\nwrk: 1 thread, ${connections} connections, ${seconds} s per run, servers alternating. The generator and the ` +
      `servers share the machine's ${machine.cpus} cores. App log: one JSON line per request (LOG_LEVEL=${args['log-level']}) to ${logFile}. ` +
      `${postgres ? `PostgreSQL (fsync on, synchronous_commit on), ${servers} app server(s) behind nginx` : `SQLite synchronous=${machine.sqliteSynchronous}`}. Load average ${machine.loadAverageAtStart.map((l) => l.toFixed(1)).join(' ')} at start, ` +
      `${machine.loadAverageAtEnd.map((l) => l.toFixed(1)).join(' ')} at end.`,
  );
  writeFileSync(join(outDir, 'results.md'), table + '\n');
  writeFileSync(
    join(outDir, 'results.json'),
    JSON.stringify({ machine, quick, connections, seconds, rows, logFile, results: rowsOut }, null, 2),
  );
  log(`results in ${join(outDir, 'results.json')} and results.md`);
  if (profileDir) {
    for (const file of readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'))) {
      log(`CPU profile ${join(profileDir, file)}:`);
      execFileSync(
        process.execPath,
        ['--import', 'tsx', fromRoot('bench', 'profileSummary.ts'), join(profileDir, file), '25'],
        {
          stdio: 'inherit',
        },
      );
    }
  }
}

await main();
