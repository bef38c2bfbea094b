import type { Campaign, CampaignCatalog } from '../campaigns/content.js';
import { campaignPath } from '../campaigns/view.js';
import { translator, type Locale } from '../i18n/index.js';
import type { PrivacyRepository } from './repository.js';
import type { MailConfig } from '../config.js';
import { isPastRetention, PENDING_DAYS, retentionEndsOn } from './retention.js';

export const RECENT_SIGNERS_SHOWN = 10;

export interface RecentSignerView {
  /** "Ada L." */
  name: string;
  /** The country's code: the page names it in its own language. */
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
    country: s.country,
  }));
}

/** "31 January 2026": a date nobody misreads, whichever side of the Atlantic they live (organizer pages). */
export const formatDate = (isoDate: string): string => translator('en').date(isoDate);

export interface CampaignPrivacyView {
  slug: string;
  title: string;
  path: string;
  /** The language of the title and the page it links: the page's, or English for a campaign not written in it. */
  lang: Locale;
  target: string;
  organizer: { name: string; email: string; url: string | undefined };
  consentText: string;
  consentVersion: string;
  showRecentSigners: boolean;
  confirmEmail: boolean;
  /** One plain sentence about how long personal data is kept, true for this campaign today. */
  retention: string;
}

function retentionSentence(campaign: Campaign, now: Date, locale: Locale): string {
  const { t, date } = translator(locale);
  const count = campaign.retentionMonths;
  const ends = retentionEndsOn(campaign);
  if (!ends || !campaign.closedOn) return t('privacy.retention_open', { count });
  const closed = date(campaign.closedOn);
  if (isPastRetention(campaign, now)) return t('privacy.retention_past', { count, closed });
  return t('privacy.retention_closed', { count, closed, ends: date(ends) });
}

/** A campaign on the privacy page in `locale`: its copy in that language, or its English one. */
export function campaignPrivacyView(main: Campaign, now: Date, locale: Locale = 'en'): CampaignPrivacyView {
  const campaign = main.inLanguage.get(locale) ?? main;
  return {
    slug: campaign.slug,
    title: campaign.title,
    path: campaignPath(campaign),
    lang: campaign.locale,
    target: campaign.target,
    organizer: campaign.organizer,
    consentText: campaign.consent.text,
    consentVersion: campaign.consent.version,
    showRecentSigners: campaign.showRecentSigners,
    confirmEmail: campaign.confirmEmail,
    retention: retentionSentence(campaign, now, locale),
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
export function privacyPageView(
  catalog: CampaignCatalog,
  now: Date,
  mail: MailConfig,
  locale: Locale = 'en',
): PrivacyPageView {
  const ordered = [catalog.defaultCampaign, ...catalog.all.filter((c) => c !== catalog.defaultCampaign)];
  const campaigns = ordered.map((c) => campaignPrivacyView(c, now, locale));
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
