import type { Campaign, CampaignCatalog } from '../campaigns/content.js';
import { campaignPath } from '../campaigns/view.js';
import { countryName } from '../signatures/countries.js';
import type { PrivacyRepository } from './repository.js';
import type { MailConfig } from '../config.js';
import { isPastRetention, PENDING_DAYS, retentionEndsOn } from './retention.js';

export const RECENT_SIGNERS_SHOWN = 10;

export interface RecentSignerView {
  /** "Ada L." */
  name: string;
  country: string;
}

/** The public list of recent signers, or undefined when the campaign has not turned it on. */
export async function recentSignersView(
  privacy: PrivacyRepository,
  campaign: Campaign,
): Promise<RecentSignerView[] | undefined> {
  if (!campaign.showRecentSigners) return undefined;
  const signers = await privacy.recentSigners(campaign.slug, RECENT_SIGNERS_SHOWN);
  return signers.map((s) => ({
    name: s.lastInitial ? `${s.firstName} ${s.lastInitial.toLocaleUpperCase('en')}.` : s.firstName,
    country: countryName(s.country),
  }));
}

const longDate = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
/** "31 January 2026": a date nobody misreads, whichever side of the Atlantic they live. */
export const formatDate = (isoDate: string): string => longDate.format(new Date(`${isoDate}T00:00:00Z`));

export interface CampaignPrivacyView {
  slug: string;
  title: string;
  path: string;
  target: string;
  organizer: { name: string; email: string; url: string | undefined };
  consentText: string;
  consentVersion: string;
  showRecentSigners: boolean;
  confirmEmail: boolean;
  /** One plain sentence about how long personal data is kept, true for this campaign today. */
  retention: string;
}

function retentionSentence(campaign: Campaign, now: Date): string {
  const months = `${campaign.retentionMonths} month${campaign.retentionMonths === 1 ? '' : 's'}`;
  const ends = retentionEndsOn(campaign);
  if (!ends || !campaign.closedOn) {
    return `This campaign is still open. We keep your details while it runs and for ${months} after it closes; then we erase them.`;
  }
  if (isPastRetention(campaign, now)) {
    return `This campaign closed on ${formatDate(campaign.closedOn)}. The ${months} we keep details for have passed, so signers’ names, email addresses, postal codes and comments have been erased, or will be at the next daily clean-up.`;
  }
  return `This campaign closed on ${formatDate(campaign.closedOn)}. We keep signers’ details for ${months} after that and erase them on ${formatDate(ends)}.`;
}

export function campaignPrivacyView(campaign: Campaign, now: Date): CampaignPrivacyView {
  return {
    slug: campaign.slug,
    title: campaign.title,
    path: campaignPath(campaign),
    target: campaign.target,
    organizer: campaign.organizer,
    consentText: campaign.consent.text,
    consentVersion: campaign.consent.version,
    showRecentSigners: campaign.showRecentSigners,
    confirmEmail: campaign.confirmEmail,
    retention: retentionSentence(campaign, now),
  };
}

export interface PrivacyPageView {
  campaigns: CampaignPrivacyView[];
  /** True when any campaign lists recent signers, so the page explains that list. */
  anyRecentSigners: boolean;
  /** True when any campaign asks signers to confirm by email, so the page explains that mail. */
  anyConfirmEmail: boolean;
  mail: { from: string; perSignature: number; perAddressPerDay: number; pendingDays: number };
}

/** Every campaign on the site, the default first: each has its own organizers, wording and retention. */
export function privacyPageView(catalog: CampaignCatalog, now: Date, mail: MailConfig): PrivacyPageView {
  const ordered = [catalog.defaultCampaign, ...catalog.all.filter((c) => c !== catalog.defaultCampaign)];
  const campaigns = ordered.map((c) => campaignPrivacyView(c, now));
  return {
    campaigns,
    anyRecentSigners: campaigns.some((c) => c.showRecentSigners),
    anyConfirmEmail: campaigns.some((c) => c.confirmEmail),
    mail: {
      // The address alone: a display name in quotes reads oddly in a sentence.
      from: /<([^>]+)>/.exec(mail.from)?.[1] ?? mail.from,
      perSignature: mail.caps.perSignature,
      perAddressPerDay: mail.caps.perAddressPerDay,
      pendingDays: PENDING_DAYS,
    },
  };
}
