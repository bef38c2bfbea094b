import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fromRoot } from '../../src/paths.js';

const exec = promisify(execFile);

/** A digest of everything the build reads, so a build is reused exactly while nothing changed. */
function sourceDigest(): string {
  const hash = createHash('sha256');
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)],
    );
  const files = [
    ...walk(fromRoot('src')),
    ...walk(fromRoot('scripts')),
    fromRoot('tsconfig.json'),
    fromRoot('tsconfig.build.json'),
  ].sort();
  for (const file of files) hash.update(file).update(readFileSync(file));
  return hash.digest('hex').slice(0, 16);
}

/**
 * Compiles the site and its scripts as `npm run build` does, into a folder named after the sources'
 * digest. Test files running at once share one build (a lock directory makes the others wait), and
 * nobody's `npm run build` into dist/ can hand them half-written files. The folder sits inside the
 * project, so the compiled code finds views/, migrations/ and public/. In it, `src/server.js` runs
 * exactly as `npm start` runs dist/src/server.js, and `scripts/x.js` as `npm run x` does.
 */
export async function build(): Promise<string> {
  // Inside this checkout, not node_modules: a git worktree shares node_modules with the main checkout,
  // and the compiled server finds views and migrations from the package.json above it.
  const cache = fromRoot('dist', '.robustness-cache');
  mkdirSync(cache, { recursive: true });
  const outDir = join(cache, sourceDigest());
  const lock = `${outDir}.lock`;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another test file is building; a lock older than two minutes was left by a killed run.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 120_000)
        rmSync(lock, { recursive: true, force: true });
      await sleep(100);
    }
  }
  try {
    if (!existsSync(join(outDir, '.complete'))) {
      await exec(
        process.execPath,
        [
          fromRoot('node_modules', 'typescript', 'bin', 'tsc'),
          '-p',
          fromRoot('tsconfig.build.json'),
          '--outDir',
          outDir,
        ],
        {
          cwd: fromRoot(),
        },
      ).catch((error: { stdout?: string }) => {
        throw new Error(`the build failed:\n${error.stdout ?? String(error)}`);
      });
      writeFileSync(join(outDir, '.complete'), new Date().toISOString());
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  return outDir;
}

/** The compiled server.js, built as above. */
export const buildServer = async (): Promise<string> => join(await build(), 'src', 'server.js');

/** A port nobody is listening on right now (the server must be told a fixed port). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export const tempDatabase = (): string => join(mkdtempSync(join(tmpdir(), 'undersigned-')), 'site.db');

export interface ServerProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** Resolves with the exit code (or signal) once the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
  /** The next JSON log line on stdout (from now on) that `matches`; rejects if the process ends first. */
  logLine(matches: (line: LogLine) => boolean): Promise<LogLine>;
}

export type LogLine = Record<string, unknown> & { msg?: string };

/** Runs the compiled server as production would, and waits until /healthz answers. */
/** Runs the compiled server as production would, without waiting for it to be ready. */
export async function spawnServerProcess(
  serverJs: string,
  databasePath: string,
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [serverJs], {
    cwd: fromRoot(),
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_PATH: databasePath,
      CAMPAIGNS_DIR: fromRoot('test', 'fixtures', 'campaigns'),
      MIN_FILL_SECONDS: '0',
      SIGN_RATE_LIMIT: '0',
      NODE_ENV: 'production',
      // Production refuses to start without these two (config.ts, loadServerConfig).
      BASE_URL: `http://127.0.0.1:${port}`,
      SECRET_KEY: 'test-secret-test-secret-test-secret-test',
      LOG_LEVEL: 'silent',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const watchers = new Set<(line: LogLine) => void>();
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const text of lines) {
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        continue;
      }
      for (const watcher of [...watchers]) watcher(line);
    }
  });
  const logLine = (matches: (line: LogLine) => boolean) =>
    new Promise<LogLine>((resolve, reject) => {
      const watcher = (line: LogLine) => {
        if (!matches(line)) return;
        watchers.delete(watcher);
        resolve(line);
      };
      watchers.add(watcher);
      void exited.then(() => {
        if (watchers.delete(watcher)) reject(new Error(`the server exited before the log line:\n${stderr}`));
      });
    });
  return { url: `http://127.0.0.1:${port}`, port, child, exited, stderr: () => stderr, logLine };
}

/** Runs the compiled server as production would, and waits until /healthz answers. */
export async function startServerProcess(
  serverJs: string,
  databasePath: string,
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const server = await spawnServerProcess(serverJs, databasePath, env);
  const { child, url } = server;
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`server exited during start-up:\n${server.stderr()}`);
    let status: number | undefined;
    try {
      const res = await fetch(`${url}/healthz`);
      await res.arrayBuffer();
      if (res.ok) break;
      status = res.status;
    } catch {
      // Not listening yet.
    }
    // Patient: on a loaded machine a start (migrations, the first health probe's flush to the disk)
    // can take many seconds; what matters is that it answers, not how soon.
    if (attempt > 1200)
      throw new Error(`server did not answer /healthz with 200 (last: ${status ?? 'no answer'}):\n${server.stderr()}`);
    await sleep(50);
  }
  return server;
}

export function signatureBody(email: string, overrides: Record<string, string> = {}): string {
  return new URLSearchParams({
    first_name: 'Ada',
    last_name: 'Lovelace',
    email,
    country: 'US',
    postal_code: '12345',
    ...overrides,
  }).toString();
}

/** Posts a signature; the status, or 'failed' when the connection broke before an answer came. */
export async function sign(url: string, email: string, slug = 'amazon-ring'): Promise<number | 'failed'> {
  try {
    const res = await fetch(`${url}/campaigns/${slug}/signatures`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: signatureBody(email),
      redirect: 'manual',
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 'failed';
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
