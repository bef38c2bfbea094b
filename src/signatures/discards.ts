import type { DiscardReason, SignatureRepository } from './repository.js';

/** Days of discarded submissions the organizers' count page shows. */
const DAYS_SHOWN = 30;
const DAY_MS = 24 * 60 * 60 * 1000;
const longDay = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' });

/** The table's columns, in order, with the words organizers read for each reason. */
const COLUMNS: { reason: DiscardReason; heading: string }[] = [
  { reason: 'too_fast', heading: 'Sent too fast' },
  { reason: 'honeypot', heading: 'Hidden field filled in' },
  { reason: 'no_token', heading: 'No form token' },
  { reason: 'bad_token', heading: 'Form token not ours' },
];

export interface DiscardedView {
  /** What the table is, in one sentence, with the threshold in force. */
  explanation: string;
  headings: string[];
  rows: { datetime: string; label: string; counts: number[]; total: number }[];
}

/** The last 30 UTC days with any submission discarded as automated, newest first, for the count page. */
export async function discardedView(
  signatures: SignatureRepository,
  slug: string,
  now: Date,
  minFillSeconds: number,
): Promise<DiscardedView> {
  const from = new Date(now.getTime() - (DAYS_SHOWN - 1) * DAY_MS).toISOString().slice(0, 10);
  const days = await signatures.discardedSince(slug, from);
  const seconds = minFillSeconds.toLocaleString('en-US');
  return {
    explanation:
      minFillSeconds > 0
        ? `These were answered as if they had signed but not counted, because they were sent less than ${seconds} ${minFillSeconds === 1 ? 'second' : 'seconds'} after the form was shown, filled in a field people never see, or came without the form’s own token: if many appear on a day people were signing, ask whoever runs the site to lower MIN_FILL_SECONDS.`
        : 'These were answered as if they had signed but not counted, because they filled in a field people never see (the minimum fill time is turned off).',
    headings: COLUMNS.map((c) => c.heading),
    rows: days.map((d) => {
      const counts = COLUMNS.map((c) => d.counts[c.reason]);
      return {
        datetime: d.day,
        label: longDay.format(new Date(`${d.day}T00:00:00Z`)),
        counts,
        total: counts.reduce((a, b) => a + b, 0),
      };
    }),
  };
}
