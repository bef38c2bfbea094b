import { stringify, type Stringifier } from 'csv-stringify';
import type { ExportRow } from '../signatures/repository.js';

/** Characters that make Excel, LibreOffice and Google Sheets read a cell as a formula (OWASP CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A leading apostrophe makes the spreadsheet show the cell as text; the apostrophe is the one sign
 * of the change. Applied to every text cell, since any of them (a name, a comment) comes from the public.
 */
export const neutraliseFormula = (value: string): string => (FORMULA_START.test(value) ? `'${value}` : value);

export const EXPORT_COLUMNS: { key: keyof ExportRow; header: string }[] = [
  { key: 'firstName', header: 'First name' },
  { key: 'lastName', header: 'Last name' },
  { key: 'email', header: 'Email' },
  { key: 'country', header: 'Country' },
  { key: 'postalCode', header: 'Postal code' },
  { key: 'comment', header: 'Comment' },
  { key: 'optedIn', header: 'Opted in' },
  { key: 'createdAt', header: 'Signed at (UTC)' },
];

/**
 * RFC 4180 CSV: CRLF line ends, fields quoted when they hold a comma, quote or line break, quotes
 * doubled. UTF-8 with a byte order mark: without it Excel on Windows reads the file as the local
 * code page and turns "Zoë", "Đặng" or "李" into mojibake; LibreOffice, Numbers, Google Sheets and
 * CSV libraries all recognise and drop the mark.
 */
export function signaturesCsv(): Stringifier {
  return stringify({
    bom: true,
    header: true,
    columns: EXPORT_COLUMNS,
    record_delimiter: 'windows',
    cast: {
      boolean: (value) => (value ? 'yes' : 'no'),
      string: (value) => neutraliseFormula(value),
    },
  });
}
