import { z } from 'zod';
import { translator, type Locale } from '../i18n/index.js';
import { countryInSentence, isCountryCode, usesPostalCodes } from './countries.js';

/** The form's fields in page order: the error summary lists problems in this order. */
export const SIGNATURE_FIELDS = [
  'first_name',
  'last_name',
  'email',
  'country',
  'postal_code',
  'comment',
  'updates',
] as const;
export type SignatureField = (typeof SIGNATURE_FIELDS)[number];

export const COMMENT_MAX = 1000;
export const NAME_MAX = 100;

// Characters that render as nothing or reorder text around them: they can disguise a name in an
// export or a spreadsheet, and no one types them on purpose into a name field. That is every format
// character (Unicode category Cf: zero-width, soft hyphen, all bidirectional controls including the
// Arabic letter mark, invisible tag characters, interlinear annotation marks), plus the Hangul
// fillers, which Unicode counts as letters but which show as blank.
const INVISIBLE = /[\p{Cf}\u115F\u1160\u3164\uFFA0]/gu;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/g;
// eslint-disable-next-line no-control-regex
const CONTROL_EXCEPT_NEWLINE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;

/** One line of text as a person meant it: NFC, no invisible or control characters, single spaces. */
export function cleanLine(value: string): string {
  return value.normalize('NFC').replace(INVISIBLE, '').replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
}

/** Free text keeps its line breaks (as \n) but loses the rest of the invisible characters. */
export function cleanText(value: string): string {
  return value
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(INVISIBLE, '')
    .replace(/\t/g, ' ')
    .replace(CONTROL_EXCEPT_NEWLINE, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const HAS_LETTER = /\p{L}/u;
// U+FFFD is what raw bytes that were not UTF-8 decode to, and a percent escape that does not decode
// (`Jos%E9`) is left as typed: either way the person typed something else, so storing it would keep a
// garbled name. Browsers always send UTF-8 for our pages; only broken clients get here.
const READABLE = (value: string): boolean => !value.includes('\uFFFD');
const READABLE_NAME = (value: string): boolean => READABLE(value) && !/%[0-9A-Fa-f]{2}/.test(value);
const US_ZIP = /^\d{5}(-\d{4})?$/;
const POSTAL_CODE = /^[A-Z0-9](?:[A-Z0-9 -]{0,10}[A-Z0-9])?$/;

/** A field that arrives as anything other than one string (missing, repeated, nested) reads as empty. */
const text = (clean: (value: string) => string) =>
  z.preprocess((v) => (typeof v === 'string' ? clean(v) : ''), z.string());

/** The form's rules with their messages in one language (the catalog's `form.*`). */
function schemaIn(locale: Locale) {
  const { t } = translator(locale);
  const name = (field: 'first_name' | 'last_name') =>
    text(cleanLine)
      .pipe(z.string().min(1, t(`form.name_missing.${field}`)))
      .pipe(z.string().max(NAME_MAX, t(`form.name_too_long.${field}`, { max: NAME_MAX })))
      .pipe(
        z
          .string()
          .regex(HAS_LETTER, t(`form.name_letters.${field}`))
          .refine(READABLE_NAME, t(`form.name_letters.${field}`)),
      );
  return z
    .object({
      first_name: name('first_name'),
      last_name: name('last_name'),
      email: text(cleanLine)
        .pipe(z.string().min(1, t('form.email_missing')))
        .pipe(z.string().max(254, t('form.email_too_long', { max: 254 })))
        .pipe(z.email(t('form.email_format'))),
      country: text(cleanLine)
        .pipe(z.string().toUpperCase())
        .pipe(z.string().refine(isCountryCode, t('form.country_missing'))),
      postal_code: text((v) => cleanLine(v).toUpperCase().replace(/\s+/g, ' ')),
      comment: text(cleanText)
        .pipe(z.string().max(COMMENT_MAX, t('form.comment_too_long', { max: COMMENT_MAX })))
        .pipe(z.string().refine(READABLE, t('form.comment_unreadable'))),
      updates: z.preprocess((v) => v ?? '', z.enum(['', 'yes'], t('form.updates_invalid'))),
    })
    .superRefine((form, ctx) => {
      const code = form.postal_code;
      const issue = (message: string) => ctx.addIssue({ code: 'custom', path: ['postal_code'], message });
      // Each message names the country chosen: a postal code that does not fit is most often a country
      // left at the wrong choice, and the person should see which one.
      if (!isCountryCode(form.country)) {
        if (code && !POSTAL_CODE.test(code)) issue(t('form.postal_format'));
        return;
      }
      const country = countryInSentence(form.country, locale);
      if (form.country === 'US') {
        if (!code) issue(t('form.zip_missing'));
        else if (!US_ZIP.test(code)) issue(t('form.zip_format'));
      } else if (!code) {
        if (usesPostalCodes(form.country)) issue(t('form.postal_missing', { country }));
      } else if (!POSTAL_CODE.test(code)) {
        issue(t('form.postal_format_in', { country }));
      }
    })
    .transform((form) => ({
      firstName: form.first_name,
      lastName: form.last_name,
      email: form.email,
      country: form.country,
      postalCode: form.postal_code || null,
      comment: form.comment || null,
      optedIn: form.updates === 'yes',
    }));
}

const schemas = new Map<Locale, ReturnType<typeof schemaIn>>();
const schemaFor = (locale: Locale) => {
  let schema = schemas.get(locale);
  if (!schema) schemas.set(locale, (schema = schemaIn(locale)));
  return schema;
};

export type SignatureInput = z.output<ReturnType<typeof schemaIn>>;

export interface FieldError {
  field: SignatureField;
  message: string;
}

export type FormValues = Partial<Record<SignatureField, string>>;

export type SignatureFormResult =
  { ok: true; value: SignatureInput } | { ok: false; errors: FieldError[]; values: FormValues };

/** What the person typed, for putting back in the form: only single string values survive. */
export function formValues(body: Record<string, unknown>): FormValues {
  const values: FormValues = {};
  for (const field of SIGNATURE_FIELDS) {
    const v = body[field];
    // Whole, never cut: the body limit (config.limits.formBodyBytes) already bounds them, and a person
    // asked to shorten a comment needs all of it back.
    if (typeof v === 'string') values[field] = v;
  }
  return values;
}

export function parseSignatureForm(body: unknown, locale: Locale = 'en'): SignatureFormResult {
  const record: Record<string, unknown> = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  // Own properties only: a body key named __proto__ or constructor must never reach the schema
  // through the prototype chain.
  const own: Record<string, unknown> = Object.create(null);
  for (const field of SIGNATURE_FIELDS) if (Object.hasOwn(record, field)) own[field] = record[field];
  const parsed = schemaFor(locale).safeParse(own);
  if (parsed.success) return { ok: true, value: parsed.data };
  const errors: FieldError[] = [];
  for (const field of SIGNATURE_FIELDS) {
    // One message per field: the first, which is the most basic ("Enter…" before "…format").
    const issue = parsed.error.issues.find((i) => i.path[0] === field);
    if (issue) errors.push({ field, message: issue.message });
  }
  return { ok: false, errors, values: formValues(own) };
}
