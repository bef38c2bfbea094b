import { formatNumber } from '../campaigns/view.js';
import type { SignatureFilter } from './filter.js';
import { shortCode } from './filter.js';
import type { ModerationRepository } from './repository.js';

/*
 * Signals of fake signatures on the count page (README, "Against fake signatures"): hints to look,
 * never verdicts, each linking to the search that shows what it saw. The thresholds are here, with why.
 */

/** The window the signals look at: long enough to see a flood build, short enough to be about now. */
export const SIGNAL_HOURS = 6;
/**
 * One address code signing this often in the window. A household signs 2–4 times; an office, campus
 * or mobile network shares one address and may sign more, which is why this is a signal, not a block.
 */
export const SOURCE_MIN = 10;
/** A domain needs this many signatures in the window before its rise means anything. */
export const DOMAIN_MIN = 20;
/** Rising: the domain's share of the window's signatures is this many times its share the day before. */
export const DOMAIN_RISE = 3;
/** With no signature from it the day before, a domain must be this share of the window to be shown. */
export const NEW_DOMAIN_SHARE = 0.1;
/** The last hour against the hourly average of the 24 hours before it. */
export const RATE_JUMP = 3;
/** A jump needs at least this many signatures in the last hour: 3 after 1 is no flood. */
export const RATE_MIN = 50;

const HOUR = 60 * 60 * 1000;

export interface SignalsView {
  hours: number;
  sources: { code: string; countText: string; href: string }[];
  domains: { domain: string; recentText: string; beforeText: string; href: string }[];
  rate: { lastHourText: string; averageText: string; href: string } | undefined;
  any: boolean;
}

export async function campaignSignals(
  repo: ModerationRepository,
  slug: string,
  now: Date,
  searchHref: (filter: SignatureFilter) => string,
): Promise<SignalsView> {
  const at = (msAgo: number) => new Date(now.getTime() - msAgo).toISOString();
  const since = at(SIGNAL_HOURS * HOUR);
  const dayBefore = at((SIGNAL_HOURS + 24) * HOUR);
  const [sources, domains, recentTotal, beforeTotal, lastHour, previousDay] = await Promise.all([
    repo.busySources(slug, since, SOURCE_MIN, 10),
    repo.domainCounts(slug, dayBefore, since, DOMAIN_MIN),
    repo.countSigned(slug, since, now.toISOString()),
    repo.countSigned(slug, dayBefore, since),
    repo.countSigned(slug, at(HOUR), now.toISOString()),
    repo.countSigned(slug, at(25 * HOUR), at(HOUR)),
  ]);
  const rising = domains.filter((d) => {
    const share = d.recent / Math.max(recentTotal, 1);
    if (d.before === 0) return share >= NEW_DOMAIN_SHARE;
    return share >= DOMAIN_RISE * (d.before / Math.max(beforeTotal, 1));
  });
  const average = previousDay / 24;
  const jumped = lastHour >= RATE_MIN && lastHour >= RATE_JUMP * average;
  const view: SignalsView = {
    hours: SIGNAL_HOURS,
    sources: sources.map((s) => ({
      code: shortCode(s.source),
      countText: formatNumber(s.count),
      href: searchHref({ source: s.source, from: since }),
    })),
    domains: rising.slice(0, 10).map((d) => ({
      domain: d.domain,
      recentText: formatNumber(d.recent),
      beforeText: formatNumber(d.before),
      href: searchHref({ domain: d.domain, from: since }),
    })),
    rate: jumped
      ? {
          lastHourText: formatNumber(lastHour),
          averageText: formatNumber(Math.round(average)),
          href: searchHref({ from: at(HOUR) }),
        }
      : undefined,
    any: false,
  };
  view.any = view.sources.length > 0 || view.domains.length > 0 || view.rate !== undefined;
  return view;
}
