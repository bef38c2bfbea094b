import type { ErrorRequestHandler, RequestHandler } from 'express';
import { translatorOf } from '../i18n/http.js';
import type { Logger } from '../logger.js';
import { loggablePath } from './requestLog.js';

export const notFound: RequestHandler = (req, res, next) => {
  // An address that is not valid percent-encoding was never a page: the request itself is wrong.
  try {
    decodeURIComponent(req.path);
  } catch {
    return next(Object.assign(new URIError('Malformed URL'), { status: 400 }));
  }
  const { t } = translatorOf(res);
  res.status(404).render('error', {
    page: { title: t('errors.not_found_heading') },
    heading: t('errors.not_found_heading'),
    message: t('errors.not_found'),
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
    const { t } = translatorOf(res);
    const status =
      (error as { status?: unknown; statusCode?: unknown }).status ?? (error as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      // Body parser and URL decoding errors: the client sent something we cannot read.
      const tooLarge = status === 413;
      const heading = t(tooLarge ? 'errors.too_large_heading' : 'errors.bad_request_heading');
      res.status(status).render('error', {
        page: { title: heading },
        heading,
        message: t(tooLarge ? 'errors.too_large' : 'errors.bad_request'),
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
        page: { title: t('errors.unavailable_title') },
        heading: t('errors.unavailable_heading'),
        message: t('errors.unavailable'),
        statusCode: 503,
      });
      return;
    }
    logger.error({ err: error, method: req.method, path: loggablePath(req.path) }, 'unhandled error');
    res.status(500).render('error', {
      page: { title: t('errors.server_heading') },
      heading: t('errors.server_heading'),
      message: t('errors.server'),
      statusCode: 500,
      detail: production ? undefined : (error as Error)?.stack,
    });
  };
}
