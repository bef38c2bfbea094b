import { readFileSync } from 'node:fs';
import { Router, type RequestHandler, type Response } from 'express';
import type { AppDeps } from '../app.js';
import type { Campaign } from '../campaigns/content.js';
import { campaignAlternates } from '../campaigns/routes.js';
import { campaignPath, progressView } from '../campaigns/view.js';
import { localeOf } from '../i18n/http.js';
import { translator } from '../i18n/index.js';
import { fromRoot } from '../paths.js';
import { countryOptions } from '../signatures/countries.js';
import { COMMENT_MAX, type FieldError, type FormValues } from '../signatures/form.js';
import { issueFormToken } from '../signatures/formToken.js';
import { parseSource } from '../signatures/source.js';

/** The embed's addresses under a campaign's: the form, where it posts, and its thank-you step. */
export const embedPath = (campaign: Campaign): string => `${campaignPath(campaign)}/embed`;

/** How long the thank-you step inside the frame says "thank you" after signing. */
const THANKED_FOR_MS = 60 * 60 * 1000;

/**
 * Who may frame a campaign's embed: the origins in its `embed_origins`, and nobody for a campaign
 * with none. Only these paths get a frame-ancestors other than 'none' (src/http/security.ts), and
 * X-Frame-Options goes, since DENY would override the list in older browsers.
 */
function frameableBy(campaign: Campaign): RequestHandler {
  const ancestors = campaign.embedOrigins.length ? campaign.embedOrigins.join(' ') : "'none'";
  return (_req, res, next) => {
    const policy = res.getHeader('Content-Security-Policy');
    if (typeof policy === 'string')
      res.setHeader(
        'Content-Security-Policy',
        policy.replace("frame-ancestors 'none'", `frame-ancestors ${ancestors}`),
      );
    res.removeHeader('X-Frame-Options');
    next();
  };
}

export interface EmbedForm {
  values: FormValues;
  errors: FieldError[];
  notice?: string;
  started: string;
  source?: string;
}

function embedModel(deps: AppDeps, campaign: Campaign, totals: Parameters<typeof progressView>[1], form?: EmbedForm) {
  const { t } = translator(campaign.locale);
  const errors = form?.errors ?? [];
  const path = embedPath(campaign);
  return {
    page: {
      title: errors.length || form?.notice ? t('site.error_title', { title: campaign.title }) : campaign.title,
      alternates: campaignAlternates(campaign, `/campaigns/${campaign.slug}/embed`),
      embedOrigins: campaign.embedOrigins,
    },
    campaign: {
      title: campaign.title,
      target: campaign.target,
      consentText: campaign.consent.text,
      showRecentSigners: campaign.showRecentSigners,
      open: campaign.open,
      fullPath: campaignPath(campaign),
    },
    progress: progressView(campaign, totals),
    form: {
      action: `${path}/signatures`,
      source: form?.source,
      // Links out of the frame open a tab of their own: the partner's page stays where it was.
      privacyTarget: true,
      started: form?.started ?? issueFormToken(deps.signer, campaign.slug, deps.clock.now()),
      values: { country: campaign.defaultCountry ?? '', ...form?.values },
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
  };
}

/** The embed again after a mistake, the limit or an expired form: inside the frame, never the full page. */
export async function renderEmbedPage(
  deps: AppDeps,
  res: Response,
  campaign: Campaign,
  form: EmbedForm,
): Promise<void> {
  const totals = await deps.repos.campaigns.totals(campaign.slug);
  res.render('embed', embedModel(deps, campaign, totals, form));
}

/**
 * Where the embed's form goes after signing: its thank-you step, in the frame. No cookie can be
 * relied on there (a browser blocking third-party cookies drops it), so the address carries a signed
 * time instead: nothing about the signer, and the same for every signature made that millisecond.
 */
export function embedThanksPath(deps: AppDeps, campaign: Campaign): string {
  const signed = deps.signer.sign(String(deps.clock.now().getTime()));
  return `${embedPath(campaign)}/thanks?signed=${encodeURIComponent(signed)}`;
}

/** The partner-side script (public/js/embed-parent.js) at an address that never changes. */
const PARENT_SCRIPT = readFileSync(fromRoot('public', 'js', 'embed-parent.js'));

/**
 * The compact signing form partner sites put in an iframe (GET /campaigns/<slug>/embed, and /es/…),
 * its thank-you step, and the optional resizing script for the partner's page (GET /embed.js).
 */
export function embedRoutes(deps: AppDeps): Router {
  const router = Router();
  const { campaigns, clock, signer } = deps;
  const campaignOf = (slug: unknown, res: Response) => campaigns.bySlug(String(slug), localeOf(res));

  // Every embed address, the form's POST and its error pages included, may be framed by the campaign's partners.
  router.use('/campaigns/:slug/embed', (req, res, next) => {
    const campaign = campaignOf(req.params.slug, res);
    if (!campaign) return next();
    frameableBy(campaign)(req, res, next);
  });

  router.get('/campaigns/:slug/embed', async (req, res, next) => {
    const campaign = campaignOf(req.params.slug, res);
    if (!campaign) return next();
    const totals = await deps.repos.campaigns.totals(campaign.slug);
    // Per partner (its ?source=) and per second (the form's token): never kept by a shared cache.
    res.setHeader('Cache-Control', 'no-store');
    res.render(
      'embed',
      embedModel(deps, campaign, totals, {
        values: {},
        errors: [],
        started: issueFormToken(signer, campaign.slug, clock.now()),
        source: parseSource(req.query.source),
      }),
    );
  });

  router.get('/campaigns/:slug/embed/thanks', async (req, res, next) => {
    const campaign = campaignOf(req.params.slug, res);
    if (!campaign) return next();
    const at = Number(typeof req.query.signed === 'string' ? signer.verify(req.query.signed) : undefined);
    const age = clock.now().getTime() - at;
    const thanked = Number.isFinite(at) && age >= 0 && age < THANKED_FOR_MS;
    const totals = await deps.repos.campaigns.totals(campaign.slug);
    const { t } = translator(campaign.locale);
    res.setHeader('Cache-Control', 'no-store');
    res.render('embed-thanks', {
      page: {
        title: thanked ? t('thanks.title', { title: campaign.title }) : campaign.title,
        alternates: campaignAlternates(campaign, `/campaigns/${campaign.slug}/embed`),
        embedOrigins: campaign.embedOrigins,
      },
      thanked,
      confirmEmail: campaign.confirmEmail,
      campaign: {
        title: campaign.title,
        target: campaign.target,
        fullPath: campaignPath(campaign),
        embedPath: embedPath(campaign),
      },
      progress: progressView(campaign, totals),
    });
  });

  router.get('/embed.js', (_req, res) => {
    // Loaded by partners' pages from their own origin: it must be readable cross-origin.
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.type('text/javascript; charset=utf-8').send(PARENT_SCRIPT);
  });

  return router;
}
