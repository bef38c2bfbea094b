import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvField, EXPORT_HEADER, neutraliseFormula } from '../../src/organizers/csv.js';

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
      'First name,Last name,Email,Country,Postal code,Comment,Opted in,Signed at (UTC)',
    );
  });
});
