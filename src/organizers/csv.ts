import { Transform } from 'node:stream';
import { countryName } from '../signatures/countries.js';
import type { ExportRow } from '../signatures/repository.js';

/*
 * The formula guard (OWASP "CSV Injection"). A spreadsheet opening a CSV reads a cell that starts
 * with "=" as a formula, and Excel (after Lotus 1-2-3) also one that starts with "+", "-" or "@";
 * a formula can run a command through DDE (`=cmd|' /C calc'!A0`) or send other cells to a server
 * (`=HYPERLINK(…)`, `=WEBSERVICE(…)`, `=IMPORTXML(…)`). OWASP's remedy is a leading apostrophe, which
 * makes the cell text. The apostrophe is visible in the cell and in every other program that reads
 * the file (a mailing tool importing the opted-in list), so it is used only where it is needed:
 *
 * - "=" (or a full-width "＝"), and tab, carriage return or line feed first (whitespace a reader may
 *   skip before a formula): always. So is any of them after leading spaces.
 * - "+", "-" or "@" first: unless what follows is two or more words of letters, with nothing else
 *   but spaces, word-inner apostrophes and a comma or full stop between words ("-stop it",
 *   "@Amazon stop this", "- je signe"). Such a cell holds no function call (no parenthesis), no DDE
 *   ("|"), no reference to a sheet, file or cell ("!", "[", digits), no number, string or operator:
 *   the most Excel makes of it is an intersection of names that do not exist, shown as #NAME?; other
 *   spreadsheets show the text or an error. It cannot run, fetch or reveal anything. A single
 *   word stays guarded ("-TRUE" would be evaluated to -1), and so does anything with a digit ("+1",
 *   "-A1", "+44 20 7946 0958").
 *
 * The .xlsx export needs none of this: its cells are typed, and a text cell is never evaluated.
 */
const ALWAYS = /^[ ]*[=\uFF1D\t\r\n]/;
const SIGN = /^[ ]*[+\-@\uFF0B\uFF0D\uFF20]/;
const PROSE = /^[ ]*[+\-@\uFF0B\uFF0D\uFF20][+\-@ ]*\p{L}[\p{L}\p{M}'’]*(?:[,.]? +\p{L}[\p{L}\p{M}'’]*)+[.?]?$/u;

export const needsFormulaGuard = (value: string): boolean =>
  ALWAYS.test(value) || (SIGN.test(value) && !PROSE.test(value));

/** The cell as a spreadsheet should show it: a leading apostrophe where it would otherwise be evaluated. */
export const neutraliseFormula = (value: string): string => (needsFormulaGuard(value) ? `'${value}` : value);

/**
 * The export's columns, the same in the CSV and the .xlsx (which leaves out the ISO 8601 column:
 * its date cells are exact).
 */
export const EXPORT_HEADER = [
  'First name',
  'Last name',
  'Email',
  'Country',
  'Country code',
  'Postal code',
  'Comment',
  'Opted in',
  'Consent version',
  'Language',
  'Source',
  'Signed at (UTC)',
  'Signed at (ISO 8601)',
] as const;

/**
 * "2026-11-28 12:00:00": the form Excel, LibreOffice, Numbers and Google Sheets all read as a date
 * and time in any locale. The ISO 8601 form beside it ("2026-11-28T12:00:00.000Z") is for programs;
 * spreadsheets leave it as text.
 */
export const spreadsheetTime = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;

const NEEDS_QUOTES = /[",\r\n]/;

/** One RFC 4180 field: quoted when it holds a comma, quote or line break, its quotes doubled. */
export function csvField(value: string | null): string {
  if (value === null) return '';
  const text = neutraliseFormula(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const BOM = '\uFEFF';

/** Rows of CSV text handed on at a time (see signaturesCsv). */
const ROWS_PER_CHUNK = 256;

/**
 * RFC 4180 CSV: CRLF line ends, fields quoted when they hold a comma, quote or line break, quotes
 * doubled. UTF-8 with a byte order mark: without it Excel on Windows reads the file as the local
 * code page and turns "Zoë", "Đặng" or "李" into mojibake; LibreOffice, Numbers, Google Sheets and
 * CSV libraries all recognise and drop the mark.
 *
 * Postal codes are written as they are ("01234"); a spreadsheet opening the file may still read one
 * as a number and drop the zero, which no CSV can prevent without putting something into the value
 * (`="01234"` is a formula to every other reader). The .xlsx export types them as text.
 *
 * A transform from batches of rows (as the repository reads them) to CSV text, a string per
 * ROWS_PER_CHUNK rows.
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
      let inText = 0;
      for (const r of rows) {
        // Handed on every ROWS_PER_CHUNK rows rather than once per batch: a batch's text (about
        // 130 kB) is past V8's size for young objects, so each one went to the large-object space,
        // which only a full collection frees. A million-row export grew the process by 127 MB that
        // way; in chunks of 256 rows (about 34 kB) they die young and it grows by 13-40 MB.
        if (++inText > ROWS_PER_CHUNK) {
          this.push(text);
          text = '';
          inText = 1;
        }
        // Country codes and languages are letters and timestamps digits: none can start a formula or need quotes.
        text +=
          `${csvField(r[0])},${csvField(r[1])},${csvField(r[2])},${csvField(countryName(r[3]))},${r[3]},` +
          `${csvField(r[4])},${csvField(r[5])},${r[6] ? 'yes' : 'no'},${csvField(r[7])},${r[8]},${csvField(r[9])},` +
          `${spreadsheetTime(r[10])},${r[10]}\r\n`;
      }
      done(null, text);
    },
    flush(done) {
      // With no rows at all the file is still the BOM and the header line.
      done(null, first ? header() : undefined);
    },
  });
}
