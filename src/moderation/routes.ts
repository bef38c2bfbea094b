import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { AppDeps } from '../app.js';
import type { Campaign } from '../campaigns/content.js';
import { formatNumber } from '../campaigns/view.js';
import { noStore } from '../http/security.js';
import { heldCampaign, holds } from '../organizers/access.js';
import { timeParts } from '../organizers/figures.js';
import { formatCursor, parseCursor } from '../organizers/routes.js';
import { createSessions, sessionOf } from '../organizers/session.js';
import { CSRF_FIELD } from '../organizers/csrf.js';
import { countryName } from '../signatures/countries.js';
import {
  describeFilter,
  filterQuery,
  parseFilter,
  type FilterError,
  type FilterValues,
  type SignatureFilter,
} from './filter.js';
import type { FoundSignature } from './repository.js';

export const SEARCH_PER_PAGE = 50;

export const searchPath = (slug: string, filter?: SignatureFilter): string => {
  const query = filter ? filterQuery(filter) : '';
  return `/organizers/campaigns/${slug}/search${query ? `?${query}` : ''}`;
};

const privatePages: RequestHandler = (req, res, next) => {
  res.setHeader('X-Robots-Tag', 'noindex, nofollow');
  noStore(req, res, next);
};

const STATUS_TEXT: Record<FoundSignature['status'], string> = {
  confirmed: 'Counted',
  pending: 'Waiting for confirmation',
};

function rowView(s: FoundSignature) {
  return {
    name: s.firstName === null ? 'Anonymised' : `${s.firstName} ${s.lastName ?? ''}`.trim(),
    email: s.email ?? '',
    country: countryName(s.country),
    postalCode: s.postalCode ?? '',
    status: STATUS_TEXT[s.status],
    datetime: s.createdAt,
    ...timeParts(s.createdAt),
  };
}

/**
 * Search a campaign's signatures (README, "Against fake signatures"): by name, email, email domain,
 * postal code and time window, newest first, 50 a page by keyset cursor. Behind the organizer session
 * and the campaign scope like every organizer page.
 */
export function moderationRoutes(deps: AppDeps): Router {
  const router = Router();
  const { config, repos, campaigns, clock } = deps;
  const sessions = createSessions(config, repos.organizers, clock);
  const page = sessions.require('page');
  const moderation = repos.moderation;

  // The organizer campaign page links the search (views/organizers/_moderation.ejs) through res.locals,
  // as the delivery section does, so that page's own route needs no knowledge of this one.
  router.get('/organizers/campaigns/:slug', async (req, res, next) => {
    const session = await sessions.current(req);
    const campaign = session && campaigns.bySlug(String(req.params.slug));
    if (session && campaign && holds(session, campaign.slug)) {
      res.locals.moderation = { searchHref: searchPath(campaign.slug) };
    }
    next();
  });

  router.use('/organizers/campaigns/:slug/search', privatePages);

  async function renderSearch(
    req: Request,
    res: Response,
    campaign: Campaign,
    values: FilterValues,
    errors: FilterError[],
    filter: SignatureFilter | undefined,
  ) {
    const after = parseCursor(req.query.after);
    const [found, count] = filter
      ? await Promise.all([
          moderation.search(campaign.slug, filter, SEARCH_PER_PAGE, after),
          moderation.count(campaign.slug, filter),
        ])
      : [undefined, 0];
    const base = searchPath(campaign.slug, filter);
    const join = base.includes('?') ? '&' : '?';
    res.status(errors.length ? 422 : 200).render('moderation/search', {
      page: { title: `${errors.length ? 'Error: ' : ''}Search signatures: ${campaign.title}` },
      nav: { email: sessionOf(req).email, csrfField: CSRF_FIELD, csrfToken: sessionOf(req).csrfToken },
      campaign: { title: campaign.title, countPath: `/organizers/campaigns/${campaign.slug}` },
      form: {
        action: searchPath(campaign.slug),
        values,
        errors,
        errorFor: Object.fromEntries(errors.map((e) => [e.field, e.message])),
      },
      results: found && {
        description: filter && describeFilter(filter),
        countText: formatNumber(count),
        count,
        rows: found.signatures.map(rowView),
        firstHref: after ? `${base}#results` : undefined,
        olderHref: found.next ? `${base}${join}after=${formatCursor(found.next)}#results` : undefined,
      },
    });
  }

  router.get('/organizers/campaigns/:slug/search', page, async (req, res, next) => {
    const campaign = heldCampaign(campaigns, req);
    if (!campaign) return next();
    const parsed = parseFilter(req.query as Record<string, unknown>);
    if (!parsed.ok) return renderSearch(req, res, campaign, parsed.values, parsed.errors, undefined);
    // An empty form is the search page itself, not a search for everything (the count page lists those).
    const filter = Object.keys(parsed.filter).length ? parsed.filter : undefined;
    await renderSearch(req, res, campaign, parsed.values, [], filter);
  });

  return router;
}
