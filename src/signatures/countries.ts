import { createRequire } from 'node:module';
import countries from 'i18n-iso-countries';

const require = createRequire(import.meta.url);
countries.registerLocale(require('i18n-iso-countries/langs/en.json'));

// The package's "official" English names, except where the official form is not what people call
// their own country when they look for it in a list.
const PREFERRED_NAMES: Record<string, string> = {
  US: 'United States',
  TW: 'Taiwan',
  CI: "Côte d'Ivoire",
  VA: 'Vatican City',
  RU: 'Russia',
};

export interface Country {
  code: string;
  name: string;
}

/** Every ISO 3166-1 country, by English name, in alphabetical order. */
export const COUNTRIES: readonly Country[] = Object.entries(countries.getNames('en', { select: 'official' }))
  .map(([code, name]) => ({ code, name: PREFERRED_NAMES[code] ?? name }))
  .sort((a, b) => a.name.localeCompare(b.name, 'en'));

const NAMES = new Map(COUNTRIES.map((c) => [c.code, c.name]));

export const countryName = (code: string): string => NAMES.get(code) ?? code;
export const isCountryCode = (code: string): boolean => NAMES.has(code);

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
