import type { Request } from 'express';
import type { Campaign, CampaignCatalog } from '../campaigns/content.js';
import type { OrganizerAccess } from './repository.js';
import { sessionOf } from './session.js';

/** Whether the account may see, export, moderate and deliver this campaign (README, "Organizers"). */
export const holds = (access: OrganizerAccess, campaignSlug: string): boolean =>
  access.isAdmin || access.campaigns.includes(campaignSlug);

/** The campaigns the account holds, in the catalog's order. */
export const heldCampaigns = (catalog: CampaignCatalog, access: OrganizerAccess): Campaign[] =>
  catalog.all.filter((campaign) => holds(access, campaign.slug));

/**
 * The campaign named by `:slug`, only if the signed-in account holds it. Every organizer route asks
 * this, and answers a campaign it does not hold exactly as one that does not exist (404), so an
 * account cannot find out which other campaigns there are. Only behind sessions.require.
 */
export function heldCampaign(catalog: CampaignCatalog, req: Request): Campaign | undefined {
  const campaign = catalog.bySlug(String(req.params.slug));
  return campaign && holds(sessionOf(req), campaign.slug) ? campaign : undefined;
}
