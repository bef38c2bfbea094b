import { randomBytes } from 'node:crypto';
import type { Pool } from '../postgres.js';
import type { RateLimitRepository, SystemRepository } from './repository.js';

const codeOf = (error: unknown): string => String((error as { code?: unknown } | null)?.code ?? '');

/** How long the health check's write may take before the database counts as stuck. */
const PROBE_TIMEOUT_MS = 5000;

export function createSystemRepository(pool: Pool): SystemRepository {
  return {
    async ping() {
      try {
        await pool.query('SELECT 1');
        return true;
      } catch {
        return false;
      }
    },
    async secret(name) {
      // Insert-if-absent then read back: when two servers start together both get the winner's value.
      await pool.query('INSERT INTO app_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [
        name,
        randomBytes(32).toString('base64url'),
      ]);
      const { rows } = await pool.query<{ value: string }>('SELECT value FROM app_secrets WHERE name = $1', [name]);
      const value = rows[0]?.value;
      if (value === undefined) throw new Error(`secret ${name} could not be stored`);
      return value;
    },
    async writeProbe(now) {
      // A real committed write, as a signature would make, bounded so a stuck server reads as a failure.
      try {
        await pool.query({
          text: `UPDATE health_probe SET checked_at = $1 WHERE id = 1`,
          values: [now.toISOString()],
          query_timeout: PROBE_TIMEOUT_MS,
        } as never);
        return undefined;
      } catch (error) {
        const code = codeOf(error);
        if (code === '25006') return 'read-only';
        if (code === '53100') return 'disk full';
        if (code === '55P03' || /timeout/i.test(String((error as Error).message))) return 'locked';
        return 'database unavailable';
      }
    },
    async takeLease(name, holder, now, until, dueBefore) {
      const { rowCount } = await pool.query(
        `INSERT INTO job_leases (name, holder, expires_at) VALUES ($1, $2, $4)
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
          WHERE job_leases.expires_at <= $3
            AND (job_leases.last_finished_at IS NULL OR job_leases.last_finished_at < $5)`,
        [name, holder, now.toISOString(), until.toISOString(), dueBefore.toISOString()],
      );
      return rowCount === 1;
    },
    async releaseLease(name, holder, at, finished) {
      await pool.query(
        `UPDATE job_leases SET expires_at = $3,
                last_finished_at = CASE WHEN $4 THEN $3 ELSE last_finished_at END
          WHERE name = $1 AND holder = $2`,
        [name, holder, at.toISOString(), finished],
      );
    },
  };
}

/** How often ended windows are swept out (at most), so the table holds minutes of history. */
const SWEEP_EVERY_MS = 60_000;

export function createRateLimitRepository(pool: Pool): RateLimitRepository {
  let lastSweep = 0;
  return {
    // One statement: the upsert takes the row's lock, so two servers counting one client at once
    // each see the other's hit.
    async hit(keyHash, windowMs, nowMs) {
      if (nowMs - lastSweep > SWEEP_EVERY_MS) {
        lastSweep = nowMs;
        await pool.query('DELETE FROM rate_limits WHERE reset_at_ms <= $1', [nowMs]);
      }
      const { rows } = await pool.query<{ hits: number; resetAtMs: number }>(
        `INSERT INTO rate_limits (key_hash, hits, reset_at_ms) VALUES ($1, 1, $3)
         ON CONFLICT (key_hash) DO UPDATE
            SET hits = CASE WHEN rate_limits.reset_at_ms <= $2 THEN 1 ELSE rate_limits.hits + 1 END,
                reset_at_ms = CASE WHEN rate_limits.reset_at_ms <= $2 THEN $3 ELSE rate_limits.reset_at_ms END
         RETURNING hits, reset_at_ms AS "resetAtMs"`,
        [keyHash, nowMs, nowMs + windowMs],
      );
      return rows[0] as { hits: number; resetAtMs: number };
    },
    async unhit(keyHash, nowMs) {
      await pool.query('UPDATE rate_limits SET hits = hits - 1 WHERE key_hash = $1 AND reset_at_ms > $2 AND hits > 0', [
        keyHash,
        nowMs,
      ]);
    },
    async reset(keyHash) {
      await pool.query('DELETE FROM rate_limits WHERE key_hash = $1', [keyHash]);
    },
  };
}
