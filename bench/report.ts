import type { Row } from './scenario.js';

const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '');
const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '');

/** The results as one Markdown table, fresh database first, then at scale: ready to paste into BENCHMARKS.md. */
export function printTable(rows: Row[], extras: { rows: number }): string {
  const scale = extras.rows >= 1_000_000 ? `${extras.rows / 1_000_000}M` : `${extras.rows / 1000}k`;
  const lines = [
    '| phase | scenario | server | req/s | p50 ms | p99 ms | errors | non-2xx/3xx | server CPU µs/req | × node:http | target | met | note |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|---|',
  ];
  for (const r of rows) {
    const m = r.measured;
    lines.push(
      [
        '',
        r.phase === 'fresh' ? 'fresh' : `${scale} signatures`,
        r.scenario,
        r.server,
        int(m.rps),
        ms(m.p50),
        ms(m.p99),
        String(m.errors),
        String(m.unexpected),
        m.cpuUsPerRequest === undefined ? '' : int(m.cpuUsPerRequest),
        r.ratio ? `**${r.ratio.value.toFixed(2)}**${r.ratio.over === 'node:http' ? '' : ` × ${r.ratio.over}`}` : '',
        r.target?.text ?? '',
        r.target ? (r.target.met ? 'yes' : '**no**') : '',
        r.note ?? '',
        '',
      ]
        .join(' | ')
        .trim(),
    );
  }
  return lines.join('\n');
}
