import type { Campaign } from './content.js';
import type { CampaignTotals } from './repository.js';

const number = new Intl.NumberFormat('en-US');
export const formatNumber = (n: number): string => number.format(n);

export interface ProgressView {
  count: number;
  goal: number;
  countText: string;
  goalText: string;
  /** "signature" or "signatures", to agree with the count. */
  noun: string;
  percent: number;
}

export function progressView(campaign: Campaign, totals: CampaignTotals): ProgressView {
  const count = totals.signatureCount;
  return {
    count,
    goal: campaign.goal,
    countText: formatNumber(count),
    goalText: formatNumber(campaign.goal),
    noun: count === 1 ? 'signature' : 'signatures',
    percent: Math.min(100, Math.floor((count / campaign.goal) * 100)),
  };
}

export const campaignPath = (campaign: Campaign): string => `/campaigns/${campaign.slug}`;

export interface ShareLinks {
  url: string;
  email: string;
  x: string;
  facebook: string;
  whatsapp: string;
}

/** The campaign's address and ready-made share links, for the pages after signing and confirming. */
export function shareLinks(baseUrl: string, campaign: Campaign): ShareLinks {
  const url = baseUrl + campaignPath(campaign);
  const text = campaign.shareText;
  return {
    url,
    email: `mailto:?subject=${encodeURIComponent(campaign.title)}&body=${encodeURIComponent(`${text}\n\n${url}`)}`,
    x: `https://x.com/intent/post?text=${encodeURIComponent(text)}&url=${encodeURIComponent(url)}`,
    facebook: `https://www.facebook.com/sharer/sharer.php?u=${encodeURIComponent(url)}`,
    whatsapp: `https://wa.me/?text=${encodeURIComponent(`${text} ${url}`)}`,
  };
}
