import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import { readCookie } from '../http/cookies.js';
import type { OrganizerRepository, OrganizerSession } from './repository.js';

/** However active, a session ends after this: a stolen cookie cannot be kept alive for ever. */
const ABSOLUTE_LIFETIME_MS = 12 * 60 * 60 * 1000;
/** last_seen is written at most this often, so browsing pages does not mean a write per request. */
const TOUCH_EVERY_MS = 60 * 1000;

/**
 * `__Host-` makes the browser refuse the cookie unless it is Secure, has Path=/ and no Domain, so
 * a sibling subdomain or a plain-HTTP response cannot plant or overwrite it. Over plain HTTP
 * (local development) the prefix would make the browser drop the cookie, hence the plain name.
 */
export const sessionCookieName = (config: Config): string => (config.secure ? '__Host-session' : 'session');

const hashId = (id: string): string => createHash('sha256').update(id).digest('hex');

export interface ActiveSession extends OrganizerSession {
  idHash: string;
}

const active = new WeakMap<Request, ActiveSession>();

/** The signed-in organizer's session; only defined behind requireSession. */
export function sessionOf(req: Request): ActiveSession {
  const session = active.get(req);
  if (!session) throw new Error('sessionOf() used on a route without requireSession');
  return session;
}

export interface Sessions {
  /** Starts a fresh session (a new random id) and sets its cookie; any session the browser had is ended. */
  start(req: Request, res: Response, organizerId: number): Promise<void>;
  end(req: Request, res: Response): Promise<void>;
  /** The live session for this request's cookie, extending its idle expiry, or undefined. */
  current(req: Request): Promise<ActiveSession | undefined>;
  /** Pages redirect to sign-in without a session; downloads (`kind: 'download'`) answer 401. */
  require(kind: 'page' | 'download'): RequestHandler;
}

export function createSessions(config: Config, repo: OrganizerRepository, clock: Clock): Sessions {
  const cookie = sessionCookieName(config);
  const idleMs = config.sessionIdleMinutes * 60 * 1000;
  const cookieOptions = { httpOnly: true, sameSite: 'strict', secure: config.secure, path: '/' } as const;

  const idHashOf = (req: Request): string | undefined => {
    const id = readCookie(req.headers.cookie, cookie);
    // Our ids are 43 base64url characters; anything else is not worth a database lookup.
    return id && /^[A-Za-z0-9_-]{43}$/.test(id) ? hashId(id) : undefined;
  };

  async function current(req: Request): Promise<ActiveSession | undefined> {
    const idHash = idHashOf(req);
    if (!idHash) return undefined;
    const now = clock.now();
    const session = await repo.findSession(idHash, now.toISOString());
    if (!session) return undefined;
    if (now.getTime() - Date.parse(session.lastSeenAt) >= TOUCH_EVERY_MS) {
      const expiresAt = Math.min(now.getTime() + idleMs, Date.parse(session.createdAt) + ABSOLUTE_LIFETIME_MS);
      await repo.touchSession(idHash, now.toISOString(), new Date(expiresAt).toISOString());
    }
    return { ...session, idHash };
  }

  return {
    async start(req, res, organizerId) {
      const previous = idHashOf(req);
      if (previous) await repo.deleteSession(previous);
      const now = clock.now();
      await repo.deleteExpiredSessions(now.toISOString());
      const id = randomBytes(32).toString('base64url');
      await repo.createSession({
        idHash: hashId(id),
        organizerId,
        csrfToken: randomBytes(32).toString('base64url'),
        now: now.toISOString(),
        expiresAt: new Date(now.getTime() + Math.min(idleMs, ABSOLUTE_LIFETIME_MS)).toISOString(),
      });
      // No Max-Age: the cookie goes when the browser closes; the server's expiry is what counts.
      res.cookie(cookie, id, cookieOptions);
    },
    async end(req, res) {
      const idHash = idHashOf(req);
      if (idHash) await repo.deleteSession(idHash);
      res.clearCookie(cookie, cookieOptions);
    },
    current,
    require(kind) {
      return async (req, res, next) => {
        const session = await current(req);
        if (session) {
          active.set(req, session);
          return next();
        }
        if (kind === 'page') return res.redirect(303, '/organizers/login');
        // A download has no page to return to; a 401 lets a script see it was not signed in.
        res.setHeader('WWW-Authenticate', 'Session realm="organizers"');
        res.status(401).render('error', {
          page: { title: 'Sign in to download' },
          heading: 'Sign in to download',
          message: 'Downloads of signatures are for signed-in organizers only.',
          link: { href: '/organizers/login', text: 'Sign in' },
          statusCode: 401,
        });
      };
    },
  };
}

/** Constant-time comparison of a submitted form token with the expected one. */
export function tokensMatch(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
