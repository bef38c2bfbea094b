import type { CampaignRepository, PeriodCount } from '../campaigns/repository.js';
import type { SignatureRepository } from '../signatures/repository.js';
import { barChart } from './chart.js';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
/** A chart of more days than this shows the latest ones: bars thinner than a pixel help nobody. */
const MAX_DAYS = 366;

const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const hourOf = (ms: number): string => new Date(ms).toISOString().slice(0, 13);

const longDay = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' });
const shortDay = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short' });
const time = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
const dayMonthYear = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
});

/**
 * "28 Nov 2026" and "13:05 UTC", shown as "28 Nov 2026, 13:05 UTC": two parts that each stay on one
 * line, so a narrow column breaks it once. UTC, so organizers in any time zone read the same figures
 * as the charts.
 */
/** "28 Nov 2026, 13:05 UTC". */
export const formatTime = (iso: string): string => {
  const { date, clock } = timeParts(iso);
  return `${date}, ${clock}`;
};

export const timeParts = (iso: string): { date: string; clock: string } => {
  const date = new Date(iso);
  return { date: dayMonthYear.format(date), clock: `${time.format(date)} UTC` };
};

export interface PeriodRow {
  /** "2026-11-28" or "2026-11-28T13": the machine-readable period, for <time datetime>. */
  period: string;
  datetime: string;
  label: string;
  count: number;
}

export interface ChartView {
  svg: string;
  caption: string;
  rows: PeriodRow[];
}

export interface CampaignFigures {
  today: number;
  last24Hours: number;
  last7Days: number;
  daily: ChartView;
  hourly: ChartView;
}

const sum = (rows: PeriodCount[]): number => rows.reduce((total, r) => total + r.count, 0);

/** Every period in the range, with zero where the totals table has no row. */
function fill(keys: string[], found: PeriodCount[]): Map<string, number> {
  const counts = new Map(keys.map((k) => [k, 0]));
  for (const row of found) counts.set(row.period, row.count);
  return counts;
}

function chart(
  id: string,
  what: string,
  rows: PeriodRow[],
  tick: (row: PeriodRow) => string,
  minSlots: number,
): ChartView {
  const first = rows[0];
  const last = rows.at(-1);
  const total = rows.reduce((t, r) => t + r.count, 0);
  const peak = rows.reduce<PeriodRow | undefined>((best, r) => (r.count > (best?.count ?? 0) ? r : best), undefined);
  // One day is one date: "Signatures per day, 1 December 2026", not "1 December 2026 to 1 December 2026".
  const span = first && last ? (first === last ? first.label : `${first.label} to ${last.label}`) : undefined;
  const caption = span ? `${what}, ${span}` : what;
  const summary =
    `${caption}: ${total.toLocaleString('en-US')} in total` +
    (peak ? `, busiest ${peak.label} (${peak.count.toLocaleString('en-US')}).` : '.');
  return {
    caption,
    rows,
    svg: barChart({
      id,
      summary,
      minSlots,
      bars: rows.map((r) => ({ label: r.label, tick: tick(r), value: r.count })),
    }),
  };
}

/**
 * The count page's figures, all from the per-day and per-hour totals the triggers keep: a handful
 * of primary-key range reads whatever the number of signatures. Days and hours are UTC.
 */
export async function campaignFigures(
  repos: { campaigns: CampaignRepository; signatures: SignatureRepository },
  slug: string,
  now: Date,
): Promise<CampaignFigures> {
  const repo = repos.campaigns;
  const nowMs = now.getTime();
  const today = dayOf(nowMs);
  const weekStart = dayOf(nowMs - 6 * DAY_MS);
  const first = (await repo.firstDay(slug)) ?? today;
  const oldestShown = dayOf(nowMs - (MAX_DAYS - 1) * DAY_MS);
  const chartFrom = [first, oldestShown, today].sort()[1] ?? today;
  const queryFrom = chartFrom < weekStart ? chartFrom : weekStart;
  const hourFrom = hourOf(nowMs - 47 * HOUR_MS);
  // "Last 24 hours" exactly: the whole hours after the one 24 hours ago come from the hourly
  // totals; the rest of that hour is counted on the (campaign_slug, created_at) index, at most an
  // hour of rows.
  const since = nowMs - DAY_MS;
  const sinceHour = hourOf(since);
  const [days, hours, sinceHourTail] = await Promise.all([
    repo.daily(slug, queryFrom, today),
    repo.hourly(slug, hourFrom, hourOf(nowMs)),
    repos.signatures.countBetween(
      slug,
      new Date(since).toISOString(),
      new Date(Date.parse(`${sinceHour}:00:00Z`) + HOUR_MS).toISOString(),
    ),
  ]);

  const dayKeys: string[] = [];
  for (let ms = Date.parse(`${chartFrom}T00:00:00Z`); dayOf(ms) <= today; ms += DAY_MS) {
    dayKeys.push(dayOf(ms));
  }
  const hourKeys = Array.from({ length: 48 }, (_, i) => hourOf(nowMs - (47 - i) * HOUR_MS));
  const dayCounts = fill(dayKeys, days);
  const hourCounts = fill(hourKeys, hours);

  const dayRows = dayKeys.map((day) => {
    const date = new Date(`${day}T00:00:00Z`);
    return { period: day, datetime: day, label: longDay.format(date), count: dayCounts.get(day) ?? 0 };
  });
  const hourRows = hourKeys.map((hour) => {
    const date = new Date(`${hour}:00:00Z`);
    return {
      period: hour,
      datetime: `${hour}:00Z`,
      label: `${shortDay.format(date)}, ${time.format(date)} UTC`,
      count: hourCounts.get(hour) ?? 0,
    };
  });

  return {
    today: sum(days.filter((d) => d.period === today)),
    last24Hours: sinceHourTail + sum(hours.filter((h) => h.period > sinceHour)),
    last7Days: sum(days.filter((d) => d.period >= weekStart)),
    // A campaign's first days are drawn as the first of ten places, not as a slab across the chart.
    daily: chart(
      'chart-daily',
      'Signatures per day',
      dayRows,
      (r) => shortDay.format(new Date(`${r.period}T00:00:00Z`)),
      10,
    ),
    hourly: chart(
      'chart-hourly',
      'Signatures per hour, last 48 hours',
      hourRows,
      (r) => time.format(new Date(r.datetime)),
      48,
    ),
  };
}
