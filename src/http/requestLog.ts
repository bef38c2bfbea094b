import type { RequestHandler } from 'express';
import type { Logger } from '../logger.js';

/**
 * The one request log line: method, path, status and time. Deliberately no query string, address,
 * user agent, cookie or body: the log must not become a list of who signed.
 */
export function logRequest(logger: Logger, method: string, path: string, status: number, startedNs: bigint): void {
  const ms = Number(process.hrtime.bigint() - startedNs) / 1e6;
  logger.info({ method, path: path.slice(0, 200), status, ms: Math.round(ms * 10) / 10 }, 'request');
}

/** Logs every request that reaches it, when its response has been sent. */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => logRequest(logger, req.method, req.path, res.statusCode, started));
    next();
  };
}
