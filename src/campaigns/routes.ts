import type { RequestHandler, Response } from 'express';
import type { AppDeps } from '../app.js';
import {
  renderToString,
  ResponseCache,
  servePrepared,
  type FindPrepared,
  type PreparedResponse,
} from '../http/responseCache.js';
import { isDatabaseUnavailable } from '../http/errors.js';
import type { HeaderList } from '../http/security.js';
import { recentSignersView, type RecentSignerView } from '../privacy/view.js';
import { COUNTRIES, countryName } from '../signatures/countries.js';
import { COMMENT_MAX, type FieldError, type FormValues } from '../signatures/form.js';
import { issueFormToken } from '../signatures/formToken.js';
import type { Campaign } from './content.js';
import type { CampaignTotals } from './repository.js';
import { campaignPath, formatNumber, progressView } from './view.js';

/** Public pages are the same for everyone, so a cache in front may serve them to a crowd for a few seconds. */
export const PUBLIC_PAGE_CACHE = 'public, max-age=0, s-maxage=5, stale-while-revalidate=30';
const PUBLIC_JSON_CACHE = 'public, max-age=10, stale-while-revalidate=60';

export interface FormState {
  values: FormValues;
  errors: FieldError[];
  /** A problem with the whole form rather than one field (sent too often, open too long). */
  notice?: string;
  /** The timing token the form came with, drawn again so the clock keeps running from the first view. */
  started: string;
}

/** What a campaign page shows that changes: read for every view, to tell whether the kept copy is current. */
interface PageState {
  totals: CampaignTotals;
  recentSigners: RecentSignerView[] | undefined;
  /** When the page is drawn; a copy is kept for the rest of its second (the form token is signed for this time). */
  now: Date;
  second: number;
}

async function pageState(deps: AppDeps, campaign: Campaign): Promise<PageState> {
  const now = deps.clock.now();
  return {
    totals: await deps.repos.campaigns.totals(campaign.slug),
    recentSigners: await recentSignersView(deps.repos.privacy, campaign),
    now,
    second: Math.floor(now.getTime() / 1000),
  };
}

/** The site's own preview image (public/img/social.png, drawn by test/browser/render-assets.ts). */
const SITE_IMAGE = {
  src: 'img/social.png',
  external: false,
  width: 1200,
  height: 630,
  alt: 'Undersigned: add your name to the letter. Sign the letter.',
};

/** The link preview image: the campaign's own (`image` in its file), or the site's. */
function socialImage(campaign: Campaign) {
  if (!campaign.image) return SITE_IMAGE;
  return { src: campaign.image, external: /^https:/i.test(campaign.image), alt: campaign.imageAlt };
}

function pageModel(deps: AppDeps, campaign: Campaign, state: PageState, form?: FormState) {
  const path = campaignPath(campaign);
  const errors = form?.errors ?? [];
  const problem = errors.length > 0 || form?.notice !== undefined;
  return {
    page: {
      title: problem ? `Error: ${campaign.title}` : campaign.title,
      description: campaign.summary,
      canonicalUrl: deps.config.baseUrl + path,
      jsonUrl: `${path}.json`,
      socialImage: socialImage(campaign),
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
    progress: progressView(campaign, state.totals),
    form: {
      action: `${path}/signatures`,
      // When the form was first drawn, signed so it cannot be forged: too quick a reply is a bot.
      started: form?.started ?? issueFormToken(deps.signer, campaign.slug, state.now),
      // No country is chosen for the person unless the campaign says where its signers are: a wrong
      // preselection gets a foreign postcode counted for it.
      values: { country: campaign.defaultCountry ?? '', ...form?.values },
      // The comment box's limit, stated under it; the optional script counts down with the other
      // sentences (%{count} is the number).
      comment: {
        max: COMMENT_MAX,
        info: `You can enter up to ${formatNumber(COMMENT_MAX)} characters`,
        left: 'You have %{count} characters left',
        leftOne: 'You have %{count} character left',
        over: 'You have %{count} characters too many',
        overOne: 'You have %{count} character too many',
      },
      errors,
      notice: form?.notice,
      errorFor: Object.fromEntries(errors.map((e) => [e.field, e.message])),
    },
    countries: COUNTRIES,
    recentSigners: state.recentSigners,
  };
}

/** The campaign page again, with the person's values and errors after a failed signature. Never shared. */
export async function renderCampaignPage(
  deps: AppDeps,
  res: Response,
  campaign: Campaign,
  form: FormState,
): Promise<void> {
  res.render('campaign', pageModel(deps, campaign, await pageState(deps, campaign), form));
}

const revisions = new WeakMap<Campaign, number>();
let lastRevision = 0;
/**
 * A number for this version of a campaign's content. A reload makes new Campaign objects, so an
 * edited file gets a new number and its pages a new cache key: the next view renders the new copy.
 */
function revision(campaign: Campaign): number {
  let n = revisions.get(campaign);
  if (n === undefined) revisions.set(campaign, (n = ++lastRevision));
  return n;
}

type PublicRoute = { campaign: Campaign; kind: 'page' | 'json' };

/**
 * GET (and HEAD) `/`, `/campaigns/:slug` and `/campaigns/:slug.json`: the pages a crowd reloads.
 *
 * Mounted first in the app (app.ts), ahead of the router, because a viral campaign is almost all these
 * requests: each is answered from a prepared response (servePrepared in src/http/responseCache.ts),
 * rendered again only when what it shows has changed. The paths are worked out from the catalog (again after a reload);
 * anything else goes on to the rest of the app.
 */
export function campaignPages(deps: AppDeps, securityHeaders: HeaderList): RequestHandler {
  const { campaigns, logger } = deps;
  const cache = new ResponseCache(securityHeaders);
  // The catalog can be reloaded while the site runs (campaigns/reload.ts); each version of it brings
  // a new list, so the paths are worked out again only when the list is another one.
  let routesOf: Campaign[] | undefined;
  let routes = new Map<string, PublicRoute>();
  const currentRoutes = () => {
    if (routesOf === campaigns.all) return routes;
    routesOf = campaigns.all;
    routes = new Map<string, PublicRoute>([['/', { campaign: campaigns.defaultCampaign, kind: 'page' }]]);
    for (const campaign of campaigns.all) {
      routes.set(campaignPath(campaign), { campaign, kind: 'page' });
      routes.set(`${campaignPath(campaign)}.json`, { campaign, kind: 'json' });
    }
    return routes;
  };

  /**
   * The same page for every viewer: rendered again only when its content (a reload), the count, the
   * form token's second or the recent signers change.
   */
  async function page(campaign: Campaign, res: Response): Promise<PreparedResponse> {
    const state = await pageState(deps, campaign);
    const key = JSON.stringify([revision(campaign), state.totals.signatureCount, state.second, state.recentSigners]);
    return cache.get(
      `page:${campaign.slug}`,
      key,
      { contentType: 'text/html; charset=utf-8', cacheControl: PUBLIC_PAGE_CACHE },
      () => renderToString(res, 'campaign', pageModel(deps, campaign, state)),
    );
  }

  async function json(campaign: Campaign): Promise<PreparedResponse> {
    const totals = await deps.repos.campaigns.totals(campaign.slug);
    // Every signature or removal moves the count or updatedAt, and with them the by-country figures.
    const key = `${revision(campaign)}|${totals.signatureCount}|${totals.updatedAt}`;
    return cache.get(
      `json:${campaign.slug}`,
      key,
      { contentType: 'application/json; charset=utf-8', cacheControl: PUBLIC_JSON_CACHE },
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
  }

  const find: FindPrepared = (path, res) => {
    // Express's own routes ignore one trailing slash; so do these.
    const routes = currentRoutes();
    const route = routes.get(path) ?? (path.endsWith('/') ? routes.get(path.slice(0, -1)) : undefined);
    if (!route) return undefined;
    const fresh = route.kind === 'page' ? page(route.campaign, res) : json(route.campaign);
    // The database cannot be read just now (locked, failing): the last copy made, rather than an
    // error page for the whole crowd. Only before there is any copy does the error show.
    return fresh.catch((error: unknown) => {
      const kept = isDatabaseUnavailable(error) ? cache.lastMadeFor(`${route.kind}:${route.campaign.slug}`) : undefined;
      if (!kept) throw error;
      logger.warn(
        { err: { code: (error as { code?: string }).code }, path },
        'served the last copy: database unavailable',
      );
      return kept;
    });
  };
  return servePrepared(logger, securityHeaders, find);
}
