import { Transform } from 'node:stream';
import { stringify, type Options } from 'csv-stringify/sync';
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

/** Rows formatted per chunk: one string per thousand rows instead of a stream step per row. */
const ROWS_PER_CHUNK = 1000;

/**
 * RFC 4180 CSV: CRLF line ends, fields quoted when they hold a comma, quote or line break, quotes
 * doubled. UTF-8 with a byte order mark: without it Excel on Windows reads the file as the local
 * code page and turns "Zoë", "Đặng" or "李" into mojibake; LibreOffice, Numbers, Google Sheets and
 * CSV libraries all recognise and drop the mark.
 *
 * A transform from rows (objects) to CSV text. Rows are gathered and formatted a thousand at a time
 * with csv-stringify's synchronous API: pushing each row through a stream on its own cost more than
 * formatting it, and capped a million-row export below 100,000 rows a second.
 */
export function signaturesCsv(): Transform {
  const options = (first: boolean): Options => ({
    bom: first,
    header: first,
    columns: EXPORT_COLUMNS,
    record_delimiter: 'windows',
    cast: {
      boolean: (value) => (value ? 'yes' : 'no'),
      string: (value) => neutraliseFormula(value),
    },
  });
  let rows: ExportRow[] = [];
  let first = true;
  const format = (): string => {
    const text = stringify(rows, options(first));
    first = false;
    rows = [];
    return text;
  };
  return new Transform({
    writableObjectMode: true,
    transform(row: ExportRow, _encoding, done) {
      rows.push(row);
      done(null, rows.length >= ROWS_PER_CHUNK ? format() : undefined);
    },
    flush(done) {
      // With no rows at all the file is still the BOM and the header line.
      done(null, rows.length > 0 || first ? format() : undefined);
    },
  });
}
