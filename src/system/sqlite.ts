import { randomBytes } from 'node:crypto';
import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isBusy, retryWhileBusy, WRITE_WAIT_MS, type Db } from '../db.js';
import type { SystemRepository } from './repository.js';

/**
 * Below this much free space on the database's file system, health says "disk full": a few batches
 * of signatures and the write-ahead log growing to its checkpoint size (about 4 MB) must still fit.
 */
const MIN_FREE_BYTES = 16 * 1024 * 1024;

const codeOf = (error: unknown): string => String((error as { code?: unknown } | null)?.code ?? '');

export function createSystemRepository(db: Db, options: { writeWaitMs?: number } = {}): SystemRepository {
  const writeWaitMs = options.writeWaitMs ?? WRITE_WAIT_MS;
  const ping = db.prepare('SELECT 1');
  const read = db.prepare<[string], string>('SELECT value FROM app_secrets WHERE name = ?').pluck();
  const write = db.prepare('INSERT INTO app_secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING');
  const touchProbe = db.prepare<[string]>('UPDATE health_probe SET checked_at = ? WHERE id = 1');
  const probe = db.transaction((at: string) => touchProbe.run(at));
  const takeLease = db.prepare<{ name: string; holder: string; now: string; until: string; dueBefore: string }>(
    `INSERT INTO job_leases (name, holder, expires_at) VALUES (@name, @holder, @until)
     ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
      WHERE job_leases.expires_at <= @now
        AND (job_leases.last_finished_at IS NULL OR job_leases.last_finished_at < @dueBefore)`,
  );
  const releaseLease = db.prepare<{ name: string; holder: string; at: string; finished: number }>(
    `UPDATE job_leases SET expires_at = @at,
            last_finished_at = CASE WHEN @finished = 1 THEN @at ELSE last_finished_at END
      WHERE name = @name AND holder = @holder`,
  );

  /** SQLite's own ceiling (max_page_count, which a test uses as a small disk) and the file system's. */
  async function spaceProblem(): Promise<string | undefined> {
    const pages = db.pragma('page_count', { simple: true }) as number;
    const max = db.pragma('max_page_count', { simple: true }) as number;
    const free = db.pragma('freelist_count', { simple: true }) as number;
    if (pages >= max && free === 0) return 'disk full';
    if (db.memory) return undefined;
    const fs = await statfs(dirname(db.name));
    return fs.bavail * fs.bsize < MIN_FREE_BYTES ? 'disk full' : undefined;
  }

  return {
    async ping() {
      try {
        return ping.get() !== undefined;
      } catch {
        return false;
      }
    },
    async secret(name) {
      // Insert-if-absent then read back: when two processes start together both get the winner's value.
      write.run(name, randomBytes(32).toString('base64url'));
      const value = read.get(name);
      if (value === undefined) throw new Error(`secret ${name} could not be stored`);
      return value;
    },
    async writeProbe(now) {
      try {
        await retryWhileBusy(() => probe.immediate(now.toISOString()), writeWaitMs);
        return await spaceProblem();
      } catch (error) {
        if (isBusy(error)) return 'locked';
        const code = codeOf(error);
        if (code.startsWith('SQLITE_READONLY')) return 'read-only';
        if (code.startsWith('SQLITE_FULL')) return 'disk full';
        if (code.startsWith('SQLITE_IOERR')) return 'disk error';
        return 'database unavailable';
      }
    },
    async takeLease(name, holder, now, until, dueBefore) {
      const params = {
        name,
        holder,
        now: now.toISOString(),
        until: until.toISOString(),
        dueBefore: dueBefore.toISOString(),
      };
      return (await retryWhileBusy(() => takeLease.run(params), writeWaitMs)).changes === 1;
    },
    async releaseLease(name, holder, at, finished) {
      const params = { name, holder, at: at.toISOString(), finished: finished ? 1 : 0 };
      await retryWhileBusy(() => releaseLease.run(params), writeWaitMs);
    },
  };
}
