/**
 * A throwaway PostgreSQL server for the tests and the benchmark: a new cluster in a temporary folder
 * (initdb), started with pg_ctl on a unix socket only, and removed afterwards. It runs as the current
 * user, or as the `postgres` user when we are root (PostgreSQL refuses to run as root). The binaries
 * are Debian's (`apt-get install postgresql`), found under /usr/lib/postgresql/<version>/bin or on PATH.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const INSTALL_HINT =
  'PostgreSQL is not installed: install it (Debian/Ubuntu: sudo apt-get install postgresql) to run the PostgreSQL half of the tests';

/** The folder holding initdb and pg_ctl, or undefined when PostgreSQL is not installed. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  try {
    const initdb = execFileSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).trim();
    return initdb ? join(initdb, '..') : undefined;
  } catch {
    return undefined;
  }
}

export interface Cluster {
  /** postgres://… for a database named `name` on this cluster (over its unix socket). */
  url(name: string): string;
  /** The socket folder (host for libpq). */
  socketDir: string;
  user: string;
  stop(): void;
}

export interface ClusterOptions {
  /**
   * Settings for speed in tests: no fsync, so a test run does not wait on the disk. The benchmark
   * passes durable: true for the settings a real server keeps (fsync and synchronous_commit on).
   */
  durable?: boolean;
  /** Extra `-c name=value` settings. */
  settings?: Record<string, string | number>;
}

const USER = 'undersigned';

export function startCluster(options: ClusterOptions = {}): Cluster {
  const bin = postgresBinDir();
  if (!bin) throw new Error(INSTALL_HINT);
  const root = mkdtempSync(join(tmpdir(), 'undersigned-pg-'));
  const data = join(root, 'data');
  const asRoot = process.getuid?.() === 0;
  // As root, everything runs as the postgres user, which must own the folder.
  const run = (program: string, args: string[]) => {
    const command = asRoot ? 'runuser' : join(bin, program);
    const argv = asRoot ? ['-u', 'postgres', '--', join(bin, program), ...args] : args;
    return execFileSync(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  };
  if (asRoot) {
    chmodSync(root, 0o755);
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(root, uid, gid);
  }
  run('initdb', ['-D', data, '-U', USER, '-A', 'trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
  const settings: Record<string, string | number> = {
    listen_addresses: "''",
    unix_socket_directories: root,
    max_connections: 300,
    shared_buffers: '128MB',
    ...(options.durable ? {} : { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' }),
    ...options.settings,
  };
  const flags = Object.entries(settings)
    .map(([name, value]) => `-c ${name}=${value}`)
    .join(' ');
  run('pg_ctl', ['-D', data, '-o', flags, '-l', join(root, 'server.log'), '-w', '-t', '60', 'start']);
  let stopped = false;
  return {
    socketDir: root,
    user: USER,
    url: (name) => `postgres://${USER}@/${name}?host=${encodeURIComponent(root)}`,
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}
