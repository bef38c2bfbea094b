import type { RequestHandler } from 'express';
import type { Logger } from '../logger.js';

/**
 * One line per request: method, path, status and time. Deliberately no query string, address,
 * user agent, cookie or body: the log must not become a list of who signed.
 */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logger.info(
        { method: req.method, path: req.path.slice(0, 200), status: res.statusCode, ms: Math.round(ms * 10) / 10 },
        'request',
      );
    });
    next();
  };
}
