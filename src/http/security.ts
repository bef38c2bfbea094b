import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import helmet from 'helmet';
import type { Config } from '../config.js';
import { translatorOf } from '../i18n/http.js';

/**
 * Response headers for every page. The CSP allows only our own files: no inline script or style (so
 * an injected tag does nothing), nothing from another site (this petition must not leak who reads
 * it to third parties), no plugins, no <base> tricks, no framing (clickjacking the sign button).
 */
function helmetFor(config: Config) {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        manifestSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        upgradeInsecureRequests: config.secure ? [] : null,
      },
    },
    // HSTS only means something over HTTPS; sent over plain HTTP it would be ignored or, behind a
    // misconfigured proxy, lock people out of a site that has no certificate yet.
    strictTransportSecurity: config.secure ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    // Following a share link must not tell the other site which campaign page someone came from.
    referrerPolicy: { policy: 'no-referrer' },
    // For browsers that predate frame-ancestors: the same "no framing at all", not helmet's SAMEORIGIN.
    xFrameOptions: { action: 'deny' },
    crossOriginEmbedderPolicy: false,
  });
}

/** Header names and values, in the order helmet sets them. */
export type HeaderList = ReadonlyArray<readonly [name: string, value: string]>;

/**
 * The headers helmet sets, worked out once. Our policy has no per-request part (no nonces), so every
 * response gets the same values; helmet runs its dozen small middlewares once at start-up instead of
 * on each of the thousands of requests a second a viral campaign brings.
 */
export function securityHeaderList(config: Config): HeaderList {
  const headers = new Map<string, string>();
  const recorder = {
    setHeader(name: string, value: string) {
      headers.set(name, String(value));
    },
    removeHeader(name: string) {
      headers.delete(name);
    },
  };
  let failure: unknown;
  helmetFor(config)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    failure = error;
  });
  if (failure) throw failure;
  return [...headers];
}

/** Sets the security headers on every response. */
export function securityHeaders(list: HeaderList): RequestHandler {
  return (_req, res, next) => {
    for (const [name, value] of list) res.setHeader(name, value);
    next();
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * RFC 8058 one-click unsubscribe: the mail provider POSTs to the List-Unsubscribe address from its own
 * servers (or a webmail page), so the request may come with any Origin. It is authenticated by the
 * secret token in its path, which only the email carried, and it can only take the person off the
 * updates list; that one address is let through.
 */
const ONE_CLICK_UNSUBSCRIBE = /^(?:\/[a-z]{2})?\/campaigns\/[^/]+\/unsubscribe\/[A-Za-z0-9_-]{43}$/;

/**
 * Refuses cross-site form posts (OWASP's fetch-metadata defence). Browsers that send
 * Sec-Fetch-Site are judged by it; older ones by Origin. A request with neither did not come from
 * a browser page, so it cannot be a forged cross-site submission, and is let through to validation.
 */
export function refuseCrossSitePosts(config: Config): RequestHandler {
  const publicOrigin = new URL(config.baseUrl).origin;
  return (req, res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    if (req.method === 'POST' && ONE_CLICK_UNSUBSCRIBE.test(req.path)) return next();
    const site = req.get('sec-fetch-site');
    const origin = req.get('origin');
    let allowed: boolean;
    if (site) {
      allowed = site === 'same-origin' || site === 'none';
    } else if (origin) {
      const ownOrigin = `${req.protocol}://${req.get('host') ?? ''}`;
      allowed = origin === publicOrigin || origin === ownOrigin;
    } else {
      allowed = true;
    }
    if (allowed) return next();
    const { t } = translatorOf(res);
    res.status(403);
    res.render('error', {
      page: { title: t('errors.cross_site_heading') },
      heading: t('errors.cross_site_heading'),
      message: t('errors.cross_site'),
      statusCode: 403,
    });
  };
}

/** Pages that belong to one person (thank-you, organizers) must never sit in a shared cache. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};
