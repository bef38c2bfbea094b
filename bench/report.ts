import type { Measured } from './load.js';

export interface Row {
  name: string;
  empty: Measured;
  million?: Measured;
  /** Requests/s relative to bare Express with a small page. */
  ratio?: number;
  /** Bare Express's server CPU per request over this one's: the same ratio, less disturbed by other load. */
  cpuRatio?: number;
  target?: number;
}

interface Extras {
  mixedEmpty: number | undefined;
  mixedMillion: number | undefined;
  exportResult: { rows: number; seconds: number; rowsPerSecond: number; peakRssMb: number } | undefined;
  rows: number;
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => n.toFixed(1);

/** The summary: one line per scenario, fresh database and at scale side by side. */
export function printTable(rows: Row[], extras: Extras): void {
  const scale = extras.rows >= 1_000_000 ? `${extras.rows / 1_000_000}M` : `${extras.rows / 1000}k`;
  const head = [
    pad('scenario', 30),
    lpad('req/s', 8),
    lpad('p50 ms', 7),
    lpad('p99 ms', 7),
    lpad('err', 4),
    lpad('unexp', 6),
    lpad('× bare', 7),
    lpad('CPU µs', 7),
    lpad('× CPU', 6),
    lpad('target', 7),
    lpad(`req/s @${scale}`, 12),
    lpad(`p99 @${scale}`, 10),
    lpad(`${scale}/fresh`, 9),
  ].join(' ');
  console.log('\n' + head);
  console.log('-'.repeat(head.length));
  for (const r of rows) {
    const m = r.million;
    console.log(
      [
        pad(r.name, 30),
        lpad(int(r.empty.rps), 8),
        lpad(ms(r.empty.p50), 7),
        lpad(ms(r.empty.p99), 7),
        lpad(String(r.empty.errors), 4),
        lpad(String(r.empty.unexpected), 6),
        lpad(r.ratio === undefined ? '' : r.ratio.toFixed(2), 7),
        lpad(r.empty.cpuUsPerRequest === undefined ? '' : int(r.empty.cpuUsPerRequest), 7),
        lpad(r.cpuRatio === undefined ? '' : r.cpuRatio.toFixed(2), 6),
        lpad(r.target === undefined ? '' : `≥${r.target}`, 7),
        lpad(m ? int(m.rps) : '', 12),
        lpad(m ? ms(m.p99) : '', 10),
        lpad(m ? (r.empty.rps / m.rps).toFixed(2) : '', 9),
      ].join(' '),
    );
  }
  console.log('');
  console.log(
    `mixed load held (p99 < 200 ms, no errors), page views/s (+1% signatures): fresh ${extras.mixedEmpty ?? 'none'}, at ${scale} ${extras.mixedMillion ?? 'none'}`,
  );
  const e = extras.exportResult;
  if (e)
    console.log(
      `CSV export: ${int(e.rows)} rows in ${e.seconds.toFixed(1)} s, ${int(e.rowsPerSecond)} rows/s, server peak RSS ${e.peakRssMb.toFixed(0)} MB`,
    );
  console.log(
    "× bare: req/s over bare Express (small page); × CPU: bare Express server CPU per request over this one's.",
  );
  console.log(
    `(${scale}/fresh is the fresh-database req/s over the req/s at ${scale}: above 1 means slower at scale; the target is ≤ 1.2)`,
  );
}
