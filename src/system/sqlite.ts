import { randomBytes } from 'node:crypto';
import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isBusy, retryWhileBusy, WRITE_WAIT_MS, type Db } from '../db.js';
import type { RateLimitRepository, SystemRepository } from './repository.js';

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

interface PendingHit {
  keyHash: string;
  windowMs: number;
  nowMs: number;
  resolve(result: { hits: number; resetAtMs: number }): void;
  reject(error: unknown): void;
}

/** How often ended windows are swept out (at most), so the table holds minutes of history. */
const SWEEP_EVERY_MS = 60_000;

export function createRateLimitRepository(db: Db): RateLimitRepository {
  const hit = db.prepare<{ key: string; now: number; reset: number }, { hits: number; resetAtMs: number }>(
    `INSERT INTO rate_limits (key_hash, hits, reset_at_ms) VALUES (@key, 1, @reset)
     ON CONFLICT (key_hash) DO UPDATE
        SET hits = CASE WHEN rate_limits.reset_at_ms <= @now THEN 1 ELSE rate_limits.hits + 1 END,
            reset_at_ms = CASE WHEN rate_limits.reset_at_ms <= @now THEN @reset ELSE rate_limits.reset_at_ms END
     RETURNING hits, reset_at_ms AS resetAtMs`,
  );
  const unhit = db.prepare<[string, number]>(
    'UPDATE rate_limits SET hits = hits - 1 WHERE key_hash = ? AND reset_at_ms > ? AND hits > 0',
  );
  const reset = db.prepare<[string]>('DELETE FROM rate_limits WHERE key_hash = ?');
  const sweep = db.prepare<[number]>('DELETE FROM rate_limits WHERE reset_at_ms <= ?');
  let lastSweep = 0;

  /*
   * Hits arriving in the same turn of the event loop are counted in one transaction, as signatures
   * are (signatures/sqlite.ts): one commit per turn instead of one per request. They are not waited
   * for on the disk (retryWhileBusy, not commitDurably: src/db.ts): a power cut losing the last
   * moment's hits lets a few more requests through once, and costs nobody anything they were told.
   */
  let queue: PendingHit[] = [];
  const countBatch = db.transaction((batch: PendingHit[]) => {
    const now = batch[0]?.nowMs ?? 0;
    if (now - lastSweep > SWEEP_EVERY_MS) {
      sweep.run(now);
      lastSweep = now;
    }
    return batch.map((p) => hit.get({ key: p.keyHash, now: p.nowMs, reset: p.nowMs + p.windowMs }));
  });
  async function flush(): Promise<void> {
    const batch = queue;
    queue = [];
    try {
      const results = await retryWhileBusy(() => countBatch.immediate(batch));
      batch.forEach((p, i) => p.resolve(results[i] as { hits: number; resetAtMs: number }));
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  }

  return {
    hit(keyHash, windowMs, nowMs) {
      return new Promise((resolve, reject) => {
        if (queue.length === 0) setImmediate(() => void flush());
        queue.push({ keyHash, windowMs, nowMs, resolve, reject });
      });
    },
    async unhit(keyHash, nowMs) {
      await retryWhileBusy(() => unhit.run(keyHash, nowMs));
    },
    async reset(keyHash) {
      await retryWhileBusy(() => reset.run(keyHash));
    },
  };
}
