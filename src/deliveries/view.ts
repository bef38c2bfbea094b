import { formatNumber } from '../campaigns/view.js';
import { countryName } from '../signatures/countries.js';
import type { DeliveryPackage } from './repository.js';

const day = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' });
const time = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** "28 November 2026": the date printed on a package. */
export const formatDay = (iso: string): string => day.format(new Date(iso));
/** "28 November 2026, 12:00 UTC": in UTC, so organizers and targets anywhere read the same time. */
// Put together from the day and the time: ICU's own joined form puts a word between them ("at"),
// which differs between ICU versions and is not ours to translate.
export const formatDayAndTime = (iso: string): string => `${formatDay(iso)}, ${time.format(new Date(iso))} UTC`;

export const organizerDeliveryPath = (slug: string): string => `/organizers/campaigns/${slug}/delivery`;
export const organizerPackagePath = (slug: string, id: number): string =>
  `${organizerDeliveryPath(slug)}/packages/${id}`;
export const publicDeliveriesPath = (slug: string): string => `/campaigns/${slug}/deliveries`;
export const publicDeliveryPath = (slug: string, id: number): string => `${publicDeliveriesPath(slug)}/${id}`;

/** A package as the organizer pages list it. The templates say what a null country means. */
export function packageSummary(pkg: DeliveryPackage) {
  return {
    id: pkg.id,
    href: organizerPackagePath(pkg.campaignSlug, pkg.id),
    listHref: `${organizerPackagePath(pkg.campaignSlug, pkg.id)}/list.txt`,
    countryName: pkg.country === null ? null : countryName(pkg.country),
    count: pkg.signerCount,
    countText: formatNumber(pkg.signerCount),
    withComments: pkg.withComments,
    digest: pkg.digest,
    builtAt: formatDayAndTime(pkg.builtAt),
    builtAtIso: pkg.builtAt,
    builtBy: pkg.builtBy,
    delivered:
      pkg.deliveredAt === null
        ? null
        : {
            at: formatDayAndTime(pkg.deliveredAt),
            atIso: pkg.deliveredAt,
            by: pkg.deliveredBy,
            publicHref: publicDeliveryPath(pkg.campaignSlug, pkg.id),
          },
  };
}

/** A delivered package as the public record shows it: no name, no account, nothing personal. */
export function publicSummary(pkg: DeliveryPackage & { deliveredAt: string }) {
  return {
    id: pkg.id,
    href: publicDeliveryPath(pkg.campaignSlug, pkg.id),
    countryName: pkg.country === null ? null : countryName(pkg.country),
    countText: formatNumber(pkg.signerCount),
    count: pkg.signerCount,
    digest: pkg.digest,
    deliveredAt: formatDayAndTime(pkg.deliveredAt),
    deliveredAtIso: pkg.deliveredAt,
    builtAt: formatDayAndTime(pkg.builtAt),
    builtAtIso: pkg.builtAt,
  };
}
