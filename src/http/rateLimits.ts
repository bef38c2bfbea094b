import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { rateLimit } from 'express-rate-limit';

const passThrough: RequestHandler = (_req, _res, next) => next();

/** What a refused request is answered with: a plain error page, or a handler of its own (status 429). */
export type Refusal =
  { heading: string; message: string } | ((req: Request, res: Response, next: NextFunction) => void | Promise<void>);

export interface LimitOptions {
  /** Answers with these statuses are given back to the allowance (a form refused for a mistake). */
  uncounted?: readonly number[];
}

/**
 * At most `perMinute` requests per client address per minute (0 turns the limit off). The address is
 * req.ip, which honours TRUST_PROXY's hop count, so a forged X-Forwarded-For from a direct client
 * changes nothing; IPv6 addresses are grouped by /56, the block one customer usually gets, so
 * rotating through one's own addresses does not help either. Counts live in this process's memory;
 * every limit is made here, so moving them to the database is a change to this file only.
 * Retry-After and the RateLimit headers are set before the refusal is drawn.
 */
export function perAddressLimit(perMinute: number, refusal: Refusal, options: LimitOptions = {}): RequestHandler {
  if (perMinute === 0) return passThrough;
  const uncounted = options.uncounted ?? [];
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    ipv6Subnet: 56,
    skipFailedRequests: uncounted.length > 0,
    requestWasSuccessful: (_req, res) => !uncounted.includes(res.statusCode),
    handler:
      typeof refusal === 'function'
        ? refusal
        : (_req, res) => {
            res.status(429).render('error', {
              page: { title: refusal.heading },
              heading: refusal.heading,
              message: refusal.message,
              statusCode: 429,
            });
          },
  });
}
