import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * JSON lines on stdout. Nothing personal goes in: request logs carry method, route, status and
 * timing only (see http/requestLog.ts), and errors are logged without request bodies.
 */
export function createLogger(level: string): Logger {
  // Lines are written in batches of about 4 kB, at least once a second and in full at exit, instead of
  // one write() per line: with a line per request, that write was the largest single cost of serving a
  // busy campaign page (BENCHMARKS.md). A crash still flushes; only a hard kill (SIGKILL) can lose the
  // last second of lines.
  const destination = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  const timer = setInterval(() => destination.flush(), 1000).unref();
  destination.once('close', () => clearInterval(timer));
  return pino(
    {
      level,
      base: undefined,
      redact: {
        paths: ['*.email', '*.first_name', '*.last_name', '*.password', '*.postal_code'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

export const silentLogger: Logger = pino({ level: 'silent' });
