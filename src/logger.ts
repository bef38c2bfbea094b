import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * JSON lines on stdout. Nothing personal goes in: request logs carry method, route, status and
 * timing only (see http/requestLog.ts), and errors are logged without request bodies.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: undefined,
    redact: { paths: ['*.email', '*.first_name', '*.last_name', '*.password', '*.postal_code'], censor: '[redacted]' },
  });
}

export const silentLogger: Logger = pino({ level: 'silent' });
