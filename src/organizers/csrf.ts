import { randomBytes } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Config } from '../config.js';
import { readCookie } from '../http/cookies.js';
import type { Signer } from '../http/signing.js';
import { sessionOf, tokensMatch } from './session.js';

/** The hidden field every organizer form carries. */
export const CSRF_FIELD = 'csrf';

/*
 * Two layers: the app-wide fetch-metadata check already refuses cross-site POSTs from browsers that
 * say where a request came from; these tokens cover the ones that do not.
 *
 * Signed in: a synchronizer token kept with the session row (OWASP's first choice).
 * Signing in: there is no session yet, so the login form uses a signed double-submit cookie: a
 * random value in a SameSite=Strict cookie and its HMAC in the form. Another site can neither read
 * the cookie nor compute the HMAC, so it cannot build a form that passes (login CSRF would sign a
 * victim into the attacker's account).
 */
export interface Csrf {
  /** Sets the login cookie if needed and returns the token to put in the login form. */
  loginToken(req: Request, res: Response): string;
  checkLogin: RequestHandler;
  /** For routes behind requireSession. */
  checkSession: RequestHandler;
}

export function createCsrf(config: Config, signer: Signer): Csrf {
  const cookie = config.secure ? '__Host-login-csrf' : 'login-csrf';
  const tokenFor = (nonce: string) => signer.hash('login-csrf', nonce);

  const refuse = (res: Response) => {
    res.status(403).render('error', {
      page: { title: 'That form has expired' },
      heading: 'That form has expired',
      message: 'For your security the form could not be accepted. Please open the page again and resend it.',
      link: { href: '/organizers/login', text: 'Go to organizer sign-in' },
      statusCode: 403,
    });
  };
  const field = (req: Request): unknown => (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];

  return {
    loginToken(req, res) {
      let nonce = readCookie(req.headers.cookie, cookie);
      if (!nonce || !/^[A-Za-z0-9_-]{22}$/.test(nonce)) {
        nonce = randomBytes(16).toString('base64url');
        res.cookie(cookie, nonce, { httpOnly: true, sameSite: 'strict', secure: config.secure, path: '/' });
      }
      return tokenFor(nonce);
    },
    checkLogin(req, res, next) {
      const nonce = readCookie(req.headers.cookie, cookie);
      if (nonce && tokensMatch(field(req), tokenFor(nonce))) return next();
      refuse(res);
    },
    checkSession(req, res, next) {
      if (tokensMatch(field(req), sessionOf(req).csrfToken)) return next();
      refuse(res);
    },
  };
}
