import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { COUNTRIES } from '../signatures/countries.js';
import type { DeliveryRow } from './repository.js';

/*
 * The package's order: by country (by English name, as the signing form lists them), then by last
 * name and first name as a reader looks them up in a printed list: letter case, accents and
 * punctuation aside ("Ångström" beside "Angstrom", "O’Neil" as "ONeil", "de la Cruz" as "delacruz"),
 * and the Latin letters that have no decomposition read as their base (Ł as L, Ø as O, ß as ss).
 * Names equal on that are ordered by Intl.Collator, then by code point, then by signature id, so the
 * order is total and the same list always comes out the same (its digest depends on the order).
 *
 * Why a folded key first and not Intl.Collator alone: the collator costs about a microsecond a
 * comparison, which made a million names take half a minute to sort and blocked the event loop for
 * seconds per run; comparing the folded keys is a plain string comparison, and the collator is left
 * for the rare names the keys cannot tell apart. The folded order also does not move when a Node
 * upgrade brings new ICU collation data.
 */
const collator = new Intl.Collator('en', { usage: 'sort', sensitivity: 'variant' });
const RANK = new Map(COUNTRIES.map((c, i) => [c.code, i]));
const rank = (code: string): number => RANK.get(code) ?? COUNTRIES.length;
const codePoints = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const BASE_LETTERS: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
  ħ: 'h',
  ŧ: 't',
  ŀ: 'l',
  ĸ: 'k',
};
const NOT_DECOMPOSED = new RegExp(`[${Object.keys(BASE_LETTERS).join('')}]`, 'g');

const ASCII_LETTERS = /^[A-Za-z]*$/;

/** The name as the list is ordered by it: lower case, without accents, punctuation or spaces. */
export function foldName(name: string): string {
  // Most names are plain ASCII letters; they need only lower-casing.
  if (ASCII_LETTERS.test(name)) return name.toLowerCase();
  return name
    .normalize('NFKD')
    .toLowerCase()
    .replace(NOT_DECOMPOSED, (c) => BASE_LETTERS[c] ?? c)
    .replace(/[^\p{L}\p{N}]/gu, '');
}

/** A row with what it is ordered by worked out once: [rank, last key, first key, ...the row]. */
type Keyed = readonly [number, string, string, ...DeliveryRow];
const keyed = (r: DeliveryRow): Keyed => [rank(r[2]), foldName(r[0]), foldName(r[1]), r[0], r[1], r[2], r[3], r[4]];
const unkeyed = (k: Keyed): DeliveryRow => [k[3], k[4], k[5], k[6], k[7]];

function compareKeyed(a: Keyed, b: Keyed): number {
  return (
    a[0] - b[0] ||
    codePoints(a[5], b[5]) ||
    codePoints(a[1], b[1]) ||
    codePoints(a[2], b[2]) ||
    tieBreak(a[3], b[3]) ||
    tieBreak(a[4], b[4]) ||
    a[7] - b[7]
  );
}

/** Names equal once folded: the collator (case, then accents), then code points. Same names cost nothing. */
const tieBreak = (a: string, b: string): number => (a === b ? 0 : collator.compare(a, b) || codePoints(a, b));

export const comparePackageOrder = (a: DeliveryRow, b: DeliveryRow): number => compareKeyed(keyed(a), keyed(b));

/** Rows kept in memory before a sorted run is written to disk: some megabytes even with long comments. */
export const DEFAULT_RUN_SIZE = 20_000;
const OUT_BATCH = 1000;

export interface SortOptions {
  /** Rows sorted in memory at a time (DEFAULT_RUN_SIZE). */
  runSize?: number;
  /** Where the runs' temporary folder is made (the system's temporary folder). */
  tmpDir?: string;
}

/**
 * The rows in package order, in batches, holding at most `runSize` of them in memory.
 *
 * SQL cannot sort in this order, and a large country's list must not sit in memory, so this is an
 * external merge sort: runs of `runSize` rows are sorted and written to a temporary folder (as JSON
 * lines of a thousand rows each), then merged. A campaign smaller than one run never touches the disk.
 * The folder is removed when the sort ends, finishes early or fails.
 */
export async function* inPackageOrder(
  batches: AsyncIterable<readonly DeliveryRow[]>,
  { runSize = DEFAULT_RUN_SIZE, tmpDir = tmpdir() }: SortOptions = {},
): AsyncGenerator<DeliveryRow[]> {
  let buffer: Keyed[] = [];
  let dir: string | undefined;
  const runs: string[] = [];
  try {
    for await (const rows of batches) {
      for (const row of rows) buffer.push(keyed(row));
      if (buffer.length >= runSize) {
        dir ??= await mkdtemp(join(tmpDir, 'undersigned-delivery-'));
        runs.push(await writeRun(dir, runs.length, buffer));
        buffer = [];
      }
    }
    if (runs.length === 0 || !dir) {
      buffer.sort(compareKeyed);
      for (let i = 0; i < buffer.length; i += OUT_BATCH) yield buffer.slice(i, i + OUT_BATCH).map(unkeyed);
      return;
    }
    if (buffer.length > 0) runs.push(await writeRun(dir, runs.length, buffer));
    buffer = [];
    yield* merge(runs);
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

async function writeRun(dir: string, n: number, rows: Keyed[]): Promise<string> {
  rows.sort(compareKeyed);
  const file = join(dir, `run-${n}.jsonl`);
  const lines: string[] = [];
  for (let i = 0; i < rows.length; i += OUT_BATCH) lines.push(JSON.stringify(rows.slice(i, i + OUT_BATCH)));
  await writeFile(file, `${lines.join('\n')}\n`, 'utf8');
  return file;
}

/** One sorted run, read back a thousand rows at a time. */
class RunReader {
  private readonly lines: AsyncIterator<string>;
  private rows: Keyed[] = [];
  // Before the first row: the first advance() reads the first line.
  private at = -1;
  constructor(file: string) {
    this.lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })[
      Symbol.asyncIterator
    ]();
  }
  get head(): Keyed | undefined {
    return this.rows[this.at];
  }
  /** Moves to the next row; false when the run is used up. Reads the file only once per thousand rows. */
  advance(): boolean | Promise<boolean> {
    this.at += 1;
    return this.at < this.rows.length ? true : this.refill();
  }
  private async refill(): Promise<boolean> {
    for (;;) {
      const next = await this.lines.next();
      if (next.done) return false;
      if (next.value === '') continue;
      this.rows = JSON.parse(next.value) as Keyed[];
      this.at = 0;
      return true;
    }
  }
  async close(): Promise<void> {
    await this.lines.return?.();
  }
}

/** A k-way merge of sorted runs with a binary heap on each run's current row. */
async function* merge(files: string[]): AsyncGenerator<DeliveryRow[]> {
  const readers = files.map((f) => new RunReader(f));
  try {
    const heap: RunReader[] = [];
    for (const reader of readers) {
      if (await reader.advance()) heap.push(reader);
    }
    const less = (i: number, j: number) => compareKeyed(heap[i]?.head as Keyed, heap[j]?.head as Keyed) < 0;
    const swap = (i: number, j: number) => {
      const t = heap[i] as RunReader;
      heap[i] = heap[j] as RunReader;
      heap[j] = t;
    };
    const down = (start: number) => {
      let i = start;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && less(l, m)) m = l;
        if (r < heap.length && less(r, m)) m = r;
        if (m === i) return;
        swap(i, m);
        i = m;
      }
    };
    for (let i = Math.floor(heap.length / 2) - 1; i >= 0; i--) down(i);

    let out: DeliveryRow[] = [];
    while (heap.length > 0) {
      const top = heap[0] as RunReader;
      out.push(unkeyed(top.head as Keyed));
      const more = top.advance();
      if (!(more === true || (await more))) {
        const last = heap.pop() as RunReader;
        if (heap.length > 0) heap[0] = last;
      }
      if (heap.length > 0) down(0);
      if (out.length >= OUT_BATCH) {
        yield out;
        out = [];
      }
    }
    if (out.length > 0) yield out;
  } finally {
    await Promise.all(readers.map((r) => r.close()));
  }
}
