import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import type request from 'supertest';
import { describe, expect, it } from 'vitest';
import { queueOf } from '../../src/organizers/xlsx.js';
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
];

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

/** The workbook as Excel would open it, read back by exceljs's (non-streaming) reader. */
async function sheetOf(body: Buffer): Promise<ExcelJS.Worksheet> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(body as unknown as ArrayBuffer);
  expect(workbook.worksheets).toHaveLength(1);
  return workbook.worksheets[0] as ExcelJS.Worksheet;
}

const values = (row: ExcelJS.Row): unknown[] => (row.values as unknown[]).slice(1);

const SIGNERS: Partial<NewSignature>[] = [
  {
    firstName: '=1+1',
    lastName: '+SUM(A1)',
    country: 'FR',
    postalCode: '01234',
    comment: '-stop it',
    optedIn: true,
    locale: 'es',
    source: 'partner-org',
  },
  { firstName: 'Ndapewa', lastName: 'Nghipondoka', country: 'NA', postalCode: null, consentVersion: 'v2' },
  {
    firstName: '李',
    lastName: '小龍',
    country: 'CN',
    postalCode: '100000',
    comment: 'line one\nline two',
    optedIn: true,
  },
];

async function seed(t: TestApp): Promise<NewSignature[]> {
  const stored: NewSignature[] = [];
  for (const [i, overrides] of SIGNERS.entries()) {
    const s = signature({ ...overrides, createdAt: new Date(Date.parse('2026-11-27T08:00:00.000Z') + i * 90_500) });
    await t.repos.signatures.add(s);
    stored.push(s);
  }
  return stored;
}

describe('GET /organizers/campaigns/:slug/signatures.xlsx', () => {
  it('signed in → a workbook whose rows are exactly what was stored, typed, oldest first', async () => {
    const t = await buildTestApp();
    const stored = await seed(t);
    const agent = await signedIn(t);
    const res = await download(agent, '/organizers/campaigns/amazon-ring/signatures.xlsx').expect(200);
    const sheet = await sheetOf(res.body as Buffer);
    expect(values(sheet.getRow(1))).toEqual(HEADER);
    expect(sheet.rowCount).toBe(1 + stored.length);
    const [first, second, third] = stored as [NewSignature, NewSignature, NewSignature];
    expect(values(sheet.getRow(2))).toEqual([
      '=1+1',
      '+SUM(A1)',
      first.email,
      'France',
      'FR',
      '01234',
      '-stop it',
      true,
      'v1',
      'es',
      'partner-org',
      new Date('2026-11-27T08:00:00.000Z'),
    ]);
    // Empty cells are absent, so the row's values end early or hold a gap.
    const row3 = values(sheet.getRow(3));
    expect(row3.slice(0, 5)).toEqual(['Ndapewa', 'Nghipondoka', second.email, 'Namibia', 'NA']);
    expect(row3[5] ?? null).toBeNull();
    // No source: an empty cell.
    expect(row3.slice(7, 10)).toEqual([false, 'v2', 'en']);
    expect(row3[10] ?? null).toBeNull();
    expect(row3[11]).toEqual(new Date('2026-11-27T08:01:30.500Z'));
    expect(values(sheet.getRow(4)).slice(0, 7)).toEqual([
      '李',
      '小龍',
      third.email,
      countryName('CN'),
      'CN',
      '100000',
      'line one\nline two',
    ]);
  });

  it('cells → text stays text (never a formula), postal codes text, dates dates, opted-in a boolean', async () => {
    const t = await buildTestApp();
    await seed(t);
    const agent = await signedIn(t);
    const res = await download(agent, '/organizers/campaigns/amazon-ring/signatures.xlsx').expect(200);
    const sheet = await sheetOf(res.body as Buffer);
    const row = sheet.getRow(2);
    const cell = (column: number) => row.getCell(column);
    expect(cell(1).type).toBe(ExcelJS.ValueType.String);
    expect(cell(1).formula).toBeUndefined();
    expect(cell(2).type).toBe(ExcelJS.ValueType.String);
    expect(cell(6).type).toBe(ExcelJS.ValueType.String);
    expect(cell(6).numFmt).toBe('@');
    expect(cell(8).type).toBe(ExcelJS.ValueType.Boolean);
    expect(cell(12).type).toBe(ExcelJS.ValueType.Date);
    expect(cell(12).numFmt).toBe('yyyy-mm-dd hh:mm:ss');
  });

  it('layout → a bold header row, frozen, with a filter and column widths', async () => {
    const t = await buildTestApp();
    await seed(t);
    const agent = await signedIn(t);
    const res = await download(agent, '/organizers/campaigns/amazon-ring/signatures.xlsx').expect(200);
    const sheet = await sheetOf(res.body as Buffer);
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.getRow(1).getCell(1).font?.bold).toBe(true);
    expect(sheet.autoFilter).toBe('A1:L1');
    expect(sheet.getColumn(3).width).toBe(30);
    expect(sheet.getColumn(7).width).toBe(50);
  });

  it('headers → the spreadsheet type, a dated attachment name, never cached', async () => {
    const t = await buildTestApp();
    const agent = await signedIn(t);
    const res = await download(agent, '/organizers/campaigns/amazon-ring/signatures.xlsx').expect(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers['content-disposition']).toBe('attachment; filename="amazon-ring-signatures-2026-11-28.xlsx"');
    expect(res.headers['cache-control']).toBe('no-store');
    const sheet = await sheetOf(res.body as Buffer);
    expect(sheet.rowCount).toBe(1);
    expect(values(sheet.getRow(1))).toEqual(HEADER);
  });

  it('2,500 signatures → every one exactly once, across read batches', async () => {
    const t = await buildTestApp();
    await Promise.all(
      Array.from({ length: 2500 }, (_, i) =>
        t.repos.signatures.add(
          signature({ firstName: `P${i}`, createdAt: new Date(Date.parse('2026-11-20T00:00:00.000Z') + i * 1000) }),
        ),
      ),
    );
    const agent = await signedIn(t);
    const res = await download(agent, '/organizers/campaigns/amazon-ring/signatures.xlsx').expect(200);
    const sheet = await sheetOf(res.body as Buffer);
    const names = sheet.getColumn(1).values.slice(2);
    expect(names).toEqual(Array.from({ length: 2500 }, (_, i) => `P${i}`));
  });

  it('unknown campaign, signed in → 404', async () => {
    const t = await buildTestApp();
    const agent = await signedIn(t);
    await agent.get('/organizers/campaigns/no-such/signatures.xlsx').expect(404);
  });
});

describe('GET /organizers/campaigns/:slug/opted-in.xlsx', () => {
  it('signed in → only the people who opted in, under an opted-in file name', async () => {
    const t = await buildTestApp();
    await seed(t);
    const agent = await signedIn(t);
    const res = await download(agent, '/organizers/campaigns/amazon-ring/opted-in.xlsx').expect(200);
    expect(res.headers['content-disposition']).toBe('attachment; filename="amazon-ring-opted-in-2026-11-28.xlsx"');
    const sheet = await sheetOf(res.body as Buffer);
    expect(sheet.name).toBe('Opted in');
    expect(sheet.getColumn(1).values.slice(2)).toEqual(['=1+1', '李']);
  });
});

describe('the .xlsx writer', () => {
  it("finds the queue in front of exceljs's compressor, which it waits on so a slow download holds no rows", () => {
    // If an exceljs or archiver release moves it, the export still works but a slow download would
    // hold the whole sheet in memory: this fails first.
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: new PassThrough(), useSharedStrings: false });
    const queue = queueOf(workbook.addWorksheet('Signatures'));
    expect(queue).toBeDefined();
    expect(queue?._writableState.length).toBe(0);
  });
});
