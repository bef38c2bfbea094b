import type { RequestHandler, Response } from 'express';
import { alternatesOf, escapeHtml, localePath, splitLocale, translator, type Alternate, type Locale } from './index.js';

/** Pages that exist in one language only: organizers' (staff), development tools, delivery records. */
const ENGLISH_ONLY = /^\/(?:organizers|dev|healthz)(?:\/|$)|^\/campaigns\/[^/]+\/deliveries(?:\/|$)/;

/**
 * What every template needs to speak the page's language: `lang`, the catalog's `t` (text) and `th`
 * (HTML), `n` for numbers, `esc` for values put into `th`, `lp` for our own links in this language, and the page's other languages.
 */
export function i18nLocals(locale: Locale, alternates: Alternate[]) {
  const { t, th, thForms, tForms, n, date } = translator(locale);
  const lp = (path: string) => localePath(locale, path);
  return { lang: locale, t, th, thForms, tForms, n, date, esc: escapeHtml, lp, alternates };
}

/**
 * The page's language from its address ("/es/…" is Spanish, the rest English), for every template
 * rendered for this request, error pages included. Never from Accept-Language: an address always
 * shows the same language, so links, caches and search engines agree with what people see.
 */
export const pageLanguage: RequestHandler = (req, res, next) => {
  const { locale, path } = splitLocale(req.path);
  Object.assign(res.locals, i18nLocals(locale, ENGLISH_ONLY.test(path) ? [] : alternatesOf(path)));
  next();
};

export const localeOf = (res: Response): Locale => (res.locals.lang as Locale | undefined) ?? 'en';
export const translatorOf = (res: Response) => translator(localeOf(res));
