import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../logger.js';
import { loggablePath } from './requestLog.js';

export const notFound: RequestHandler = (req, res, next) => {
  // An address that is not valid percent-encoding was never a page: the request itself is wrong.
  try {
    decodeURIComponent(req.path);
  } catch {
    return next(Object.assign(new URIError('Malformed URL'), { status: 400 }));
  }
  res.status(404).render('error', {
    page: { title: 'Page not found' },
    heading: 'Page not found',
    message: 'If you typed the address, check it is correct. If you followed a link, it may be out of date.',
    statusCode: 404,
  });
};

// SQLite codes meaning "the database cannot take this write right now" (locked past the busy
// timeout, read-only, full, or an I/O fault): the supporter should try again, nothing is broken
// in what they sent, and nothing was acknowledged.
const UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|READONLY|FULL|IOERR|CANTOPEN|PROTOCOL|NOMEM)/;

export function isDatabaseUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && UNAVAILABLE.test(code);
}

/** The one error handler: a page in the site's style, a log line with context, no internals shown in production. */
export function errorHandler(logger: Logger, production: boolean): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    const status =
      (error as { status?: unknown; statusCode?: unknown }).status ?? (error as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      // Body parser and URL decoding errors: the client sent something we cannot read.
      const tooLarge = status === 413;
      res.status(status).render('error', {
        page: { title: tooLarge ? 'What you sent is too long' : 'Something in that request was not right' },
        heading: tooLarge ? 'What you sent is too long' : 'Something in that request was not right',
        message: tooLarge
          ? 'Please shorten what you wrote and try again.'
          : 'We could not read that request. Please go back and try again.',
        statusCode: status,
      });
      return;
    }
    if (isDatabaseUnavailable(error)) {
      logger.warn(
        {
          err: { code: (error as { code: string }).code, message: (error as Error).message },
          method: req.method,
          path: loggablePath(req.path),
        },
        'database unavailable',
      );
      res.setHeader('Retry-After', '5');
      res.setHeader('Cache-Control', 'no-store');
      res.status(503).render('error', {
        page: { title: 'Please try again' },
        heading: 'Sorry, please try again in a moment',
        message:
          'We are very busy and could not save that just now. Nothing was recorded: please go back and send the form again.',
        statusCode: 503,
      });
      return;
    }
    logger.error({ err: error, method: req.method, path: loggablePath(req.path) }, 'unhandled error');
    res.status(500).render('error', {
      page: { title: 'Sorry, something went wrong' },
      heading: 'Sorry, something went wrong',
      message: 'Please try again in a moment.',
      statusCode: 500,
      detail: production ? undefined : (error as Error)?.stack,
    });
  };
}
