import { localePath } from '../i18n/index.js';
import type { Campaign } from './content.js';
import type { CampaignTotals } from './repository.js';

// Organizer pages are in English (the supporters' pages format with the page's translator).
const number = new Intl.NumberFormat('en-US');
export const formatNumber = (n: number): string => number.format(n);

export interface ProgressView {
  count: number;
  goal: number;
  countText: string;
  goalText: string;
  percent: number;
}

export function progressView(campaign: Campaign, totals: CampaignTotals): ProgressView {
  const count = totals.signatureCount;
  return {
    count,
    goal: campaign.goal,
    countText: formatNumber(count),
    goalText: formatNumber(campaign.goal),
    percent: Math.min(100, Math.floor((count / campaign.goal) * 100)),
  };
}

/** The campaign's page in the language of this copy of it: /campaigns/<slug>, /es/campaigns/<slug>. */
export const campaignPath = (campaign: Campaign): string => localePath(campaign.locale, `/campaigns/${campaign.slug}`);

export interface ShareLinks {
  url: string;
  email: string;
  x: string;
  facebook: string;
  whatsapp: string;
}

/**
 * The campaign's address and ready-made share links, for the pages after signing and confirming.
 * Each carries its channel as `?source=` (the copied link "link"), so the organizers see which way of
 * sharing brought signatures; it names the channel, never the person who shared.
 */
export function shareLinks(baseUrl: string, campaign: Campaign): ShareLinks {
  const at = (source: string) => `${baseUrl}${campaignPath(campaign)}?source=${source}`;
  const text = campaign.shareText;
  return {
    url: at('link'),
    email: `mailto:?subject=${encodeURIComponent(campaign.title)}&body=${encodeURIComponent(`${text}\n\n${at('email')}`)}`,
    x: `https://x.com/intent/post?text=${encodeURIComponent(text)}&url=${encodeURIComponent(at('x'))}`,
    facebook: `https://www.facebook.com/sharer/sharer.php?u=${encodeURIComponent(at('facebook'))}`,
    whatsapp: `https://wa.me/?text=${encodeURIComponent(`${text} ${at('whatsapp')}`)}`,
  };
}
