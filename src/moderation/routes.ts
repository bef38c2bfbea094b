import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import type { AppDeps } from '../app.js';
import type { Campaign } from '../campaigns/content.js';
import { formatNumber } from '../campaigns/view.js';
import { noStore } from '../http/security.js';
import { heldCampaign, holds } from '../organizers/access.js';
import { timeParts } from '../organizers/figures.js';
import { formatCursor, parseCursor } from '../organizers/routes.js';
import { createSessions, sessionOf } from '../organizers/session.js';
import { CSRF_FIELD, createCsrf } from '../organizers/csrf.js';
import { formatTime } from '../organizers/figures.js';
import { countryName } from '../signatures/countries.js';
import {
  describeFilter,
  filterQuery,
  parseFilter,
  type FilterError,
  type FilterValues,
  type SignatureFilter,
} from './filter.js';
import type { FoundSignature, Invalidation } from './repository.js';
import { campaignSignals, type SignalsView } from './signals.js';

/** How long a campaign's signals are shown before they are worked out again. */
const SIGNALS_KEPT_MS = 60_000;

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

export const invalidationsPath = (slug: string): string => `/organizers/campaigns/${slug}/invalidations`;
const ID = /^[1-9]\d{0,14}$/;
const EMPTY_RULE =
  'Fill in at least one field: a rule must say which signatures it means (to clear a whole campaign before launch, use npm run signatures -- clear).';

/** One row of the audit: which rule, who applied it and when, how many it took out, and its undoing. */
function invalidationView(slug: string, inv: Invalidation) {
  return {
    id: inv.id,
    rule: describeFilter(inv.rule),
    searchHref: searchPath(slug, inv.rule),
    countText: formatNumber(inv.signatureCount),
    appliedBy: inv.appliedBy,
    appliedAt: inv.appliedAt,
    appliedText: formatTime(inv.appliedAt),
    running: inv.finishedAt === null,
    undone: inv.undoneAt && { by: inv.undoneBy, at: inv.undoneAt, text: formatTime(inv.undoneAt) },
    undoAction: `${invalidationsPath(slug)}/${inv.id}/undo`,
  };
}

function rowView(s: FoundSignature) {
  return {
    name: s.firstName === null ? 'Anonymised' : `${s.firstName} ${s.lastName ?? ''}`.trim(),
    email: s.email ?? '',
    country: countryName(s.country),
    postalCode: s.postalCode ?? '',
    status: s.invalidationId === null ? STATUS_TEXT[s.status] : 'Invalidated',
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
  const csrf = createCsrf(config, deps.signer);
  const form = express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 20 });
  const moderation = repos.moderation;

  /*
   * Each campaign's signals, worked out at most once a minute per process (and again after an
   * invalidation or its undoing here). They read the window's signatures themselves, so their cost
   * follows the crowd: 65 ms at a million signatures on SQLite, where it holds up every page view,
   * on every refresh of the count page. They are hints about the last six hours; a minute is fresh.
   */
  const signalsKept = new Map<string, { at: number; view: Promise<SignalsView> }>();
  const signalsOf = (slug: string): Promise<SignalsView> => {
    const now = clock.now();
    const kept = signalsKept.get(slug);
    const age = kept ? now.getTime() - kept.at : Infinity;
    if (kept && age >= 0 && age < SIGNALS_KEPT_MS) return kept.view;
    const view = campaignSignals(moderation, slug, now, (filter) => searchPath(slug, filter));
    signalsKept.set(slug, { at: now.getTime(), view });
    // A failed read is not kept: the next view tries again.
    view.catch(() => {
      if (signalsKept.get(slug)?.view === view) signalsKept.delete(slug);
    });
    return view;
  };

  // The organizer campaign page links the search (views/organizers/_moderation.ejs) through res.locals,
  // as the delivery section does, so that page's own route needs no knowledge of this one.
  router.get('/organizers/campaigns/:slug', async (req, res, next) => {
    const session = await sessions.current(req);
    const campaign = session && campaigns.bySlug(String(req.params.slug));
    if (session && campaign && holds(session, campaign.slug)) {
      res.locals.moderation = {
        searchHref: searchPath(campaign.slug),
        csrfField: CSRF_FIELD,
        csrfToken: session.csrfToken,
        invalidations: (await moderation.invalidations(campaign.slug)).map((inv) =>
          invalidationView(campaign.slug, inv),
        ),
        signals: await signalsOf(campaign.slug),
      };
    }
    next();
  });

  router.use('/organizers/campaigns/:slug/search', privatePages);
  router.use('/organizers/campaigns/:slug/invalidations', privatePages);

  async function renderSearch(
    req: Request,
    res: Response,
    campaign: Campaign,
    values: FilterValues,
    errors: FilterError[],
    filter: SignatureFilter | undefined,
    notice?: string,
  ) {
    const after = parseCursor(req.query.after);
    const [found, count, upToId] = filter
      ? await Promise.all([
          moderation.search(campaign.slug, filter, SEARCH_PER_PAGE, after),
          moderation.count(campaign.slug, filter),
          moderation.lastSignatureId(),
        ])
      : [undefined, { all: 0, counting: 0 }, 0];
    const base = searchPath(campaign.slug, filter);
    const join = base.includes('?') ? '&' : '?';
    const failed = errors.length > 0 || notice !== undefined;
    res.status(failed ? 422 : 200).render('moderation/search', {
      page: { title: `${failed ? 'Error: ' : ''}Search signatures: ${campaign.title}` },
      nav: { email: sessionOf(req).email, csrfField: CSRF_FIELD, csrfToken: sessionOf(req).csrfToken },
      campaign: { title: campaign.title, countPath: `/organizers/campaigns/${campaign.slug}` },
      form: {
        action: searchPath(campaign.slug),
        values,
        errors,
        errorFor: Object.fromEntries(errors.map((e) => [e.field, e.message])),
        notice,
      },
      results: found && {
        description: filter && describeFilter(filter),
        countText: formatNumber(count.all),
        count: count.all,
        invalidatedText: count.all > count.counting ? formatNumber(count.all - count.counting) : undefined,
        rows: found.signatures.map(rowView),
        firstHref: after ? `${base}#results` : undefined,
        olderHref: found.next ? `${base}${join}after=${formatCursor(found.next)}#results` : undefined,
      },
      // The dry run's button: applies exactly this rule to exactly the matches shown (up to this id).
      invalidate: found &&
        count.counting > 0 && {
          action: invalidationsPath(campaign.slug),
          csrfField: CSRF_FIELD,
          csrfToken: sessionOf(req).csrfToken,
          fields: { ...values, up_to: String(upToId) },
          countText: formatNumber(count.counting),
          count: count.counting,
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

  router.post(invalidationsPath(':slug'), page, form, csrf.checkSession, async (req, res, next) => {
    const campaign = heldCampaign(campaigns, req);
    if (!campaign) return next();
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = parseFilter(body);
    if (!parsed.ok) return renderSearch(req, res, campaign, parsed.values, parsed.errors, undefined);
    if (Object.keys(parsed.filter).length === 0) {
      return renderSearch(req, res, campaign, parsed.values, [], undefined, EMPTY_RULE);
    }
    const upTo = typeof body.up_to === 'string' && /^\d{1,15}$/.test(body.up_to) ? Number(body.up_to) : 0;
    const invalidation = await moderation.invalidate(
      {
        campaignSlug: campaign.slug,
        rule: parsed.filter,
        upToId: upTo,
        appliedBy: sessionOf(req).email,
        appliedAt: clock.now().toISOString(),
      },
      () => clock.now(),
    );
    signalsKept.delete(campaign.slug);
    deps.logger.info(
      {
        event: 'signatures invalidated',
        campaign: campaign.slug,
        id: invalidation.id,
        count: invalidation.signatureCount,
      },
      'signatures invalidated',
    );
    res.redirect(303, `/organizers/campaigns/${campaign.slug}#invalidation-${invalidation.id}`);
  });

  router.post(`${invalidationsPath(':slug')}/:id/undo`, page, form, csrf.checkSession, async (req, res, next) => {
    const campaign = heldCampaign(campaigns, req);
    const id = String(req.params.id);
    if (!campaign || !ID.test(id) || !(await moderation.findInvalidation(campaign.slug, Number(id)))) return next();
    // A second press (or a second organizer) finds it undone already and changes nothing.
    if (await moderation.undo(campaign.slug, Number(id), sessionOf(req).email, clock.now().toISOString())) {
      signalsKept.delete(campaign.slug);
      deps.logger.info(
        { event: 'invalidation undone', campaign: campaign.slug, id: Number(id) },
        'invalidation undone',
      );
    }
    res.redirect(303, `/organizers/campaigns/${campaign.slug}#invalidation-${id}`);
  });

  return router;
}
