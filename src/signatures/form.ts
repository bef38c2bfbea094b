import { z } from 'zod';
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

/** What the postal code field says when it is wrong; `country` reads inside a sentence ("the United States"). */
const POSTAL_MESSAGES = {
  usMissing: 'Enter your ZIP code, or change the country if you are not in the United States',
  usFormat:
    'Enter a ZIP code with 5 digits, like 12345 or 12345-6789, or change the country if you are not in the United States',
  missing: (country: string) => `Enter your postal code, or change the country if you are not in ${country}`,
  formatIn: (country: string) =>
    `Enter a postal code using letters, digits, spaces and hyphens, or change the country if you are not in ${country}`,
  format: 'Enter a postal code using letters, digits, spaces and hyphens',
};

/** A field that arrives as anything other than one string (missing, repeated, nested) reads as empty. */
const text = (clean: (value: string) => string) =>
  z.preprocess((v) => (typeof v === 'string' ? clean(v) : ''), z.string());

const name = (label: string) =>
  text(cleanLine)
    .pipe(z.string().min(1, `Enter your ${label}`))
    .pipe(z.string().max(NAME_MAX, `Your ${label} must be ${NAME_MAX} characters or fewer`))
    .pipe(
      z
        .string()
        .regex(HAS_LETTER, `Enter your ${label} using letters`)
        .refine(READABLE_NAME, `Enter your ${label} using letters`),
    );

export const signatureSchema = z
  .object({
    first_name: name('first name'),
    last_name: name('last name'),
    email: text(cleanLine)
      .pipe(z.string().min(1, 'Enter your email address'))
      .pipe(z.string().max(254, 'Your email address must be 254 characters or fewer'))
      .pipe(z.email('Enter an email address in the correct format, like name@example.com')),
    country: text(cleanLine)
      .pipe(z.string().toUpperCase())
      .pipe(z.string().refine(isCountryCode, 'Select your country')),
    postal_code: text((v) => cleanLine(v).toUpperCase().replace(/\s+/g, ' ')),
    comment: text(cleanText)
      .pipe(
        z.string().max(COMMENT_MAX, `Your comment must be ${COMMENT_MAX.toLocaleString('en-US')} characters or fewer`),
      )
      .pipe(z.string().refine(READABLE, 'Your comment has characters we could not read: please type it again')),
    updates: z.preprocess((v) => v ?? '', z.enum(['', 'yes'], 'Tick the box to get updates, or leave it empty')),
  })
  .superRefine((form, ctx) => {
    const code = form.postal_code;
    const issue = (message: string) => ctx.addIssue({ code: 'custom', path: ['postal_code'], message });
    // Each message names the country chosen: a postal code that does not fit is most often a country
    // left at the wrong choice, and the person should see which one.
    if (!isCountryCode(form.country)) {
      if (code && !POSTAL_CODE.test(code)) issue(POSTAL_MESSAGES.format);
      return;
    }
    const country = countryInSentence(form.country);
    if (form.country === 'US') {
      if (!code) issue(POSTAL_MESSAGES.usMissing);
      else if (!US_ZIP.test(code)) issue(POSTAL_MESSAGES.usFormat);
    } else if (!code) {
      if (usesPostalCodes(form.country)) issue(POSTAL_MESSAGES.missing(country));
    } else if (!POSTAL_CODE.test(code)) {
      issue(POSTAL_MESSAGES.formatIn(country));
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

export type SignatureInput = z.output<typeof signatureSchema>;

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

export function parseSignatureForm(body: unknown): SignatureFormResult {
  const record: Record<string, unknown> = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  // Own properties only: a body key named __proto__ or constructor must never reach the schema
  // through the prototype chain.
  const own: Record<string, unknown> = Object.create(null);
  for (const field of SIGNATURE_FIELDS) if (Object.hasOwn(record, field)) own[field] = record[field];
  const parsed = signatureSchema.safeParse(own);
  if (parsed.success) return { ok: true, value: parsed.data };
  const errors: FieldError[] = [];
  for (const field of SIGNATURE_FIELDS) {
    // One message per field: the first, which is the most basic ("Enter…" before "…format").
    const issue = parsed.error.issues.find((i) => i.path[0] === field);
    if (issue) errors.push({ field, message: issue.message });
  }
  return { ok: false, errors, values: formValues(own) };
}
