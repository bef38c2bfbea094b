import type { RequestHandler, Response } from 'express';
import type { AppDeps } from '../app.js';
import {
  renderToString,
  ResponseCache,
  servePrepared,
  type FindPrepared,
  type PreparedResponse,
  type ReadyPrepared,
} from '../http/responseCache.js';
import { isDatabaseUnavailable } from '../http/errors.js';
import type { HeaderList } from '../http/security.js';
import { recentSignersView, type RecentSignerView } from '../privacy/view.js';
import { i18nLocals } from '../i18n/http.js';
import { alternatesOf, DEFAULT_LOCALE, LOCALES, localePath, translator, type Locale } from '../i18n/index.js';
import { countryName, countryOptions } from '../signatures/countries.js';
import { COMMENT_MAX, type FieldError, type FormValues } from '../signatures/form.js';
import { issueFormToken } from '../signatures/formToken.js';
import { parseSource, sourceOfQuery } from '../signatures/source.js';
import type { Campaign } from './content.js';
import type { CampaignTotals } from './repository.js';
import { campaignPath, progressView } from './view.js';

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
  /** Where the signature comes from (`?source=`), carried as a hidden field. */
  source?: string;
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

/** The link preview image: the campaign's own (`image` in its file), or the site's (public/img/social.png, drawn by test/browser/render-assets.ts). */
function socialImage(campaign: Campaign) {
  if (!campaign.image) {
    const alt = translator(campaign.locale).t('site.social_image_alt');
    return { src: 'img/social.png', external: false, width: 1200, height: 630, alt };
  }
  return { src: campaign.image, external: /^https:/i.test(campaign.image), alt: campaign.imageAlt };
}

/** The languages a campaign is written in, in the site's order. */
export const languagesOf = (campaign: Campaign): Locale[] => LOCALES.filter((l) => campaign.inLanguage.has(l));

/** The language switch of a page about a campaign: its other languages, at the same address in each. */
export const campaignAlternates = (campaign: Campaign, path: string) => alternatesOf(path, languagesOf(campaign));

function pageModel(deps: AppDeps, campaign: Campaign, state: PageState, form?: FormState, source = form?.source) {
  const path = campaignPath(campaign);
  const errors = form?.errors ?? [];
  const problem = errors.length > 0 || form?.notice !== undefined;
  const i18n = i18nLocals(campaign.locale, campaignAlternates(campaign, `/campaigns/${campaign.slug}`));
  const { t } = i18n;
  return {
    ...i18n,
    page: {
      title: problem ? t('site.error_title', { title: campaign.title }) : campaign.title,
      description: campaign.summary,
      canonicalUrl: deps.config.baseUrl + path,
      jsonUrl: `${path}.json`,
      socialImage: socialImage(campaign),
      // While people can sign, the count follows the JSON (public/js/live-count.js).
      liveCount: campaign.open,
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
      source,
      // When the form was first drawn, signed so it cannot be forged: too quick a reply is a bot.
      started: form?.started ?? issueFormToken(deps.signer, campaign.slug, state.now),
      // No country is chosen for the person unless the campaign says where its signers are: a wrong
      // preselection gets a foreign postcode counted for it.
      values: { country: campaign.defaultCountry ?? '', ...form?.values },
      // The comment box's limit, stated under it; the optional script counts down with the other
      // sentences (%{count} is the number).
      comment: {
        max: COMMENT_MAX,
        info: t('campaign.comment_info', { max: COMMENT_MAX }),
        left: t('campaign.comment_left', { count: 2 }),
        leftOne: t('campaign.comment_left', { count: 1 }),
        over: t('campaign.comment_over', { count: 2 }),
        overOne: t('campaign.comment_over', { count: 1 }),
      },
      errors,
      notice: form?.notice,
      errorFor: Object.fromEntries(errors.map((e) => [e.field, e.message])),
    },
    countryOptions: countryOptions(campaign.locale, form?.values.country ?? campaign.defaultCountry),
    recentSigners: state.recentSigners?.map((s) => ({
      name: s.name,
      country: countryName(s.country, campaign.locale),
    })),
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
 * How long a campaign's count (and recent signers) read from the database is reused before it is read
 * again. A signature made through another server shows within this time; one made through this process
 * shows on the next view (see `changed`). So a page view costs at most one cheap query per campaign
 * every STATE_TTL_MS, and usually none.
 */
export const STATE_TTL_MS = 200;

/** Kept copies of campaign pages opened with a `?source=`, across campaigns and languages. */
const SOURCED_PAGES_KEPT = 200;

/** What is shown from the database, as last read; `key` is the part of the cache key it makes. */
interface SharedState {
  totals: CampaignTotals;
  recentSigners: RecentSignerView[] | undefined;
  key: string;
  readAt: number;
  generation: number;
}

/** The campaign pages a crowd reloads: the Express handler that reads and renders, and the shortcut that needs neither. */
export interface CampaignPages {
  /** GET/HEAD `/`, `/campaigns/:slug` and `/campaigns/:slug.json` inside Express: reads what is out of date, renders, answers. */
  handler: RequestHandler;
  /** The same paths answered before Express, when the kept copy is current and nothing needs reading (answerReady). */
  ready: ReadyPrepared;
  /** Something may have changed a count in this process (a POST finished): the next view reads again. */
  changed(): void;
}

/**
 * GET (and HEAD) `/`, `/campaigns/:slug` and `/campaigns/:slug.json`: the pages a crowd reloads.
 *
 * Each is answered from a prepared response (src/http/responseCache.ts), rendered again only when what
 * it shows has changed. Most views are answered by `ready`, from Node's request listener before Express
 * (frontOf in app.ts); the first view after a change goes through `handler`, mounted first in Express.
 * The paths are worked out from the catalog (again after a reload); anything else goes on to the rest of
 * the app.
 */
export function campaignPages(deps: AppDeps, securityHeaders: HeaderList): CampaignPages {
  const { campaigns, logger, clock } = deps;
  const cache = new ResponseCache(securityHeaders);
  // Share links bring a handful of sources, each worth a kept copy; anything beyond that many is
  // someone making up codes, and gets the least used copies forgotten, never more memory.
  const sourced = new ResponseCache(securityHeaders, SOURCED_PAGES_KEPT);
  // The catalog can be reloaded while the site runs (campaigns/reload.ts); each version of it brings
  // a new list, so the paths are worked out again only when the list is another one.
  let routesOf: Campaign[] | undefined;
  let routes = new Map<string, PublicRoute>();
  const currentRoutes = () => {
    if (routesOf === campaigns.all) return routes;
    routesOf = campaigns.all;
    routes = new Map<string, PublicRoute>();
    for (const locale of LOCALES) {
      // The home page of a language is the default campaign in it, or else the first one written in it.
      const home =
        campaigns.defaultCampaign.inLanguage.get(locale) ??
        campaigns.all.map((c) => c.inLanguage.get(locale)).find((c) => c !== undefined);
      if (home) routes.set(localePath(locale, '/'), { campaign: home, kind: 'page' });
      for (const main of campaigns.all) {
        const campaign = main.inLanguage.get(locale);
        if (!campaign) continue;
        routes.set(campaignPath(campaign), { campaign, kind: 'page' });
        routes.set(`${campaignPath(campaign)}.json`, { campaign, kind: 'json' });
      }
    }
    // "/es" as well as "/es/": people type it without the slash.
    for (const locale of LOCALES) {
      const home = routes.get(localePath(locale, '/'));
      if (home && locale !== DEFAULT_LOCALE) routes.set(`/${locale}`, home);
    }
    return routes;
  };
  const routeOf = (path: string) => {
    const known = currentRoutes();
    // Express's own routes ignore one trailing slash; so do these.
    return known.get(path) ?? (path.endsWith('/') ? known.get(path.slice(0, -1)) : undefined);
  };

  // Bumped when this process may have changed a count, so that the signer's next view reads it again.
  let generation = 0;
  const states = new Map<string, SharedState>();
  const reading = new Map<string, { state: Promise<SharedState>; generation: number }>();

  const current = (slug: string, now: number): SharedState | undefined => {
    const state = states.get(slug);
    return state && state.generation === generation && now - state.readAt < STATE_TTL_MS && now >= state.readAt
      ? state
      : undefined;
  };

  /** The campaign's shared state, read again when out of date; views arriving during a read share it. */
  function sharedState(campaign: Campaign, now: number): SharedState | Promise<SharedState> {
    const fresh = current(campaign.slug, now);
    if (fresh) return fresh;
    const pending = reading.get(campaign.slug);
    // A read that began before this process's last change may have missed it: not shared.
    if (pending?.generation === generation) return pending.state;
    const startedAt = generation;
    const read = (async () => {
      const totals = await deps.repos.campaigns.totals(campaign.slug);
      const recentSigners = await recentSignersView(deps.repos.privacy, campaign);
      const key = JSON.stringify([totals.signatureCount, totals.updatedAt, recentSigners]);
      const state = { totals, recentSigners, key, readAt: now, generation: startedAt };
      // A slower read that began earlier must not replace a newer one.
      const kept = states.get(campaign.slug);
      if (!kept || (kept.generation <= startedAt && kept.readAt <= now)) states.set(campaign.slug, state);
      return state;
    })();
    reading.set(campaign.slug, { state: read, generation: startedAt });
    const settle = () => {
      if (reading.get(campaign.slug)?.state === read) reading.delete(campaign.slug);
    };
    read.then(settle, settle);
    return read;
  }

  const second = (now: number) => Math.floor(now / 1000);
  // One kept copy per campaign, kind and language (the count is shared, the words are not), and per
  // source for pages opened from a link that names one (its form carries it).
  const slotOf = (kind: PublicRoute['kind'], campaign: Campaign, source?: string) =>
    `${kind}:${campaign.slug}:${campaign.locale}${source ? `:${source}` : ''}`;
  const cacheFor = (source: string | undefined) => (source ? sourced : cache);
  // A reload makes new Campaign objects, and with them a new revision and so a new key.
  const pageKey = (campaign: Campaign, state: SharedState, now: number) =>
    `${revision(campaign)}|${state.key}|${second(now)}`;
  const jsonKey = (campaign: Campaign, state: SharedState) => `${revision(campaign)}|${state.key}`;
  const pageOptions = { contentType: 'text/html; charset=utf-8', cacheControl: PUBLIC_PAGE_CACHE };
  const jsonOptions = { contentType: 'application/json; charset=utf-8', cacheControl: PUBLIC_JSON_CACHE };

  /** The same page for every viewer: rendered again only when the count, the form token's second or the recent signers change. */
  async function page(campaign: Campaign, res: Response, now: number, source?: string): Promise<PreparedResponse> {
    const shared = await sharedState(campaign, now);
    const state: PageState = {
      totals: shared.totals,
      recentSigners: shared.recentSigners,
      now: new Date(now),
      second: second(now),
    };
    return cacheFor(source).get(slotOf('page', campaign, source), pageKey(campaign, shared, now), pageOptions, () =>
      renderToString(res, 'campaign', pageModel(deps, campaign, state, undefined, source)),
    );
  }

  async function json(campaign: Campaign, now: number): Promise<PreparedResponse> {
    // Every signature or removal moves the count or updatedAt, and with them the by-country figures.
    const shared = await sharedState(campaign, now);
    const { totals } = shared;
    return cache.get(slotOf('json', campaign), jsonKey(campaign, shared), jsonOptions, async () => {
      const byCountry = await deps.repos.campaigns.byCountry(campaign.slug);
      return JSON.stringify({
        slug: campaign.slug,
        title: campaign.title,
        signatureCount: totals.signatureCount,
        goal: campaign.goal,
        open: campaign.open,
        signaturesByCountry: byCountry.map((c) => ({
          code: c.country,
          name: countryName(c.country, campaign.locale),
          count: c.count,
        })),
        updatedAt: totals.updatedAt,
      });
    });
  }

  const find: FindPrepared = (path, res) => {
    const route = routeOf(path);
    if (!route) return undefined;
    const now = clock.now().getTime();
    const source = route.kind === 'page' ? parseSource(res.req.query.source) : undefined;
    const fresh = route.kind === 'page' ? page(route.campaign, res, now, source) : json(route.campaign, now);
    // The database cannot be read just now (locked, failing): the last copy made, rather than an
    // error page for the whole crowd. Only before there is any copy does the error show.
    return fresh.catch((error: unknown) => {
      const kept = isDatabaseUnavailable(error)
        ? cacheFor(source).lastMadeFor(slotOf(route.kind, route.campaign, source))
        : undefined;
      if (!kept) throw error;
      logger.warn(
        { err: { code: (error as { code?: string }).code }, path },
        'served the last copy: database unavailable',
      );
      return kept;
    });
  };

  const ready: ReadyPrepared = (path, query) => {
    const route = routeOf(path);
    if (!route) return undefined;
    const now = clock.now().getTime();
    const state = current(route.campaign.slug, now);
    if (!state) return undefined;
    if (route.kind === 'json') return cache.ready(slotOf('json', route.campaign), jsonKey(route.campaign, state));
    const source = query ? sourceOfQuery(query) : undefined;
    return cacheFor(source).ready(slotOf('page', route.campaign, source), pageKey(route.campaign, state, now));
  };

  return {
    handler: servePrepared(logger, securityHeaders, find),
    ready,
    changed: () => {
      generation++;
    },
  };
}
