import { en } from './en.js';
import { es } from './es.js';

/**
 * The languages of everything a supporter sees. Words live in one catalog per language (en.ts, es.ts),
 * looked up by key; numbers, plurals and dates come from the platform's Intl (Node's full ICU), so no
 * i18n library is needed: what one would add here is a key lookup and "{name}" places, a dozen lines.
 */
export const LOCALES = ['en', 'es'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';

export const isLocale = (value: unknown): value is Locale => LOCALES.includes(value as Locale);

/** A sentence, or a sentence per plural category (Intl.PluralRules: "one", "other", and "many" in Spanish). */
export type Message = string | { readonly one: string; readonly other: string; readonly many?: string };
export interface Catalog {
  readonly [key: string]: Message | Catalog;
}

export const CATALOGS: Record<Locale, Catalog> = { en, es };

/** The name of each language, written in that language: what the language switch shows. */
export const LANGUAGE_NAMES: Record<Locale, string> = { en: 'English', es: 'Español' };

/** A value put in HTML as it is (a link, <strong>): only from our own templates, never from input. */
export interface Html {
  html: string;
}
export type Value = string | number | Html;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);

const isPlural = (m: Message | Catalog | undefined): m is Exclude<Message, string> =>
  typeof m === 'object' && typeof (m as { other?: unknown }).other === 'string';

/** The message at a dotted key ("form.errors.email_missing"), or undefined. */
export function lookup(catalog: Catalog, key: string): Message | undefined {
  let node: Message | Catalog | undefined = catalog;
  for (const part of key.split('.')) {
    if (typeof node !== 'object' || isPlural(node)) return undefined;
    node = (node as Catalog)[part];
  }
  return typeof node === 'string' || isPlural(node) ? node : undefined;
}

/** Every key with its message, for the tests that compare catalogs. */
export function* messages(catalog: Catalog, prefix = ''): Generator<[string, Message]> {
  for (const [key, value] of Object.entries(catalog)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string' || isPlural(value)) yield [path, value];
    else yield* messages(value as Catalog, path);
  }
}

export interface Translator {
  locale: Locale;
  /** A message as plain text, its {places} filled; a number is formatted, and `count` picks the plural form. */
  t(key: string, values?: Record<string, Value>): string;
  /** The same as HTML: the message escaped, plain values escaped, Html values put in as they are. */
  th(key: string, values?: Record<string, Value>): string;
  /**
   * Every plural form of a message as HTML, for a page script that picks one by Intl.PluralRules
   * ({ one, other } and "many" where the language has it); its `%{count}` places are left to fill.
   */
  thForms(key: string, values?: Record<string, Value>): Record<string, string>;
  /** The same as plain text. */
  tForms(key: string, values?: Record<string, Value>): Record<string, string>;
  /** 12345 → "12,345" or "12.345". */
  n(value: number): string;
  /** "2026-03-31" → "31 March 2026" or "31 de marzo de 2026". */
  date(isoDate: string): string;
}

/** **Words** in a message are bold when it is shown as HTML. */
const BOLD = /\*\*(.+?)\*\*/g;

const translators = new Map<Locale, Translator>();

/** The translator of a language, made once. A key missing from the catalog throws: the tests then fail. */
export function translator(locale: Locale): Translator {
  const known = translators.get(locale);
  if (known) return known;
  const catalog = CATALOGS[locale];
  const numbers = new Intl.NumberFormat(locale);
  const plurals = new Intl.PluralRules(locale);
  // Day, month name and year: a date nobody misreads, whichever side of the Atlantic they live.
  const dates = new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : locale, {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });
  const n = (value: number) => numbers.format(value);
  const sentence = (key: string, values: Record<string, Value>): string => {
    const message = lookup(catalog, key);
    if (message === undefined) throw new Error(`No ${locale} message for "${key}"`);
    if (typeof message === 'string') return message;
    const count = values.count;
    if (typeof count !== 'number') throw new Error(`"${key}" needs a count`);
    const category = plurals.select(count) as 'one' | 'other' | 'many';
    return message[category] ?? message.other;
  };
  const fill = (text: string, values: Record<string, Value>, asHtml: boolean) =>
    // `%{count}` is left for the page script, which fills it as the person types.
    text.replace(/(?<!%)\{(\w+)\}/g, (whole, name: string) => {
      const value = values[name];
      if (value === undefined) return whole;
      if (typeof value === 'number') return n(value);
      if (typeof value === 'string') return asHtml ? escapeHtml(value) : value;
      return asHtml ? value.html : value.html.replace(/<[^>]*>/g, '');
    });
  const forms = (key: string, each: (text: string) => string) => {
    const message = lookup(catalog, key);
    if (typeof message !== 'object') throw new Error(`"${key}" has no plural forms in ${locale}`);
    return Object.fromEntries(Object.entries(message).map(([category, text]) => [category, each(text)]));
  };
  const made: Translator = {
    locale,
    t: (key, values = {}) => fill(sentence(key, values).replace(BOLD, '$1'), values, false),
    th: (key, values = {}) =>
      fill(escapeHtml(sentence(key, values)).replace(BOLD, '<strong>$1</strong>'), values, true),
    thForms: (key, values = {}) => forms(key, (text) => fill(escapeHtml(text), values, true)),
    tForms: (key, values = {}) => forms(key, (text) => fill(text, values, false)),
    n,
    date: (isoDate) => dates.format(new Date(`${isoDate}T00:00:00Z`)),
  };
  translators.set(locale, made);
  return made;
}

/** "/privacy" in a language: English as it is, Spanish under /es ("/es/privacy", "/es/" for "/"). */
export const localePath = (locale: Locale, path: string): string =>
  locale === DEFAULT_LOCALE ? path : `/${locale}${path}`;

/** The language a path is in, and the path without its prefix: "/es/privacy" → es, "/privacy". */
export function splitLocale(path: string): { locale: Locale; path: string } {
  for (const locale of LOCALES) {
    if (locale === DEFAULT_LOCALE) continue;
    if (path === `/${locale}`) return { locale, path: '/' };
    if (path.startsWith(`/${locale}/`)) return { locale, path: path.slice(locale.length + 1) };
  }
  return { locale: DEFAULT_LOCALE, path };
}

/** One entry of a page's language switch and its hreflang alternates. */
export interface Alternate {
  locale: Locale;
  name: string;
  href: string;
}

/** The page at `path` (without prefix) in every language in `locales`, for the switch and the hreflang links. */
export function alternatesOf(path: string, locales: readonly Locale[] = LOCALES): Alternate[] {
  return locales.map((locale) => ({ locale, name: LANGUAGE_NAMES[locale], href: localePath(locale, path) }));
}
