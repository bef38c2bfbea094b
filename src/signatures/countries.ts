import countries from 'i18n-iso-countries';
import { escapeHtml } from '../i18n/index.js';

export interface Country {
  code: string;
  name: string;
}

/** Every ISO 3166-1 alpha-2 code, from i18n-iso-countries (the list of codes only: names come from Intl). */
const CODES: readonly string[] = Object.keys(countries.getAlpha2Codes());

/*
 * Names are the ones people look for: CLDR's everyday names, through Intl.DisplayNames ("China",
 * "North Macedonia", "Tanzania", "Moldova"), not the formal ones ("People's Republic of China", which
 * sorted under P). A few CLDR names are changed where they are not how people find their own country
 * in a list. A list in another language is Intl.DisplayNames and Intl.Collator in that language, with
 * its own (usually empty) overrides here.
 */
const OVERRIDES: Record<string, Record<string, string>> = {
  en: {
    // CLDR: "Congo - Kinshasa" and "Congo - Brazzaville"; people look for both under Congo.
    CD: 'Congo (Democratic Republic)',
    CG: 'Congo',
    // CLDR: "Hong Kong SAR China", "Macao SAR China".
    HK: 'Hong Kong',
    MO: 'Macao',
  },
};

const lists = new Map<string, readonly Country[]>();

/** Every country, named and sorted as readers of `locale` expect (Intl.Collator), so typing "Ch" reaches China. */
export function countryList(locale: string): readonly Country[] {
  let list = lists.get(locale);
  if (!list) {
    const names = new Intl.DisplayNames([locale], { type: 'region', fallback: 'code' });
    const overrides = OVERRIDES[locale] ?? {};
    const collator = new Intl.Collator(locale);
    list = CODES.map((code) => ({ code, name: overrides[code] ?? names.of(code) ?? code })).sort((a, b) =>
      collator.compare(a.name, b.name),
    );
    lists.set(locale, list);
  }
  return list;
}

export const COUNTRIES: readonly Country[] = countryList('en');

const optionLists = new Map<string, string>();

/**
 * The signing form's `<option>` for every country in `locale`, `selected` marked: HTML escaped as the
 * templates escape. Made once per language and selection (a valid code or none, so a few hundred at
 * most) instead of once per render: the list was a third of rendering the campaign page, which happens
 * again after every signature.
 */
export function countryOptions(locale: string, selected: string | undefined): string {
  const choice = selected && isCountryCode(selected) ? selected : '';
  const key = `${locale}|${choice}`;
  let html = optionLists.get(key);
  if (html === undefined) {
    html = countryList(locale)
      .map(
        (c) =>
          `<option value="${escapeHtml(c.code)}"${c.code === choice ? ' selected' : ''}>${escapeHtml(c.name)}</option>`,
      )
      .join('\n');
    optionLists.set(key, html);
  }
  return html;
}

const NAMES = new Map(COUNTRIES.map((c) => [c.code, c.name]));
const namesIn = new Map<string, ReadonlyMap<string, string>>([['en', NAMES]]);

/** The country's name in a language (English by default), or the code for one that is not a country. */
export function countryName(code: string, locale = 'en'): string {
  let names = namesIn.get(locale);
  if (!names) namesIn.set(locale, (names = new Map(countryList(locale).map((c) => [c.code, c.name]))));
  return names.get(code) ?? code;
}
export const isCountryCode = (code: string): boolean => NAMES.has(code);

// English puts "the" before names of unions, kingdoms, republics and groups of islands, and a few more.
const WITH_THE_WORDS = /\b(Islands|Republic|Kingdom|States|Emirates|Territories|Territory)\b|^Congo\b/;
const WITH_THE_CODES = new Set(['BS', 'GM', 'IM', 'KM', 'MV', 'NL', 'PH', 'SC', 'VA']);

/**
 * The country's name as it reads inside a sentence: "the United States", "Germany". Spanish names
 * read well in a sentence as they are ("si no vives en Estados Unidos").
 */
export function countryInSentence(code: string, locale = 'en'): string {
  if (locale !== 'en') return countryName(code, locale);
  const name = countryName(code);
  return WITH_THE_CODES.has(code) || WITH_THE_WORDS.test(name) ? `the ${name}` : name;
}

/**
 * Countries and territories with no postal code system (after Google's address data, libaddressinput).
 * For these the postal code is optional; everywhere else it is required.
 */
const WITHOUT_POSTAL_CODES = new Set(
  'AE AG AN AO AQ AW BF BI BJ BO BQ BS BV BW BZ CD CF CG CI CK CM CW DJ DM ER FJ GA GD GH GM GQ GY HK HM IE JM KE KI KM KN KP LY ML MO MR MW NR NU QA RW SB SC SL SO SR SS ST SX SY TD TF TG TK TL TO TT TV UG VU YE ZW'.split(
    ' ',
  ),
);

export const usesPostalCodes = (code: string): boolean => !WITHOUT_POSTAL_CODES.has(code);
