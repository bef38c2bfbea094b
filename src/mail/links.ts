/**
 * The addresses of the pages an email links to. The token is the last part of the path, so the
 * request log can cut it out (src/http/requestLog.ts) and no cache or log keeps an opening link.
 */
export const linkPath = (slug: string, action: 'confirm' | 'withdraw' | 'unsubscribe', token: string): string =>
  `/campaigns/${slug}/${action}/${token}`;

/** Matches a link path, so the token can be replaced before the path is logged. */
export const LINK_PATH = /^(\/campaigns\/[^/]+\/(?:confirm|withdraw|unsubscribe)\/)[^/]*/;
