import { spawn } from 'node:child_process';
import { fromRoot } from '../../src/paths.js';

/** Another process holding the database's write lock: what a stuck tool or a second server does. */
export interface LockHolder {
  /** True until release() has been asked for: the lock is held for as long as this says so. */
  readonly holding: boolean;
  /** Commits (releasing the lock) and waits for the process to end. */
  release(): Promise<void>;
}

// Opens the file in its own process, takes the write lock with BEGIN IMMEDIATE, says "locked", and
// keeps it until a line arrives on stdin: held by events, not for a number of seconds.
const SCRIPT = `
const Database = require('better-sqlite3');
const db = new Database(process.argv[1]);
db.exec('BEGIN IMMEDIATE');
process.stdout.write('locked\\n');
process.stdin.once('data', () => {
  db.exec('COMMIT');
  db.close();
  process.stdout.write('released\\n');
  process.exit(0);
});
`;

/** Starts a process that holds `databasePath`'s write lock, and resolves once it holds it. */
export async function holdWriteLock(databasePath: string): Promise<LockHolder> {
  const child = spawn(process.execPath, ['-e', SCRIPT, databasePath], {
    cwd: fromRoot(),
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  const waiters: { line: string; resolve(): void }[] = [];
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      lines.push(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
    }
    for (const w of waiters.splice(0))
      if (lines.includes(w.line)) w.resolve();
      else waiters.push(w);
  });
  const said = (line: string) =>
    new Promise<void>((resolve, reject) => {
      if (lines.includes(line)) return resolve();
      waiters.push({ line, resolve });
      child.once('exit', (code) =>
        lines.includes(line) ? resolve() : reject(new Error(`lock holder exited ${code}`)),
      );
    });
  await said('locked');
  let holding = true;
  return {
    get holding() {
      return holding;
    },
    async release() {
      holding = false;
      child.stdin.write('go\n');
      await said('released');
    },
  };
}
