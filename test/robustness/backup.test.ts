import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db.js';
import { fromRoot } from '../../src/paths.js';
import { build, sign, sleep, startServerProcess, tempDatabase, type ServerProcess } from './server-process.js';

const exec = promisify(execFile);
let outDir: string;
const running: ServerProcess[] = [];

beforeAll(async () => {
  outDir = await build();
}, 180_000);

afterAll(() => {
  for (const server of running) server.child.kill('SIGKILL');
});

/** `npm run backup -- <file>` against DATABASE_PATH, without blocking this process's own traffic. */
async function backup(
  databasePath: string,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [join(outDir, 'scripts', 'backup.js'), ...args], {
      cwd: fromRoot(),
      env: { PATH: process.env.PATH, DATABASE_PATH: databasePath },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

function readDatabase(path: string) {
  const db = openDatabase(path, { readonly: true });
  try {
    return {
      integrity: db.pragma('integrity_check', { simple: true }),
      emails: new Set(db.prepare('SELECT email_key FROM signatures').pluck().all() as string[]),
      counted: db.prepare("SELECT signature_count FROM campaigns WHERE slug = 'amazon-ring'").pluck().get() as number,
    };
  } finally {
    db.close();
  }
}

describe('npm run backup', () => {
  // Under load (a shared 2-core machine) a server start and a few hundred flushed commits take a while.
  it('copies the live database while signatures keep arriving, and the copy restores', async () => {
    const databasePath = tempDatabase();
    const server = await startServerProcess(join(outDir, 'src', 'server.js'), databasePath);
    running.push(server);
    const before: string[] = [];
    for (let i = 0; i < 40; i++) {
      expect(await sign(server.url, `before${i}@example.org`)).toBe(303);
      before.push(`before${i}@example.org`);
    }

    // Signing goes on throughout the backup.
    let signing = true;
    let next = 0;
    const during: string[] = [];
    const workers = Array.from({ length: 6 }, async () => {
      while (signing) {
        const email = `during${next++}@example.org`;
        expect(await sign(server.url, email)).toBe(303);
        during.push(email);
      }
    });
    await sleep(100);
    const file = join(dirname(databasePath), 'backup.db');
    const result = await backup(databasePath, file);
    signing = false;
    await Promise.all(workers);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('integrity ok');
    expect(during.length).toBeGreaterThan(0);

    // One consistent snapshot: everything signed before it began, counters equal to its rows.
    const copy = readDatabase(file);
    expect(copy.integrity).toBe('ok');
    for (const email of before) expect(copy.emails.has(email), email).toBe(true);
    expect(copy.counted).toBe(copy.emails.size);
    for (const email of copy.emails) expect(email.startsWith('before') || during.includes(email), email).toBe(true);
    // No temporary file is left beside it.
    expect(existsSync(join(dirname(file), '.backup.db.partial-'))).toBe(false);

    // More signatures after the backup, then a disaster: restore as the README says.
    expect(await sign(server.url, 'after-backup@example.org')).toBe(303);
    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
    copyFileSync(file, databasePath);
    rmSync(`${databasePath}-wal`, { force: true });
    rmSync(`${databasePath}-shm`, { force: true });
    const restored = await startServerProcess(join(outDir, 'src', 'server.js'), databasePath);
    running.push(restored);
    const json = (await (await fetch(`${restored.url}/campaigns/amazon-ring.json`)).json()) as {
      signatureCount: number;
    };
    expect(json.signatureCount).toBe(copy.emails.size);
    // The restored site signs as before; a signature from before the backup is still a duplicate.
    expect(await sign(restored.url, 'after-restore@example.org')).toBe(303);
    expect(await sign(restored.url, 'before0@example.org')).toBe(303);
    restored.child.kill('SIGTERM');
    expect((await restored.exited).code).toBe(0);
    const final = readDatabase(databasePath);
    expect(final.integrity).toBe('ok');
    expect(final.emails.has('after-backup@example.org')).toBe(false);
    expect(final.emails.size).toBe(copy.emails.size + 1);
    expect(final.counted).toBe(final.emails.size);
  }, 60_000);

  it('never overwrites an existing file, and leaves it as it was', async () => {
    const databasePath = tempDatabase();
    openDatabase(databasePath).close();
    const file = join(dirname(databasePath), 'existing.db');
    copyFileSync(fromRoot('package.json'), file);
    const result = await backup(databasePath, file);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('already exists');
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(fromRoot('package.json'), 'utf8'));
  });

  it('refuses when there is no database, and creates none', async () => {
    const databasePath = join(dirname(tempDatabase()), 'missing.db');
    const file = join(dirname(databasePath), 'copy.db');
    const result = await backup(databasePath, file);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No database at');
    expect(existsSync(databasePath)).toBe(false);
    expect(existsSync(file)).toBe(false);
  });

  it('explains its usage without a file name', async () => {
    const result = await backup(tempDatabase());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: npm run backup -- <file>');
  });
});
