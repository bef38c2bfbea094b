import type { PassThrough } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type ExcelJS from 'exceljs';
import { countryName } from '../signatures/countries.js';
import type { ExportRow } from '../signatures/repository.js';
import { EXPORT_HEADER } from './csv.js';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

type Column = Partial<ExcelJS.Column> & { header: (typeof EXPORT_HEADER)[number] };

/*
 * Widths are in characters. Postal codes are text cells with the Text format ("@"), so "01234" stays
 * "01234" and stays text if someone edits it; the signing time is a date cell shown in UTC.
 */
const COLUMNS: Column[] = [
  { header: 'First name', width: 16 },
  { header: 'Last name', width: 18 },
  { header: 'Email', width: 30 },
  { header: 'Country', width: 22 },
  { header: 'Country code', width: 9 },
  { header: 'Postal code', width: 12, style: { numFmt: '@' } },
  { header: 'Comment', width: 50 },
  { header: 'Opted in', width: 10 },
  { header: 'Consent version', width: 12 },
  { header: 'Language', width: 10 },
  { header: 'Source', width: 16 },
  { header: 'Signed at (UTC)', width: 20, style: { numFmt: 'yyyy-mm-dd hh:mm:ss' } },
];

/**
 * Once this much of the sheet waits to be compressed, the writer stops taking rows until it has gone.
 * exceljs hands each 64 kB of sheet XML to the zip without asking whether it is wanted, so without
 * this a slow download would hold the whole sheet in memory.
 */
const MAX_QUEUED = 1 << 20;

/**
 * Rows formatted between two turns of the event loop. exceljs takes about 50 µs a row, so a whole
 * batch of a thousand would keep every other request waiting for some 50 ms.
 */
const ROWS_PER_TURN = 200;

/** A writable stream as far as waiting on it goes: Node's own, or the readable-stream 2 that archiver uses. */
interface Queue {
  on(event: 'drain', listener: () => void): unknown;
  removeListener(event: 'drain', listener: () => void): unknown;
  _writableState: { length: number };
}

/**
 * Where the worksheet's XML queues on its way into the zip: the stream the worksheet's buffer pipes
 * into (archiver wraps the buffer in a readable-stream PassThrough). Found through exceljs internals
 * (`pipes` of its StreamBuf), so if a release changes them the writer still works, pausing each batch
 * for one turn of the event loop instead of for the queue; the tests check that it is found.
 */
export function queueOf(sheet: ExcelJS.Worksheet): Queue | undefined {
  const pipes = (sheet as unknown as { stream?: { pipes?: unknown[] } }).stream?.pipes;
  const first = pipes?.[0] as Partial<Queue> | undefined;
  return typeof first?._writableState?.length === 'number' && typeof first.on === 'function'
    ? (first as Queue)
    : undefined;
}

/**
 * Writes the signatures as one .xlsx worksheet to `out`, with exceljs's streaming writer: rows are
 * written and forgotten, strings inline rather than shared (a table of every distinct string would
 * grow with the export), so memory stays flat however many rows there are. Resolves when the file is
 * complete, or early if `out` is closed (a cancelled download).
 *
 * Cells are typed, which a CSV cannot do: text is never evaluated as a formula (a name "=1+1" is
 * that text), postal codes keep their zeros, dates are dates, "Opted in" is TRUE or FALSE.
 */
export async function writeSignaturesXlsx(
  batches: AsyncIterable<ExportRow[]>,
  out: PassThrough,
  sheetName: string,
): Promise<void> {
  // Loaded on the first spreadsheet download, not at start-up: it is 29 MB of resident memory that a
  // server which never makes a spreadsheet would carry for nothing (and a tenth of start-up's time).
  const { default: excel } = await import('exceljs');
  const workbook = new excel.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  workbook.creator = 'Undersigned';
  const sheet = workbook.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = COLUMNS;
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: COLUMNS.length } };
  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.commit();

  for await (const rows of batches) {
    for (let start = 0; start < rows.length; start += ROWS_PER_TURN) {
      if (out.destroyed) return;
      for (const r of rows.slice(start, start + ROWS_PER_TURN)) {
        sheet
          .addRow([
            r[0],
            r[1],
            r[2],
            countryName(r[3]),
            r[3],
            r[4],
            r[5],
            r[6] === 1,
            r[7],
            r[8],
            r[9],
            new Date(r[10]),
          ])
          .commit();
      }
      await drained(sheet, out);
    }
  }
  if (out.destroyed) return;
  sheet.commit();
  await workbook.commit();
}

/** Waits until the compressor has caught up (or the download is gone), so rows never pile up. */
async function drained(sheet: ExcelJS.Worksheet, out: PassThrough): Promise<void> {
  const queue = queueOf(sheet);
  // One turn at least: the database is read synchronously, so without it nothing else (the zip, the
  // socket, other requests) would run until the export was done.
  await nextTurn();
  while (queue && queue._writableState.length > MAX_QUEUED && !out.destroyed) {
    await new Promise<void>((resolve) => {
      const done = () => {
        queue.removeListener('drain', done);
        out.removeListener('close', done);
        resolve();
      };
      queue.on('drain', done);
      out.on('close', done);
    });
  }
}
