import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db.js';
import { buildTestApp, validForm } from '../helpers.js';
import { listen, rawPost } from './raw.js';

const SIGN = '/campaigns/amazon-ring/signatures';
const THANKS = '/campaigns/amazon-ring/thanks';

const stored = (db: Db) =>
  db.prepare('SELECT first_name, last_name, comment FROM signatures ORDER BY id').all() as {
    first_name: string;
    last_name: string;
    comment: string | null;
  }[];

/** The text a browser shows for an HTML fragment EJS escaped. */
const unescapeHtml = (html: string): string =>
  html
    .replace(/&#39;/g, "'")
    .replace(/&#34;|&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

const thankedName = (html: string): string | undefined => /<h1>Thank you, (.*)!<\/h1>/.exec(html)?.[1];
const fieldValue = (html: string, id: string): string | undefined =>
  new RegExp(`id="${id}" name="[a-z_]+" type="text" value="([^"]*)"`).exec(html)?.[1];

async function postBytes(app: Parameters<typeof listen>[0], body: Buffer) {
  const server = await listen(app);
  return rawPost(server.port, SIGN, body, { 'Content-Type': 'application/x-www-form-urlencoded' }).finally(() =>
    server.close(),
  );
}

const REAL_NAMES: [string, string][] = [
  ['Siobhán', "O'Brien"],
  ['José', 'García'],
  ['Thị Minh', 'Nguyễn'],
  ['伟', '张'],
  ['Ngũgĩ', 'wa Thiong’o'],
  ['Zoë', 'Saldaña-Pérez'],
  ['محمد', 'العلي'],
  ['דוד', 'כהן'],
  ['Malcolm', 'X'],
  ['Jean-Luc', 'Picard de la Tour'],
  ['Ólafur Arnalds', 'Þórsson'],
  ['Анна', 'Каренина'],
  ['Αλέξανδρος', 'Παπαδόπουλος'],
  ['아름', '김'],
  ['Κ', 'Ω'],
];

describe('Signing with real names', () => {
  it.each(REAL_NAMES)('stores %s %s exactly and thanks them by that first name', async (first, last) => {
    const { app, db } = await buildTestApp();
    const agent = request.agent(app);
    await agent
      .post(SIGN)
      .type('form')
      .send(validForm({ first_name: first, last_name: last }))
      .expect(303);
    expect(stored(db)).toEqual([{ first_name: first, last_name: last, comment: null }]);
    const thanks = await agent.get(THANKS).expect(200);
    expect(unescapeHtml(thankedName(thanks.text) ?? '')).toBe(first);
  });

  it('gives back names exactly as typed when another field is wrong, and stores nothing', async () => {
    const { app, db } = await buildTestApp();
    const res = await request(app)
      .post(SIGN)
      .type('form')
      .send(validForm({ first_name: "Zoë O'Brien", last_name: 'Nguyễn <b>张伟</b>', email: 'not an email' }))
      .expect(422);
    expect(unescapeHtml(fieldValue(res.text, 'first-name') ?? '')).toBe("Zoë O'Brien");
    expect(unescapeHtml(fieldValue(res.text, 'last-name') ?? '')).toBe('Nguyễn <b>张伟</b>');
    expect(res.text).not.toContain('<b>张伟</b>');
    expect(stored(db)).toHaveLength(0);
  });

  it('stores a name typed in decomposed form (e + combining accent) in the composed form, so it matches itself', async () => {
    const { app, db } = await buildTestApp();
    await request(app)
      .post(SIGN)
      .type('form')
      .send(validForm({ first_name: 'Jose\u0301', last_name: 'Nguye\u0302\u0303n' }))
      .expect(303);
    expect(stored(db)).toEqual([{ first_name: 'José', last_name: 'Nguyễn', comment: null }]);
  });

  it.each([
    ['zero-width space', 'Ada\u200B', 'Ada'],
    ['zero-width joiner inside', 'A\u200Dda', 'Ada'],
    ['right-to-left override', '\u202EecilA', 'ecilA'],
    ['isolate controls', '\u2066Ada\u2069', 'Ada'],
    ['byte-order mark', '\uFEFFAda', 'Ada'],
    ['soft hyphen', 'Ad\u00ADa', 'Ada'],
    ['left-to-right mark', 'Ada\u200E', 'Ada'],
    ['Arabic letter mark (a bidi control)', '\u061CAda', 'Ada'],
    ['invisible tag characters (hidden ASCII)', 'Ada\u{E0041}\u{E0042}', 'Ada'],
    ['interlinear annotation marks', '\uFFF9Ada\uFFFA', 'Ada'],
    ['a Hangul filler, which is a "letter" that shows as blank', 'Ada\u3164', 'Ada'],
    ['control characters', 'A\u0000d\u0007a', 'A d a'],
    ['tab and newline', 'Ada\t\nLovelace', 'Ada Lovelace'],
  ])('strips %s from a name before storing it', async (_label, typed, kept) => {
    const { app, db } = await buildTestApp();
    await request(app)
      .post(SIGN)
      .type('form')
      .send(validForm({ first_name: typed }))
      .expect(303);
    expect(stored(db)[0]?.first_name).toBe(kept);
  });

  it('strips bidirectional controls from a comment but keeps its line breaks', async () => {
    const { app, db } = await buildTestApp();
    await request(app)
      .post(SIGN)
      .type('form')
      .send(validForm({ comment: 'First line\u202E\r\nsecond\u200B line' }))
      .expect(303);
    expect(stored(db)[0]?.comment).toBe('First line\nsecond line');
  });

  it.each([
    ['only invisible characters', '\u200B\u200C\u200D\u2060'],
    ['only bidi controls', '\u202E\u202A\u2066'],
    ['only Hangul fillers, which count as letters yet show as blank', '\u3164\uFFA0'],
    ['only tag characters', '\u{E0041}\u{E0064}\u{E0061}'],
    ['only punctuation', "'-."],
    ['only digits', '12345'],
  ])('refuses a first name of %s with 422 and stores nothing', async (_label, typed) => {
    const { app, db } = await buildTestApp();
    const res = await request(app)
      .post(SIGN)
      .type('form')
      .send(validForm({ first_name: typed }))
      .expect(422);
    expect(res.text).toMatch(/Enter your first name/);
    expect(stored(db)).toHaveLength(0);
  });

  it.each([
    ['raw bytes that are not UTF-8', Buffer.from('first_name=Jos\xE9&', 'latin1')],
    ['a percent escape that is not UTF-8', Buffer.from('first_name=Jos%E9&')],
  ])('refuses a name sent as %s, rather than storing it garbled', async (_label, start) => {
    const { app, db } = await buildTestApp();
    const rest = Buffer.from('last_name=Lovelace&email=ada%40example.org&country=US&postal_code=12345');
    const res = await postBytes(app, Buffer.concat([start, rest]));
    expect(res.status).toBe(422);
    expect(res.body).toContain('Enter your first name using letters');
    expect(stored(db)).toHaveLength(0);
  });

  it('refuses a comment sent as bytes that are not UTF-8', async () => {
    const { app, db } = await buildTestApp();
    const body = Buffer.concat([
      Buffer.from(new URLSearchParams(validForm({ comment: undefined })).toString() + '&comment=caf'),
      Buffer.from([0xe9]),
    ]);
    const res = await postBytes(app, body);
    expect(res.status).toBe(422);
    expect(res.body).toContain('Your comment has characters we could not read');
    expect(stored(db)).toHaveLength(0);
  });
});
