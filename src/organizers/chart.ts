/**
 * Bar charts drawn on the server as SVG: no JavaScript, nothing fetched, and only presentation
 * attributes (fill, font-size…) because the CSP forbids style attributes. The page puts the same
 * figures in a table; the SVG carries a one-sentence summary as its accessible name.
 */
export interface Bar {
  /** Full label for the bar's tooltip, e.g. "28 November 2026". */
  label: string;
  /** Short axis label, e.g. "28 Nov". */
  tick: string;
  value: number;
}

export interface ChartOptions {
  /** Unique within the page: used for the <title> id. */
  id: string;
  /** The accessible name: what the chart shows and its headline figure. */
  summary: string;
  bars: Bar[];
}

const WIDTH = 720;
const HEIGHT = 220;
const LEFT = 64;
// Room for the last tick label, which is centred under the last bar.
const RIGHT = 24;
const TOP = 12;
const BOTTOM = 28;
const MAX_TICKS = 7;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeXml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

/** 1, 2, 5, 10, 20, 50…: the smallest such step that gives an axis top at or above `max`. */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= max) return step * magnitude;
  return 10 * magnitude;
}

const n = (value: number): string => String(Math.round(value * 10) / 10);

export function barChart({ id, summary, bars }: ChartOptions): string {
  const plotWidth = WIDTH - LEFT - RIGHT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const top = niceMax(Math.max(0, ...bars.map((b) => b.value)));
  const slot = plotWidth / Math.max(1, bars.length);
  // Capped so that a campaign's first days are bars, not one slab across the chart.
  const barWidth = Math.min(40, Math.max(1, slot * 0.8));
  const y = (value: number) => TOP + plotHeight - (value / top) * plotHeight;
  const parts: string[] = [];

  parts.push(
    `<svg class="chart" id="${id}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="${id}-title" focusable="false">`,
    `<title id="${id}-title">${escapeXml(summary)}</title>`,
  );
  for (const value of [0, top / 2, top]) {
    if (value !== Math.round(value)) continue;
    parts.push(
      `<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${n(y(value))}" y2="${n(y(value))}" stroke="#d6d1c7" stroke-width="1"/>`,
      `<text x="${LEFT - 6}" y="${n(y(value) + 4)}" text-anchor="end" font-size="14" fill="#4a5261">${value.toLocaleString('en-US')}</text>`,
    );
  }
  bars.forEach((bar, i) => {
    if (bar.value <= 0) return;
    const x = LEFT + i * slot + (slot - barWidth) / 2;
    const height = Math.max(1, (bar.value / top) * plotHeight);
    parts.push(
      `<rect x="${n(x)}" y="${n(TOP + plotHeight - height)}" width="${n(barWidth)}" height="${n(height)}" fill="#1c2541">` +
        `<title>${escapeXml(`${bar.label}: ${bar.value.toLocaleString('en-US')}`)}</title></rect>`,
    );
  });
  const every = Math.max(1, Math.ceil(bars.length / MAX_TICKS));
  bars.forEach((bar, i) => {
    if (i % every !== 0 && i !== bars.length - 1) return;
    if (i === bars.length - 1 && i % every !== 0 && i % every < every / 2) return;
    const x = LEFT + i * slot + slot / 2;
    parts.push(
      `<text x="${n(x)}" y="${HEIGHT - 8}" text-anchor="middle" font-size="14" fill="#4a5261">${escapeXml(bar.tick)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}
