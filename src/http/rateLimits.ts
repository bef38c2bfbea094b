import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';

const passThrough: RequestHandler = (_req, _res, next) => next();

/**
 * At most `perMinute` requests per client address per minute (0 turns the limit off). The address is
 * req.ip, which honours TRUST_PROXY's hop count, so a forged X-Forwarded-For from a direct client
 * changes nothing; IPv6 addresses are grouped by /56, the block one customer usually gets, so
 * rotating through one's own addresses does not help either. Counts live in this process's memory.
 */
export function perAddressLimit(perMinute: number, message: { heading: string; message: string }): RequestHandler {
  if (perMinute === 0) return passThrough;
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    ipv6Subnet: 56,
    handler: (_req, res) => {
      res.status(429).render('error', {
        page: { title: message.heading },
        heading: message.heading,
        message: message.message,
        statusCode: 429,
      });
    },
  });
}
