import { describe, expect, it } from 'vitest';
import { CATALOGS, LOCALES, lookup, messages, translator, type Message } from '../../src/i18n/index.js';

const placesOf = (text: string) => [...text.matchAll(/%?\{(\w+)\}/g)].map((m) => m[0]).sort();
const shapeOf = (m: Message) => (typeof m === 'string' ? 'sentence' : 'plural');
const textsOf = (m: Message): string[] => (typeof m === 'string' ? [m] : [m.one, m.other, m.many ?? m.other]);

describe('message catalogs', () => {
  for (const [from, to] of [
    ['en', 'es'],
    ['es', 'en'],
  ] as const) {
    it(`every ${from} key → a ${to} message of the same shape with the same {places}`, () => {
      const problems: string[] = [];
      for (const [key, message] of messages(CATALOGS[from])) {
        const other = lookup(CATALOGS[to], key);
        if (other === undefined) problems.push(`${key}: no ${to} message`);
        else if (shapeOf(other) !== shapeOf(message))
          problems.push(`${key}: ${shapeOf(message)} in ${from}, ${shapeOf(other)} in ${to}`);
        else if (placesOf(textsOf(other).join(' ')).join() !== placesOf(textsOf(message).join(' ')).join())
          problems.push(`${key}: the {places} differ`);
        else if (textsOf(other).some((text) => text.trim() === '')) problems.push(`${key}: empty in ${to}`);
      }
      expect(problems).toEqual([]);
    });
  }

  it('plurals → the language rules pick the form (Spanish "many" for a million), not count === 1', () => {
    const en = translator('en');
    const es = translator('es');
    expect(en.t('progress.announce', { count: 1 })).toBe('1 signature so far');
    expect(en.t('progress.announce', { count: 0 })).toBe('0 signatures so far');
    expect(es.t('progress.announce', { count: 1 })).toBe('Hasta ahora, 1 firma');
    expect(es.t('progress.announce', { count: 12345 })).toBe('Hasta ahora, 12.345 firmas');
    expect(es.t('progress.announce', { count: 1_000_000 })).toBe('Hasta ahora, 1.000.000 de firmas');
  });

  it('numbers and dates → Intl in the language ("12.345", "31 de marzo de 2026")', () => {
    expect(translator('en').n(12345)).toBe('12,345');
    expect(translator('es').n(12345)).toBe('12.345');
    expect(translator('en').date('2026-03-31')).toBe('31 March 2026');
    expect(translator('es').date('2026-03-31')).toBe('31 de marzo de 2026');
  });

  it('th → the message escaped, plain values escaped, **bold** as <strong>', () => {
    const { th } = translator('en');
    expect(th('recent.signer', { name: '<b>Ada</b>', country: 'A & B' })).toBe('&lt;b&gt;Ada&lt;/b&gt;, A &amp; B');
    expect(th('privacy.collect_time')).toBe('<strong>The date and time you signed</strong>.');
  });

  it('a key nobody wrote → throws, so a typo in a template fails its test', () => {
    for (const locale of LOCALES) expect(() => translator(locale).t('campaign.no_such_key')).toThrow(/no_such_key/);
  });
});
