import { once } from 'node:events';
import { PassThrough, Writable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import ExcelJS from 'exceljs';
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
  { header: 'Signed at (UTC)', width: 20, style: { numFmt: 'yyyy-mm-dd hh:mm:ss' } },
];

/**
 * Once this much of the sheet waits to be compressed, the writer stops taking rows until it has gone.
 * exceljs hands each 64 kB of sheet XML to the zip without asking whether it is wanted, so without
 * this a slow download would hold the whole sheet in memory.
 */
const MAX_QUEUED = 1 << 20;

/**
 * Where the worksheet's XML queues on its way into the zip: the stream the worksheet's buffer pipes
 * into (archiver wraps the buffer in a PassThrough). Found through exceljs internals (`pipes` of its
 * StreamBuf), so if a release changes them the writer still works, pausing each batch for one turn
 * of the event loop instead of for the queue.
 */
function queueOf(sheet: ExcelJS.Worksheet): Writable | undefined {
  const pipes = (sheet as unknown as { stream?: { pipes?: unknown[] } }).stream?.pipes;
  const first = pipes?.[0];
  return first instanceof Writable ? first : undefined;
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
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  workbook.creator = 'Undersigned';
  const sheet = workbook.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = COLUMNS;
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: COLUMNS.length } };
  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.commit();

  for await (const rows of batches) {
    if (out.destroyed) return;
    for (const r of rows) {
      sheet.addRow([r[0], r[1], r[2], countryName(r[3]), r[3], r[4], r[5], r[6] === 1, r[7], new Date(r[8])]).commit();
    }
    await drained(sheet, out);
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
  while (queue && queue.writableLength > MAX_QUEUED && !out.destroyed) {
    const stop = new AbortController();
    const events = [once(queue, 'drain', stop), once(out, 'close', stop)].map((p) => p.catch(() => undefined));
    await Promise.race(events);
    stop.abort();
  }
}
