import { Router, type Response } from 'express';
import type { AppDeps } from '../app.js';
import { renderToString, responseCache } from '../http/responseCache.js';
import { recentSignersView } from '../privacy/view.js';
import { COUNTRIES, countryName } from '../signatures/countries.js';
import type { FieldError, FormValues } from '../signatures/form.js';
import type { Campaign } from './content.js';
import { campaignPath, progressView } from './view.js';

/** Public pages are the same for everyone, so a cache in front may serve them to a crowd for a few seconds. */
export const PUBLIC_PAGE_CACHE = 'public, max-age=0, s-maxage=5, stale-while-revalidate=30';
const PUBLIC_JSON_CACHE = 'public, max-age=10, stale-while-revalidate=60';

export interface FormState {
  values: FormValues;
  errors: FieldError[];
}

/** Renders a campaign page: fresh for GET, or with the person's values and errors after a failed POST. */
export async function renderCampaignPage(
  deps: AppDeps,
  res: Response,
  campaign: Campaign,
  form?: FormState,
): Promise<void> {
  const totals = await deps.repos.campaigns.totals(campaign.slug);
  const recentSigners = await recentSignersView(deps.repos.privacy, campaign);
  const second = Math.floor(deps.clock.now().getTime() / 1000);
  const path = campaignPath(campaign);
  const errors = form?.errors ?? [];
  // Built only when the page is rendered, not for each view the shared copy answers.
  const model = () => ({
    page: {
      title: errors.length ? `Error: ${campaign.title}` : campaign.title,
      description: campaign.summary,
      canonicalUrl: deps.config.baseUrl + path,
      jsonUrl: `${path}.json`,
      socialImage: true,
    },
    campaign: {
      slug: campaign.slug,
      title: campaign.title,
      summary: campaign.summary,
      bodyHtml: campaign.bodyHtml,
      letterHtml: campaign.letterHtml,
      target: campaign.target,
      formHeading: campaign.formHeading,
      open: campaign.open,
      consentText: campaign.consent.text,
      showRecentSigners: campaign.showRecentSigners,
    },
    progress: progressView(campaign, totals),
    form: {
      action: `${path}/signatures`,
      // When the form was drawn, signed so it cannot be forged: too quick a reply is a bot.
      started: deps.signer.sign(`${campaign.slug}:${second}`),
      values: { country: 'US', ...form?.values },
      errors,
      errorFor: Object.fromEntries(errors.map((e) => [e.field, e.message])),
    },
    countries: COUNTRIES,
    recentSigners,
  });
  if (form) return res.render('campaign', model());
  // The same page for every viewer: rendered again only when the count, the second of the form
  // token or the recent signers change.
  const key = JSON.stringify([totals.signatureCount, second, recentSigners]);
  await responseCache(res.app).send(res, `page:${campaign.slug}`, key, 'text/html; charset=utf-8', () =>
    renderToString(res, 'campaign', model()),
  );
}

export function campaignRoutes(deps: AppDeps): Router {
  const router = Router();
  const { campaigns } = deps;

  router.get('/', async (_req, res) => {
    res.setHeader('Cache-Control', PUBLIC_PAGE_CACHE);
    await renderCampaignPage(deps, res, campaigns.defaultCampaign);
  });

  // Registered before /campaigns/:slug so "x.json" is never read as a slug.
  router.get('/campaigns/:slug.json', async (req, res, next) => {
    const campaign = campaigns.bySlug(String(req.params.slug));
    if (!campaign) return next();
    const totals = await deps.repos.campaigns.totals(campaign.slug);
    res.setHeader('Cache-Control', PUBLIC_JSON_CACHE);
    // Every signature or removal moves the count or updatedAt, and with them the by-country figures.
    const key = `${totals.signatureCount}|${totals.updatedAt}`;
    await responseCache(res.app).send(
      res,
      `json:${campaign.slug}`,
      key,
      'application/json; charset=utf-8',
      async () => {
        const byCountry = await deps.repos.campaigns.byCountry(campaign.slug);
        return JSON.stringify({
          slug: campaign.slug,
          title: campaign.title,
          signatureCount: totals.signatureCount,
          goal: campaign.goal,
          open: campaign.open,
          signaturesByCountry: byCountry.map((c) => ({
            code: c.country,
            name: countryName(c.country),
            count: c.count,
          })),
          updatedAt: totals.updatedAt,
        });
      },
    );
  });

  router.get('/campaigns/:slug', async (req, res, next) => {
    const campaign = campaigns.bySlug(String(req.params.slug));
    if (!campaign) return next();
    res.setHeader('Cache-Control', PUBLIC_PAGE_CACHE);
    await renderCampaignPage(deps, res, campaign);
  });

  return router;
}
