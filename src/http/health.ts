import type { RequestHandler } from 'express';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { SystemRepository } from '../system/repository.js';

/** A load balancer may ask every second or more; the disk is asked at most this often. */
const PROBE_EVERY_MS = 1000;

interface Checked {
  at: number;
  problem: string | undefined;
}

/**
 * GET /healthz: 200 only while a signature could be written right now, so a load balancer stops
 * sending signers to a server whose disk is full, whose file is read-only, or whose database lock
 * has been held too long. It writes (a one-row update in a short transaction, waiting for the lock
 * on timers, never on the main thread), at most once a second whoever asks; requests in between get
 * the latest answer, and requests during a probe wait for that one.
 */
export function healthCheck(system: SystemRepository, clock: Clock, logger: Logger): RequestHandler {
  let last: Checked | undefined;
  let running: Promise<Checked> | undefined;

  async function probe(): Promise<Checked> {
    const at = clock.now().getTime();
    const problem = await system.writeProbe(clock.now()).then(
      (p) => p,
      () => 'database unavailable',
    );
    if (problem !== undefined && last?.problem === undefined) logger.warn({ problem }, 'health check failing');
    return { at, problem };
  }

  return async (_req, res) => {
    const now = clock.now().getTime();
    if (!last || now - last.at >= PROBE_EVERY_MS) {
      running ??= probe().finally(() => (running = undefined));
      last = await running;
    }
    res.setHeader('Cache-Control', 'no-store');
    if (last.problem === undefined) return void res.status(200).json({ status: 'ok' });
    res.setHeader('Retry-After', '5');
    res.status(503).json({ status: 'database unavailable', problem: last.problem });
  };
}
