/**
 * Bar charts drawn on the server as SVG: no JavaScript, nothing fetched, and only presentation
 * attributes (fill, font-size…) because the CSP forbids style attributes. The page puts the same
 * figures in a table; the SVG carries a one-sentence summary as its accessible name.
 *
 * The SVG has no viewBox: it is as wide as the page allows, bars are placed in percentages of that
 * width and everything else in CSS pixels, so the labels keep their size on a 320 px phone instead of
 * shrinking with a 720-unit drawing (they were 6 to 8 px there). The value labels sit on their grid
 * lines inside the plot rather than in a margin; ticks marked minor are hidden on narrow screens
 * (organizers.css), which leaves at most four.
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
  /**
   * The chart is laid out for at least this many bars, the first ones from the left, so that a
   * campaign's first days are bars rather than one slab across the chart.
   */
  minSlots?: number;
}

const HEIGHT = 200;
// Room above the top grid line for its value label, and below the plot for the ticks.
const TOP = 22;
const BOTTOM = 26;
const FONT_SIZE = 13;
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

const n = (value: number): string => String(Math.round(value * 100) / 100);
const pct = (value: number): string => `${n(value)}%`;

/**
 * Which bars get a tick: about MAX_TICKS evenly spaced, always the last (the newest period). Every
 * other one, counting back from the last, is minor, so that narrow screens keep an even spacing.
 */
export function tickIndices(count: number): { index: number; minor: boolean }[] {
  if (count === 0) return [];
  const every = Math.max(1, Math.ceil(count / MAX_TICKS));
  const last = count - 1;
  const chosen: number[] = [];
  for (let i = 0; i < count; i += every) chosen.push(i);
  // The last period always has its tick; a regular one too close before it gives way.
  if (chosen.at(-1) !== last) {
    if (last - (chosen.at(-1) ?? 0) < every / 2) chosen.pop();
    chosen.push(last);
  }
  return chosen.map((index, k) => ({ index, minor: (chosen.length - 1 - k) % 2 === 1 }));
}

export function barChart({ id, summary, bars, minSlots = 1 }: ChartOptions): string {
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const top = niceMax(Math.max(0, ...bars.map((b) => b.value)));
  const slot = 100 / Math.max(1, minSlots, bars.length);
  const barWidth = slot * 0.8;
  const y = (value: number) => TOP + plotHeight - (value / top) * plotHeight;
  const parts: string[] = [];

  parts.push(
    `<svg class="chart" id="${id}" width="100%" height="${HEIGHT}" role="img" aria-labelledby="${id}-title" focusable="false">`,
    `<title id="${id}-title">${escapeXml(summary)}</title>`,
  );
  const gridValues = [0, top / 2, top].filter((value) => value === Math.round(value));
  for (const value of gridValues) {
    parts.push(`<line x1="0" x2="100%" y1="${n(y(value))}" y2="${n(y(value))}" stroke="#d6d1c7" stroke-width="1"/>`);
  }
  bars.forEach((bar, i) => {
    if (bar.value <= 0) return;
    const height = Math.max(1, (bar.value / top) * plotHeight);
    parts.push(
      `<rect x="${pct(i * slot + (slot - barWidth) / 2)}" y="${n(TOP + plotHeight - height)}" width="${pct(barWidth)}" height="${n(height)}" fill="#1c2541">` +
        `<title>${escapeXml(`${bar.label}: ${bar.value.toLocaleString('en-US')}`)}</title></rect>`,
    );
  });
  // After the bars, so they are drawn over them (with a halo from organizers.css).
  for (const value of gridValues.filter((v) => v > 0)) {
    parts.push(
      `<text class="chart-value" x="0" y="${n(y(value) - 5)}" font-size="${FONT_SIZE}" fill="#4a5261">${value.toLocaleString('en-US')}</text>`,
    );
  }
  const ticks = tickIndices(bars.length);
  for (const { index, minor } of ticks) {
    const bar = bars[index];
    if (!bar) continue;
    // The first label starts at its bar and the last ends at the chart's edge (when the bars reach
    // it), so neither is cut off.
    const [x, anchor] =
      index === 0
        ? [pct((slot - barWidth) / 2), 'start']
        : index === bars.length - 1 && slot * bars.length > 99
          ? ['100%', 'end']
          : [pct(index * slot + slot / 2), 'middle'];
    parts.push(
      `<text class="chart-tick${minor ? ' chart-tick-minor' : ''}" x="${x}" y="${HEIGHT - 7}" text-anchor="${anchor}" font-size="${FONT_SIZE}" fill="#4a5261">${escapeXml(bar.tick)}</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('\n');
}
