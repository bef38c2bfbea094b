import { parse } from 'csv-parse/sync';
import type request from 'supertest';
import { describe, expect, it } from 'vitest';
import { neutraliseFormula } from '../../src/organizers/csv.js';
import { countryName } from '../../src/signatures/countries.js';
import type { NewSignature } from '../../src/signatures/repository.js';
import { buildTestApp, type TestApp } from '../helpers.js';
import { signature, signedIn } from './helpers.js';

const HEADER = [
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
];

/** The body as raw bytes: supertest would otherwise try to read a CSV as text in its own way. */
function download(agent: request.Agent, url: string) {
  return agent
    .get(url)
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
}

const records = (body: Buffer): string[][] => parse(body, { bom: true }) as string[][];

/** What a row must read as: the stored values, with cells a spreadsheet would evaluate guarded. */
const expected = (s: NewSignature): string[] => [
  ...[s.firstName, s.lastName, s.email, countryName(s.country)].map(neutraliseFormula),
  s.country,
  ...[s.postalCode ?? '', s.comment ?? ''].map(neutraliseFormula),
  s.optedIn ? 'yes' : 'no',
  s.consentVersion,
  s.locale ?? 'en',
  s.source ?? '',
  s.createdAt.toISOString().replace('T', ' ').slice(0, 19),
  s.createdAt.toISOString(),
];

/** Awkward but real: quotes, commas, line breaks, non-Latin scripts, and cells a spreadsheet would run. */
const AWKWARD: Partial<NewSignature>[] = [
  { firstName: 'Zoë', lastName: "O'Brien-Đặng", comment: 'He said "no", then "yes"' },
  {
    firstName: '李',
    lastName: '小龍',
    country: 'CN',
    postalCode: '100000',
    comment: 'line one\nline two\r\nline three',
  },
  { firstName: 'Ольга', lastName: 'Петрова', country: 'UA', postalCode: null, comment: 'a,b,,c' },
  { firstName: 'محمد', lastName: 'علي', country: 'EG', postalCode: null, comment: '🙂 👍🏽' },
  { firstName: '=HYPERLINK("http://evil.example","click")', lastName: '+SUM(1,2)', comment: '-2+3' },
  { firstName: '@cmd', lastName: '\tTabbed', comment: '\rcarriage' },
  { firstName: 'Plain', lastName: 'Equals=InMiddle', comment: 'ends with =' },
  { firstName: 'Ndapewa', lastName: 'Nghipondoka', country: 'NA', postalCode: '10005', comment: '-stop it' },
  { firstName: 'Jean', lastName: 'Dupont', country: 'FR', postalCode: '01234', consentVersion: 'v2' },
  { firstName: 'María', lastName: 'López', country: 'MX', postalCode: '06000', locale: 'es', source: 'whatsapp' },
];

async function seedAwkward(t: TestApp): Promise<NewSignature[]> {
  const stored: NewSignature[] = [];
  for (const [i, overrides] of AWKWARD.entries()) {
    const s = signature({
      ...overrides,
      optedIn: i % 2 === 0,
      createdAt: new Date(Date.parse('2026-11-27T08:00:00.000Z') + i * 60_000),
    });
    await t.repos.signatures.add(s);
    stored.push(s);
  }
  return stored;
}

describe('GET /organizers/campaigns/:slug/signatures.csv', () => {
  it('signed in → a CSV that parses back to exactly what was stored, oldest first', async () => {
    const t = await buildTestApp();
    const stored = await seedAwkward(t);
    const agent = await signedIn(t);
    const res = await download(agent, '/organizers/campaigns/amazon-ring/signatures.csv').expect(200);
    const [header, ...rows] = records(res.body as Buffer);
    expect(header).toEqual(HEADER);
    expect(rows).toEqual(stored.map(expected));
  });

  it('formula-like cells → prefixed with an apostrophe, and only those', async () => {
    const t = await buildTestApp();
    await seedAwkward(t);
    const agent = await signedIn(t);
    const res = await download(agent, '/organizers/campaigns/amazon-ring/signatures.csv').expect(200);
    const rows = records(res.body as Buffer).slice(1);
    expect(rows[4]?.slice(0, 2)).toEqual(['\'=HYPERLINK("http://evil.example","click")', "'+SUM(1,2)"]);
    expect(rows[4]?.[6]).toBe("'-2+3");
    expect(rows[5]?.slice(0, 2)).toEqual(["'@cmd", "'\tTabbed"]);
    expect(rows[5]?.[6]).toBe("'\rcarriage");
    expect(rows[6]?.slice(0, 2)).toEqual(['Plain', 'Equals=InMiddle']);
    // No cell anywhere starts with "=", tab or carriage return, and none with "+", "-" or "@"
    // unless it is words that cannot be evaluated.
    expect(rows.flat().filter((cell) => /^[=\t\r]/.test(cell))).toEqual([]);
    expect(rows.flat().filter((cell) => /^[+\-@]/.test(cell))).toEqual(['-stop it']);
  });

  it('harmless text starting with "-" → written as typed, without an apostrophe', async () => {
    const t = await buildTestApp();
    await seedAwkward(t);
    const agent = await signedIn(t);
    const res = await download(agent, '/organizers/campaigns/amazon-ring/signatures.csv').expect(200);
    const row = records(res.body as Buffer).find((r) => r[0] === 'Ndapewa');
    expect(row?.[6]).toBe('-stop it');
  });

  it('country → its name beside the code, so Namibia ("NA") does not read as missing', async () => {
    const t = await buildTestApp();
    await seedAwkward(t);
    const agent = await signedIn(t);
    const res = await download(agent, '/organizers/campaigns/amazon-ring/signatures.csv').expect(200);
    const row = records(res.body as Buffer).find((r) => r[0] === 'Ndapewa');
    expect(row?.slice(3, 5)).toEqual(['Namibia', 'NA']);
  });

  it('each row → the consent version it was signed under, and a date spreadsheets read as a date', async () => {
    const t = await buildTestApp();
    await seedAwkward(t);
    const agent = await signedIn(t);
    const res = await download(agent, '/organizers/campaigns/amazon-ring/signatures.csv').expect(200);
    const rows = records(res.body as Buffer);
    const jean = rows.find((r) => r[0] === 'Jean');
    expect(jean?.[8]).toBe('v2');
    expect(jean?.[11]).toBe('2026-11-27 08:08:00');
    expect(jean?.[12]).toBe('2026-11-27T08:08:00.000Z');
    expect(rows.find((r) => r[0] === 'Zoë')?.[8]).toBe('v1');
  });

  it('postal code with a leading zero → written as typed, "01234"', async () => {
    const t = await buildTestApp();
    await seedAwkward(t);
    const agent = await signedIn(t);
    const res = await download(agent, '/organizers/campaigns/amazon-ring/signatures.csv').expect(200);
    expect(records(res.body as Buffer).find((r) => r[0] === 'Jean')?.[5]).toBe('01234');
  });

  it('bytes → UTF-8 with a BOM, CRLF record ends, quoted fields where RFC 4180 needs them', async () => {
    const t = await buildTestApp();
    await seedAwkward(t);
    const agent = await signedIn(t);
    const res = await download(agent, '/organizers/campaigns/amazon-ring/signatures.csv').expect(200);
    const body = res.body as Buffer;
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = body.toString('utf8').slice(1);
    expect(text.startsWith(`${HEADER.join(',')}\r\n`)).toBe(true);
    expect(text).toContain('"He said ""no"", then ""yes"""');
    expect(text).toContain('"line one\nline two\r\nline three"');
    expect(text).toContain('李,小龍');
    expect(text.endsWith('\r\n')).toBe(true);
  });

  it('headers → CSV type, a dated attachment name, never cached', async () => {
    const t = await buildTestApp();
    const agent = await signedIn(t);
    const res = await download(agent, '/organizers/campaigns/amazon-ring/signatures.csv').expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8; header=present');
    expect(res.headers['content-disposition']).toBe('attachment; filename="amazon-ring-signatures-2026-11-28.csv"');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(records(res.body as Buffer)).toEqual([HEADER]);
  });

  it('other campaigns and anonymised signatures → left out', async () => {
    const t = await buildTestApp();
    const stored = await seedAwkward(t);
    await t.repos.signatures.add(signature({ campaignSlug: 'library-hours', firstName: 'Elsewhere' }));
    t.db
      .prepare(
        "UPDATE signatures SET first_name = NULL, last_name = NULL, email = NULL, email_key = NULL, postal_code = NULL, comment = NULL, anonymised_at = '2026-11-28T00:00:00.000Z' WHERE first_name = 'Zoë'",
      )
      .run();
    const agent = await signedIn(t);
    const res = await download(agent, '/organizers/campaigns/amazon-ring/signatures.csv').expect(200);
    const rows = records(res.body as Buffer).slice(1);
    expect(rows).toEqual(stored.slice(1).map(expected));
  });

  it('2,500 signatures, many at the same instant → every one exactly once, across read batches', async () => {
    const t = await buildTestApp();
    // All at once, so they are stored in one batch, as a crowd's signatures are.
    await Promise.all(
      Array.from({ length: 2500 }, (_, i) =>
        t.repos.signatures.add(
          signature({
            firstName: `P${i}`,
            createdAt: new Date(Date.parse('2026-11-20T00:00:00.000Z') + Math.floor(i / 7) * 1000),
          }),
        ),
      ),
    );
    const agent = await signedIn(t);
    const res = await download(agent, '/organizers/campaigns/amazon-ring/signatures.csv').expect(200);
    const names = records(res.body as Buffer)
      .slice(1)
      .map((r) => r[0]);
    expect(names).toEqual(Array.from({ length: 2500 }, (_, i) => `P${i}`));
  });

  it('HEAD → the same headers and no body', async () => {
    const t = await buildTestApp();
    await seedAwkward(t);
    const agent = await signedIn(t);
    const res = await agent.head('/organizers/campaigns/amazon-ring/signatures.csv').expect(200);
    expect(res.headers['content-disposition']).toBe('attachment; filename="amazon-ring-signatures-2026-11-28.csv"');
    expect(res.text ?? '').toBe('');
  });

  it('no signatures yet → the byte order mark and the header line, nothing else', async () => {
    const t = await buildTestApp();
    const agent = await signedIn(t);
    const res = await download(agent, '/organizers/campaigns/library-hours/signatures.csv').expect(200);
    const body = res.body as Buffer;
    expect(body.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(records(body)).toEqual([HEADER]);
  });

  it('unknown campaign, signed in → 404', async () => {
    const t = await buildTestApp();
    const agent = await signedIn(t);
    await agent.get('/organizers/campaigns/no-such/signatures.csv').expect(404);
  });
});

describe('GET /organizers/campaigns/:slug/opted-in.csv', () => {
  it('signed in → only the people who opted in, under an opted-in file name', async () => {
    const t = await buildTestApp();
    const stored = await seedAwkward(t);
    const agent = await signedIn(t);
    const res = await download(agent, '/organizers/campaigns/amazon-ring/opted-in.csv').expect(200);
    expect(res.headers['content-disposition']).toBe('attachment; filename="amazon-ring-opted-in-2026-11-28.csv"');
    const [header, ...rows] = records(res.body as Buffer);
    expect(header).toEqual(HEADER);
    expect(rows).toEqual(stored.filter((s) => s.optedIn).map(expected));
    expect(rows.length).toBe(5);
  });

  it('someone opts out later → gone from the opted-in export', async () => {
    const t = await buildTestApp();
    const stored = await seedAwkward(t);
    t.db.prepare('UPDATE signatures SET opted_in = 0 WHERE email = ?').run(stored[0]?.email);
    const agent = await signedIn(t);
    const res = await download(agent, '/organizers/campaigns/amazon-ring/opted-in.csv').expect(200);
    expect(records(res.body as Buffer).slice(1)).toEqual(stored.filter((s, i) => s.optedIn && i !== 0).map(expected));
  });
});
