import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fromRoot } from '../../src/paths.js';

const exec = promisify(execFile);

/**
 * Compiles the site as `npm run build` does, but into a folder of this test file's own, so that test
 * files running at once (and anyone running `npm run build` meanwhile) never read half-written files.
 * The folder sits inside the project, so the compiled code finds views/, migrations/ and public/.
 * Returns the path of the compiled server.js, which is then run exactly as `npm start` runs it.
 */
export async function buildServer(name: string): Promise<string> {
  const outDir = fromRoot('node_modules', '.cache', 'undersigned-robustness', name);
  await exec(process.execPath, [fromRoot('node_modules', 'typescript', 'bin', 'tsc'), '-p', fromRoot('tsconfig.build.json'), '--outDir', outDir], {
    cwd: fromRoot(),
  });
  return join(outDir, 'src', 'server.js');
}

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
}

/** Runs the compiled server as production would, and waits until /healthz answers. */
export async function startServerProcess(serverJs: string, databasePath: string, env: Record<string, string> = {}): Promise<ServerProcess> {
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
      LOG_LEVEL: 'silent',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server exited during start-up:\n${stderr}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      // Not listening yet.
    }
    if (attempt > 200) throw new Error(`server did not answer /healthz:\n${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url, port, child, exited, stderr: () => stderr };
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
