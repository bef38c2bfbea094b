import { DEFAULT_LOCALE, localePath, type Locale } from '../i18n/index.js';

/**
 * The addresses of the pages an email links to, in the signer's language. The token is the last part
 * of the path, so the request log can cut it out (src/http/requestLog.ts) and no cache or log keeps an
 * opening link.
 */
export const linkPath = (
  slug: string,
  action: 'confirm' | 'withdraw' | 'unsubscribe',
  token: string,
  locale: Locale = DEFAULT_LOCALE,
): string => localePath(locale, `/campaigns/${slug}/${action}/${token}`);

/** Matches a link path (in any language), so the token can be replaced before the path is logged. */
export const LINK_PATH = /^((?:\/[a-z]{2})?\/campaigns\/[^/]+\/(?:confirm|withdraw|unsubscribe)\/)[^/]*/;
