import { Transform } from 'node:stream';
import type { ExportRow } from '../signatures/repository.js';

/** Characters that make Excel, LibreOffice and Google Sheets read a cell as a formula (OWASP CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A leading apostrophe makes the spreadsheet show the cell as text; the apostrophe is the one sign
 * of the change. Applied to every text cell, since any of them (a name, a comment) comes from the public.
 */
export const neutraliseFormula = (value: string): string => (FORMULA_START.test(value) ? `'${value}` : value);

/** The export's header line, in the order of ExportRow's columns. */
export const EXPORT_HEADER = [
  'First name',
  'Last name',
  'Email',
  'Country',
  'Postal code',
  'Comment',
  'Opted in',
  'Signed at (UTC)',
];

const NEEDS_QUOTES = /[",\r\n]/;

/** One RFC 4180 field: quoted when it holds a comma, quote or line break, its quotes doubled. */
export function csvField(value: string | null): string {
  if (value === null) return '';
  const text = neutraliseFormula(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const BOM = '\uFEFF';

/**
 * RFC 4180 CSV: CRLF line ends, fields quoted when they hold a comma, quote or line break, quotes
 * doubled. UTF-8 with a byte order mark: without it Excel on Windows reads the file as the local
 * code page and turns "Zoë", "Đặng" or "李" into mojibake; LibreOffice, Numbers, Google Sheets and
 * CSV libraries all recognise and drop the mark.
 *
 * A transform from batches of rows (as the repository reads them) to CSV text, one string per batch.
 * Written here rather than with csv-stringify, which the project used at first: its general machinery
 * (a cast and a column lookup per cell) was a quarter of a million-row export's time, and these rules
 * fit in a few lines that csv-parse checks in the tests, on awkward and on generated values.
 */
export function signaturesCsv(): Transform {
  let first = true;
  const header = () => {
    first = false;
    return `${BOM}${EXPORT_HEADER.map(csvField).join(',')}\r\n`;
  };
  return new Transform({
    writableObjectMode: true,
    transform(rows: ExportRow[], _encoding, done) {
      let text = first ? header() : '';
      for (const r of rows) {
        text += `${csvField(r[0])},${csvField(r[1])},${csvField(r[2])},${csvField(r[3])},${csvField(r[4])},${csvField(r[5])},${r[6] ? 'yes' : 'no'},${csvField(r[7])}\r\n`;
      }
      done(null, text);
    },
    flush(done) {
      // With no rows at all the file is still the BOM and the header line.
      done(null, first ? header() : undefined);
    },
  });
}
