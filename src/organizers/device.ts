import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Config } from '../config.js';
import { readCookie } from '../http/cookies.js';
import type { Signer } from '../http/signing.js';

const YEAR_MS = 365 * 24 * 60 * 60 * 1000;

/**
 * OWASP's "device cookies": a browser that has signed in to an account carries a signed token
 * naming that account, by an HMAC of its email key rather than the email itself (a cookie is seen by
 * whoever looks at the browser's storage or a proxy's logs; the address need not be). Its failed tries are throttled on the token instead of on the account, so
 * someone who keeps hitting the account's limit from elsewhere (without the cookie) cannot keep
 * its organizer out; without the cookie the account limit applies as usual.
 */
export interface DeviceCookies {
  /** The device id when this request carries a cookie issued for this account (its email key). */
  trusted(req: Request, accountKey: string): string | undefined;
  issue(res: Response, accountKey: string): void;
}

export function createDeviceCookies(config: Config, signer: Signer): DeviceCookies {
  const name = config.secure ? '__Host-device' : 'device';
  const accountTag = (accountKey: string) => signer.hash('device-account', accountKey);
  return {
    trusted(req, accountKey) {
      const raw = readCookie(req.headers.cookie, name);
      const value = raw ? signer.verify(raw) : undefined;
      const match = value ? /^device\|([A-Za-z0-9_-]{22})\|([A-Za-z0-9_-]{43})$/.exec(value) : null;
      return match?.[1] && match[2] === accountTag(accountKey) ? match[1] : undefined;
    },
    issue(res, accountKey) {
      const id = randomBytes(16).toString('base64url');
      res.cookie(name, signer.sign(`device|${id}|${accountTag(accountKey)}`), {
        httpOnly: true,
        sameSite: 'strict',
        secure: config.secure,
        path: '/',
        maxAge: YEAR_MS,
      });
    },
  };
}
