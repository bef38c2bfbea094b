import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { rateLimit, type Options, type Store } from 'express-rate-limit';
import type { RateLimitRepository } from '../system/repository.js';
import type { Signer } from './signing.js';

const passThrough: RequestHandler = (_req, _res, next) => next();

/** What a refused request is answered with: a plain error page, or a handler of its own (status 429). */
export type Refusal =
  { heading: string; message: string } | ((req: Request, res: Response, next: NextFunction) => void | Promise<void>);

export interface LimitOptions {
  /** Answers with these statuses are given back to the allowance (a form refused for a mistake). */
  uncounted?: readonly number[];
}

/** Where every limit keeps its counts: the database, so all servers on it share one count per client. */
export interface SharedCounts {
  repo: RateLimitRepository;
  /** Client addresses are stored as an HMAC under the server secret, never as themselves. */
  signer: Signer;
}

/**
 * express-rate-limit's store over the database (issue 13): in one process's memory, three servers
 * behind a balancer would each allow the limit, three times it in all. One fixed window per limit and
 * client; the key is an HMAC of the address, so the table holds no address.
 */
class SharedStore implements Store {
  localKeys = false;
  private windowMs = 60_000;
  constructor(
    private readonly counts: SharedCounts,
    readonly prefix: string,
  ) {}
  init(options: Options): void {
    this.windowMs = options.windowMs;
  }
  private keyOf(key: string): string {
    return this.counts.signer.hash(`rate-limit:${this.prefix}`, key);
  }
  async increment(key: string) {
    const { hits, resetAtMs } = await this.counts.repo.hit(this.keyOf(key), this.windowMs, Date.now());
    return { totalHits: hits, resetTime: new Date(resetAtMs) };
  }
  async decrement(key: string): Promise<void> {
    await this.counts.repo.unhit(this.keyOf(key), Date.now());
  }
  async resetKey(key: string): Promise<void> {
    await this.counts.repo.reset(this.keyOf(key));
  }
}

/**
 * At most `perMinute` requests per client address per minute (0 turns the limit off), counted in
 * the database under `name` (SharedStore). The address is req.ip, which honours TRUST_PROXY's hop
 * count, so a forged X-Forwarded-For from a direct client changes nothing; IPv6 addresses are grouped
 * by /56, the block one customer usually gets, so rotating through one's own addresses does not help
 * either. Retry-After and the RateLimit headers are set before the refusal is drawn. When the
 * database cannot count, the request goes on (passOnStoreError): a signature then meets the same
 * trouble when it is written and is told to try again, and a limit never turns into an outage.
 */
export function perAddressLimit(
  counts: SharedCounts,
  name: string,
  perMinute: number,
  refusal: Refusal,
  options: LimitOptions = {},
): RequestHandler {
  if (perMinute === 0) return passThrough;
  const uncounted = options.uncounted ?? [];
  return rateLimit({
    store: new SharedStore(counts, name),
    passOnStoreError: true,
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
