import type { RequestHandler } from 'express';
import type { Logger } from '../logger.js';
import { LINK_PATH } from '../mail/links.js';

/**
 * The path as it may be logged: the secret token of an email link (confirm, withdraw, unsubscribe) is
 * replaced, so the log never holds a working link.
 */
export const loggablePath = (path: string): string => path.slice(0, 200).replace(LINK_PATH, '$1[token]');

const requestLoggers = new WeakMap<Logger, Logger>();

/**
 * The logger's child for request lines, without its redaction: a request line holds only the fields
 * below, none of them personal, and the redaction pass (which looks for addresses and names in every
 * object logged) was half of a line's cost, on every page view (BENCHMARKS.md).
 */
function requestLogger(logger: Logger): Logger {
  let child = requestLoggers.get(logger);
  if (!child) {
    child = logger.child({}, { redact: { paths: [] } });
    requestLoggers.set(logger, child);
  }
  return child;
}

/**
 * The one request log line: method, path, status and time. Deliberately no query string, address,
 * user agent, cookie or body: the log must not become a list of who signed.
 */
export function logRequest(logger: Logger, method: string, path: string, status: number, startedNs: bigint): void {
  const ms = Number(process.hrtime.bigint() - startedNs) / 1e6;
  requestLogger(logger).info({ method, path: loggablePath(path), status, ms: Math.round(ms * 10) / 10 }, 'request');
}

/** Logs every request that reaches it, when its response has been sent. */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => logRequest(logger, req.method, req.path, res.statusCode, started));
    next();
  };
}
