import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromRoot } from '../src/paths.js';
import { startNginx } from '../test/nginx.js';

/**
 * The bench builds its own copy of the app here (inside the project, so the app still finds its views,
 * migrations and campaigns), so that someone running `npm run build` during a run cannot change the
 * code being measured halfway through. Not under node_modules: in a git worktree that is a link to
 * another checkout's, and the build would find that checkout's views and campaigns.
 */
export const BUILD_DIR = fromRoot('dist', 'bench-build');

export interface Running {
  name: string;
  url: string;
  pid: number;
  /** Peak resident memory of the server process so far (VmHWM), in MB. */
  peakRssMb(): number;
  /** The largest process's peak: the one that served a request such as the export (its own peak when one process). */
  largestPeakRssMb(): number;
  /** Resident memory now (VmRSS), in MB. */
  rssMb(): number;
  /** CPU time the server process has used so far (user + system), in seconds. */
  cpuSeconds(): number;
  /** Starts the peak over from the current resident memory (Linux: clear_refs 5). */
  resetPeak(): void;
  stop(): Promise<void>;
}

function statusField(pid: number, field: string): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) / 1024 : NaN;
}

const TICKS_PER_SECOND = 100;

function ownCpuSeconds(pid: number): number {
  // Fields after the command name (which is in parentheses and may hold spaces): utime is 14th, stime 15th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** The process and its live children (the workers, when it is the cluster launcher). */
function cpuSeconds(pid: number): number {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    // Kernels without CONFIG_PROC_CHILDREN: the process alone.
  }
  return [pid, ...children].reduce((sum, p) => sum + ownCpuSeconds(p), 0);
}

async function waitUntilUp(url: string, child: ChildProcess, name: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} before answering`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} did not answer ${url} within 30 s`);
}

interface StartOptions {
  name: string;
  args: string[];
  env: Record<string, string>;
  port: number;
  readyPath: string;
  /** Where the process's stdout and stderr go: a file, or /dev/null. */
  logFile: string;
}

/**
 * Every process the benchmark started and has not stopped: killed when the benchmark exits, however it
 * exits, so a failed run leaves no server holding its port for the next.
 */
const started = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of started) child.kill('SIGKILL');
});

/** Kills `child` if the benchmark exits before it does. */
export function stopAtExit(child: ChildProcess): ChildProcess {
  started.add(child);
  child.once('exit', () => started.delete(child));
  return child;
}

export async function startProcess(options: StartOptions): Promise<Running> {
  const log = openSync(options.logFile, options.logFile === '/dev/null' ? 'w' : 'a');
  const child = stopAtExit(
    spawn(process.execPath, options.args, {
      cwd: fromRoot(),
      env: { PATH: process.env.PATH ?? '', ...options.env, PORT: String(options.port) },
      stdio: ['ignore', log, log],
    }),
  );
  const url = `http://127.0.0.1:${options.port}`;
  await waitUntilUp(url + options.readyPath, child, options.name);
  const pid = child.pid as number;
  return {
    name: options.name,
    url,
    pid,
    peakRssMb: () => statusField(pid, 'VmHWM'),
    largestPeakRssMb: () => statusField(pid, 'VmHWM'),
    rssMb: () => statusField(pid, 'VmRSS'),
    cpuSeconds: () => cpuSeconds(pid),
    resetPeak: () => writeFileSync(`/proc/${pid}/clear_refs`, '5'),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export interface AppOptions {
  databasePath: string;
  /** The campaigns folder; by default a copy of campaigns/ with confirmation by email off (see below). */
  campaignsDir?: string;
  /** More environment for the app (SMTP_URL for the mail scenarios, bench/mail.ts). */
  env?: Record<string, string>;
  port: number;
  /** Where the app's log goes (its stdout: JSON lines, one per request at LOG_LEVEL=info). */
  logFile: string;
  logLevel: string;
  profileDir?: string;
  /** Run scripts/cluster.ts' build instead of one process. */
  cluster?: number;
}

/** The real app, built, in production mode, rate limits and minimum fill time off by configuration. */
export function startApp(options: AppOptions): Promise<Running> {
  const script = join(BUILD_DIR, ...(options.cluster ? ['scripts', 'cluster.js'] : ['src', 'server.js']));
  const args = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`, script] : [script];
  return startProcess({
    name: 'app',
    args,
    port: options.port,
    readyPath: '/healthz',
    logFile: options.logFile,
    env: {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      BASE_URL: `http://127.0.0.1:${options.port}`,
      DATABASE_PATH: options.databasePath,
      CAMPAIGNS_DIR: options.campaignsDir ?? campaignsCopy({ confirmEmail: false }),
      SIGN_RATE_LIMIT: '0',
      LOGIN_RATE_LIMIT: '0',
      MIN_FILL_SECONDS: '0',
      LOG_LEVEL: options.logLevel,
      SECRET_KEY: 'benchmark-secret-benchmark-secret-benchmark',
      ...(options.cluster ? { WEB_CONCURRENCY: String(options.cluster) } : {}),
      ...options.env,
    },
  });
}

/**
 * campaigns/ copied to a temp folder with confirm_email set as asked. The page, JSON and signing
 * scenarios measure signing without confirmation (the count rises at signing, which they wait for, and
 * production would need an SMTP server); bench/mail.ts measures it with confirmation on.
 */
export function campaignsCopy(options: { confirmEmail: boolean }): string {
  const dir = mkdtempSync(join(tmpdir(), 'undersigned-bench-campaigns-'));
  for (const name of readdirSync(fromRoot('campaigns')).filter((f) => f.endsWith('.md'))) {
    const text = readFileSync(fromRoot('campaigns', name), 'utf8').replace(
      /^confirm_email: .*$/m,
      `confirm_email: ${options.confirmEmail}`,
    );
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

export type BaselineKind = 'node' | 'express';

/** bench/baseline.ts: a plain node:http server or bare Express, sending the captured responses. */
export function startBaseline(
  kind: BaselineKind,
  port: number,
  responsesFile: string,
  readyPath: string,
  logFile: string,
): Promise<Running> {
  return startProcess({
    name: kind === 'node' ? 'node:http' : 'bare Express',
    args: ['--import', 'tsx', fromRoot('bench', 'baseline.ts')],
    port,
    readyPath,
    logFile,
    env: { NODE_ENV: 'production', BASELINE_KIND: kind, BASELINE_RESPONSES: responsesFile },
  });
}

export interface FleetOptions extends AppOptions {
  /** PostgreSQL instead of the SQLite file (bench --engine postgres). */
  databaseUrl?: string;
  /** App servers behind one nginx (deploy/nginx.conf) when more than one. */
  servers: number;
}

/**
 * What the scenarios load: one app server as before, or `servers` app processes on one PostgreSQL
 * behind a real nginx listening on `port` (the URL the scenarios use), each app on a port of its own
 * above it. Memory and CPU are the app processes' sums: nginx is the proxy a deployment has anyway.
 */
export async function startFleet(options: FleetOptions): Promise<Running> {
  const env = { ...options.env, ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}) };
  if (options.servers <= 1) return startApp({ ...options, env });
  const apps = await Promise.all(
    Array.from({ length: options.servers }, (_, i) =>
      startApp({ ...options, port: options.port + 10 + i, env: { ...env, TRUST_PROXY: '1' } }),
    ),
  );
  const dir = mkdtempSync(join(tmpdir(), 'undersigned-bench-nginx-'));
  const nginx = stopAtExit(
    await startNginx(
      dir,
      options.port,
      apps.map((a) => Number(new URL(a.url).port)),
    ),
  );
  const sum = (f: (a: Running) => number) => apps.reduce((total, a) => total + f(a), 0);
  return {
    name: `${options.servers} apps behind nginx`,
    url: `http://127.0.0.1:${options.port}`,
    pid: apps[0]?.pid ?? 0,
    peakRssMb: () => sum((a) => a.peakRssMb()),
    largestPeakRssMb: () => Math.max(...apps.map((a) => a.largestPeakRssMb())),
    rssMb: () => sum((a) => a.rssMb()),
    cpuSeconds: () => sum((a) => a.cpuSeconds()),
    resetPeak: () => apps.forEach((a) => a.resetPeak()),
    async stop() {
      nginx.kill('SIGTERM');
      await Promise.all(apps.map((a) => a.stop()));
    },
  };
}

/** bench/signingCeiling.ts: signing with node:http and the app's own form, repository and HMACs, nothing else. */
export function startSigningCeiling(port: number, databasePath: string, logFile: string): Promise<Running> {
  return startProcess({
    name: 'signing ceiling',
    args: ['--import', 'tsx', fromRoot('bench', 'signingCeiling.ts')],
    port,
    readyPath: '/healthz',
    logFile,
    env: { NODE_ENV: 'production', DATABASE_PATH: databasePath },
  });
}
