import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import type { AppDeps } from '../app.js';
import type { Campaign } from '../campaigns/content.js';
import { PUBLIC_PAGE_CACHE } from '../campaigns/routes.js';
import { campaignPath, formatNumber } from '../campaigns/view.js';
import { LOCALES, localePath } from '../i18n/index.js';
import { noStore } from '../http/security.js';
import { heldCampaign, holds } from '../organizers/access.js';
import { CSRF_FIELD, createCsrf } from '../organizers/csrf.js';
import { createSessions, sessionOf } from '../organizers/session.js';
import { countryName } from '../signatures/countries.js';
import { comparePackageOrder } from './order.js';
import { digestList, streamList, streamPackage } from './package.js';
import type { CountryNames, DeliveryPackage, DeliveryScope } from './repository.js';
import {
  formatDay,
  organizerDeliveryPath,
  organizerPackagePath,
  packageSummary,
  publicDeliveriesPath,
  publicDeliveryPath,
  publicSummary,
} from './view.js';

/** The canonical list's file name, as the package and the public record tell the target to check it. */
const listFileName = (campaign: Campaign, pkg: DeliveryPackage): string => `${campaign.slug}-package-${pkg.id}.txt`;

/**
 * Above this many names a package of every country would run to hundreds of printed pages, so the
 * delivery page suggests one package per country (each still streamed, however large).
 */
export const SPLIT_AT = 20_000;

const ID = /^[1-9]\d{0,14}$/;

const privatePages: RequestHandler = (req, res, next) => {
  res.setHeader('X-Robots-Tag', 'noindex, nofollow');
  noStore(req, res, next);
};

const byPackageOrder = (a: CountryNames, b: CountryNames) =>
  comparePackageOrder(['', '', a.country, null, 0], ['', '', b.country, null, 0]);

interface BuildForm {
  country: string;
  comments: boolean;
}

/**
 * The delivery package (README, "Delivering the letter"): organizers build a printable letter with its
 * list of names, whose digest is recorded; marking it delivered publishes the digest, count and time.
 *
 * Organizer URLs sit under /organizers/campaigns/<slug>/delivery behind the same session and CSRF
 * checks as the other organizer pages; the public record is /campaigns/<slug>/deliveries.
 */
export function deliveryRoutes(deps: AppDeps): Router {
  const router = Router();
  const { config, repos, campaigns, clock, logger, signer } = deps;
  const sessions = createSessions(config, repos.organizers, clock);
  const csrf = createCsrf(config, signer);
  const page = sessions.require('page');
  const download = sessions.require('download');
  const form = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 10 });
  const deliveries = repos.deliveries;

  // The public record names any campaign; organizer pages only those the account holds (404 otherwise).
  const campaignOf = (req: Request): Campaign | undefined => campaigns.bySlug(String(req.params.slug));
  const heldOf = (req: Request): Campaign | undefined => heldCampaign(campaigns, req);
  const navFor = (req: Request) => ({
    email: sessionOf(req).email,
    csrfField: CSRF_FIELD,
    csrfToken: sessionOf(req).csrfToken,
  });
  async function packageOf(
    req: Request,
    find: (req: Request) => Campaign | undefined,
  ): Promise<{ campaign: Campaign; pkg: DeliveryPackage } | undefined> {
    const campaign = find(req);
    const id = String(req.params.id);
    if (!campaign || !ID.test(id)) return undefined;
    const pkg = await deliveries.findPackage(campaign.slug, Number(id));
    return pkg && { campaign, pkg };
  }

  // The organizer campaign page shows its delivered packages (views/organizers/_deliveries.ejs); the
  // page's own route reads res.locals, so that page's code does not need to know about deliveries.
  router.get('/organizers/campaigns/:slug', async (req, res, next) => {
    const session = await sessions.current(req);
    const campaign = session && campaignOf(req);
    if (session && campaign && holds(session, campaign.slug)) {
      res.locals.deliveries = {
        href: organizerDeliveryPath(campaign.slug),
        packages: (await deliveries.packages(campaign.slug)).map(packageSummary),
      };
    }
    next();
  });

  router.use(organizerDeliveryPath(':slug'), privatePages);

  async function renderBuilder(req: Request, res: Response, campaign: Campaign, values?: BuildForm, error?: string) {
    const upToId = await deliveries.lastSignatureId();
    const counts = (await deliveries.countsByCountry({ campaignSlug: campaign.slug, country: null, upToId })).sort(
      byPackageOrder,
    );
    const total = counts.reduce((sum, c) => sum + c.count, 0);
    const large = total > SPLIT_AT;
    const largest = [...counts].sort((a, b) => b.count - a.count)[0]?.country;
    const chosen = values ?? { country: large && largest ? largest : 'all', comments: false };
    if (error) res.status(422);
    res.render('deliveries/builder', {
      page: { title: `${error ? 'Error: ' : ''}Deliver the letter: ${campaign.title}` },
      nav: navFor(req),
      campaign: { title: campaign.title, target: campaign.target, countPath: `/organizers/campaigns/${campaign.slug}` },
      total,
      totalText: formatNumber(total),
      large,
      splitAtText: formatNumber(SPLIT_AT),
      countries: counts.map((c) => ({
        code: c.country,
        name: countryName(c.country),
        countText: formatNumber(c.count),
      })),
      form: {
        action: `${organizerDeliveryPath(campaign.slug)}/packages`,
        csrfField: CSRF_FIELD,
        csrfToken: sessionOf(req).csrfToken,
        values: chosen,
        error,
      },
      packages: (await deliveries.packages(campaign.slug)).map(packageSummary),
    });
  }

  router.get(organizerDeliveryPath(':slug'), page, async (req, res, next) => {
    const campaign = heldOf(req);
    if (!campaign) return next();
    await renderBuilder(req, res, campaign);
  });

  router.post(`${organizerDeliveryPath(':slug')}/packages`, page, form, csrf.checkSession, async (req, res, next) => {
    const campaign = heldOf(req);
    if (!campaign) return next();
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values: BuildForm = {
      country: typeof body.country === 'string' ? body.country : '',
      comments: body.comments === 'yes',
    };
    const upToId = await deliveries.lastSignatureId();
    const country = values.country === 'all' ? null : values.country;
    const scope: DeliveryScope = { campaignSlug: campaign.slug, country, upToId };
    if (country !== null && !/^[A-Z]{2}$/.test(country)) {
      return renderBuilder(req, res, campaign, values, 'Choose every country or one country from the list.');
    }
    const { digest, count } = await digestList(deliveries, scope);
    if (count === 0) {
      const message =
        country === null
          ? 'There are no signatures to deliver yet.'
          : 'That country has no signatures to deliver. Choose another from the list.';
      return renderBuilder(req, res, campaign, values, message);
    }
    const { email } = sessionOf(req);
    const id = await deliveries.addPackage({
      campaignSlug: campaign.slug,
      country,
      withComments: values.comments,
      upToId,
      signerCount: count,
      digest,
      builtBy: email,
      builtAt: clock.now().toISOString(),
    });
    logger.info({ event: 'delivery package built', campaign: campaign.slug, id, count }, 'delivery package built');
    res.redirect(303, organizerPackagePath(campaign.slug, id));
  });

  router.get(`${organizerDeliveryPath(':slug')}/packages/:id`, page, async (req, res, next) => {
    const found = await packageOf(req, heldOf);
    if (!found) return next();
    const { campaign, pkg } = found;
    const scope: DeliveryScope = { campaignSlug: campaign.slug, country: pkg.country, upToId: pkg.upToId };
    const counts = new Map((await deliveries.countsByCountry(scope)).map((c) => [c.country, c.count]));
    const summary = packageSummary(pkg);
    const path = organizerPackagePath(campaign.slug, pkg.id);
    const model = {
      campaign: { title: campaign.title, target: campaign.target, letterHtml: campaign.letterHtml },
      pkg: summary,
      builtDay: formatDay(pkg.builtAt),
      listHref: `${path}/list.txt`,
      fileName: listFileName(campaign, pkg),
      publicPath: publicDeliveryPath(campaign.slug, pkg.id),
      backHref: organizerDeliveryPath(campaign.slug),
    };
    if (req.method === 'HEAD') return void res.type('html').end();
    await streamPackage(res, deliveries, scope, pkg.withComments, {
      start: {
        view: 'deliveries/package-start',
        model: { ...model, page: { title: `Delivery package: ${campaign.title}` }, nav: navFor(req) },
      },
      country: (code) => ({
        view: 'deliveries/_country',
        model: {
          code,
          name: countryName(code),
          countText: formatNumber(counts.get(code) ?? 0),
          withComments: pkg.withComments,
        },
      }),
      countryEnd: '</ol></section>',
      end: (list) => ({
        view: 'deliveries/package-end',
        model: {
          ...model,
          list: { digest: list.digest, countText: formatNumber(list.count) },
          matches: list.digest === pkg.digest && list.count === pkg.signerCount,
          deliver: {
            action: `${path}/delivered`,
            csrfField: CSRF_FIELD,
            csrfToken: sessionOf(req).csrfToken,
          },
        },
      }),
    });
  });

  router.get(`${organizerDeliveryPath(':slug')}/packages/:id/list.txt`, download, async (req, res, next) => {
    const found = await packageOf(req, heldOf);
    if (!found) return next();
    const { campaign, pkg } = found;
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${listFileName(campaign, pkg)}"`);
    if (req.method === 'HEAD') return void res.end();
    await streamList(res, deliveries, { campaignSlug: campaign.slug, country: pkg.country, upToId: pkg.upToId });
  });

  router.post(
    `${organizerDeliveryPath(':slug')}/packages/:id/delivered`,
    page,
    form,
    csrf.checkSession,
    async (req, res, next) => {
      const found = await packageOf(req, heldOf);
      if (!found) return next();
      const { campaign, pkg } = found;
      // A second press (or a second organizer) leaves the first record as it was.
      const recorded = await deliveries.markDelivered(
        campaign.slug,
        pkg.id,
        sessionOf(req).email,
        clock.now().toISOString(),
      );
      if (recorded) {
        logger.info(
          { event: 'delivery package delivered', campaign: campaign.slug, id: pkg.id, count: pkg.signerCount },
          'delivery package delivered',
        );
      }
      res.redirect(303, `${organizerPackagePath(campaign.slug, pkg.id)}#delivered`);
    },
  );

  // The privacy page links each campaign's delivery record once there is one
  // (views/deliveries/_privacy-link.ejs); its own route reads res.locals.
  router.get(
    LOCALES.map((locale) => localePath(locale, '/privacy')),
    async (_req, res, next) => {
      res.locals.deliveredCampaigns = Object.fromEntries(
        (await deliveries.campaignsWithDeliveries()).map((slug) => [slug, publicDeliveriesPath(slug)]),
      );
      next();
    },
  );

  // The public record: what was delivered, when, how many names and the list's digest. No names.
  router.get(publicDeliveriesPath(':slug'), async (req, res, next) => {
    const campaign = campaignOf(req);
    if (!campaign) return next();
    const delivered = await deliveries.deliveredPackages(campaign.slug);
    res.setHeader('Cache-Control', PUBLIC_PAGE_CACHE);
    res.render('deliveries/public-list', {
      page: {
        title: `Deliveries: ${campaign.title}`,
        canonicalUrl: config.baseUrl + publicDeliveriesPath(campaign.slug),
      },
      campaign: { title: campaign.title, target: campaign.target, path: campaignPath(campaign) },
      deliveries: delivered.map((p) => publicSummary(p as DeliveryPackage & { deliveredAt: string })),
    });
  });

  router.get(`${publicDeliveriesPath(':slug')}/:id`, async (req, res, next) => {
    const found = await packageOf(req, campaignOf);
    if (!found || found.pkg.deliveredAt === null) return next();
    const { campaign, pkg } = found;
    const delivery = publicSummary(pkg as DeliveryPackage & { deliveredAt: string });
    res.setHeader('Cache-Control', PUBLIC_PAGE_CACHE);
    res.render('deliveries/public-one', {
      page: {
        title: `Delivery record: ${campaign.title}`,
        canonicalUrl: config.baseUrl + delivery.href,
      },
      campaign: { title: campaign.title, target: campaign.target, path: campaignPath(campaign) },
      allHref: publicDeliveriesPath(campaign.slug),
      delivery,
      fileName: listFileName(campaign, pkg),
    });
  });

  return router;
}
