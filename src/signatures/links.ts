import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import type { AppDeps } from '../app.js';
import type { Campaign } from '../campaigns/content.js';
import { campaignPath, progressView, shareLinks } from '../campaigns/view.js';
import { linkPath as linkPathIn } from '../mail/links.js';
import { campaignAlternates } from '../campaigns/routes.js';
import { localeOf } from '../i18n/http.js';
import { translator } from '../i18n/index.js';
import { hashToken, TOKEN_PATTERN, type TokenPurpose } from '../mail/tokens.js';
import { PENDING_DAYS } from '../privacy/retention.js';
import type { TokenHolder } from './repository.js';

type Action = 'confirm' | 'withdraw' | 'unsubscribe';

/**
 * Which tokens open which page. The confirmation email's one link may do everything its holder may;
 * the "already signed" email's link may remove or unsubscribe; the List-Unsubscribe header's token,
 * which mail providers hold and act on, may only unsubscribe.
 */
const OPENS: Record<Action, readonly TokenPurpose[]> = {
  confirm: ['confirm'],
  withdraw: ['confirm', 'withdraw'],
  unsubscribe: ['confirm', 'withdraw', 'unsubscribe'],
};

const DAY_MS = 24 * 60 * 60 * 1000;

/** A confirm link works while the campaign is open, and through the day after the day it closed. */
export function stillConfirmable(campaign: Campaign, now: Date): boolean {
  if (campaign.open) return true;
  if (!campaign.closedOn) return false;
  return now.getTime() < Date.parse(`${campaign.closedOn}T00:00:00Z`) + 2 * DAY_MS;
}

/** Pages of one person's links: never in a shared cache, never in a search engine. */
const privateLinkPage: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Robots-Tag', 'noindex, nofollow');
  next();
};

/**
 * The pages an email's links open. Opening a link changes nothing: GET (and HEAD) shows a page with a
 * button, and only the button's POST acts, because mail scanners (Outlook Safe Links, Proofpoint,
 * Gmail) open every link in a message before the person does. A link that is wrong, removed or
 * expired gets a page that says so and leads to the campaign, never a bare 404.
 */
export function linkRoutes(deps: AppDeps): Router {
  const router = Router();
  const { campaigns, repos, clock, config } = deps;
  const form = express.urlencoded({ extended: false, limit: '2kb', parameterLimit: 5 });

  /** A link's page in the campaign's language (that of the address it was opened at). */
  const linkPath = (campaign: Campaign, action: Action, token: string) =>
    linkPathIn(campaign.slug, action, token, campaign.locale);
  const campaignOf = (req: Request, res: Response) => campaigns.bySlug(String(req.params.slug), localeOf(res));
  const tIn = (campaign: Campaign) => translator(campaign.locale).t;

  function problem(res: Response, campaign: Campaign, kind: 'unknown' | 'expired'): void {
    const t = tIn(campaign);
    res.status(kind === 'expired' ? 410 : 404).render('links/problem', {
      page: { title: t(kind === 'expired' ? 'links.expired_title' : 'links.unknown_title') },
      kind,
      campaign: { title: campaign.title, path: campaignPath(campaign), open: campaign.open },
    });
  }

  /** The campaign and the signature a link opens, or undefined once the problem page has been sent. */
  async function opened(
    req: Request,
    res: Response,
    action: Action,
  ): Promise<{ campaign: Campaign; holder: TokenHolder; token: string } | undefined | 'no campaign'> {
    const campaign = campaignOf(req, res);
    if (!campaign) return 'no campaign';
    const token = String(req.params.token);
    const holder = TOKEN_PATTERN.test(token) ? await repos.signatures.findByToken(hashToken(token)) : undefined;
    if (!holder || holder.campaignSlug !== campaign.slug || !OPENS[action].includes(holder.purpose)) {
      problem(res, campaign, 'unknown');
      return undefined;
    }
    return { campaign, holder, token };
  }

  const links = (campaign: Campaign, holder: TokenHolder, token: string) => ({
    withdraw: holder.purpose === 'unsubscribe' ? undefined : linkPath(campaign, 'withdraw', token),
    unsubscribe: holder.optedIn ? linkPath(campaign, 'unsubscribe', token) : undefined,
  });

  router.get('/campaigns/:slug/confirm/:token', privateLinkPage, async (req, res, next) => {
    const found = await opened(req, res, 'confirm');
    if (found === 'no campaign') return next();
    if (!found) return;
    const { campaign, holder, token } = found;
    const confirmed = holder.status === 'confirmed';
    if (!confirmed && !stillConfirmable(campaign, clock.now())) return problem(res, campaign, 'expired');
    const totals = await repos.campaigns.totals(campaign.slug);
    res.render('links/confirm', {
      page: {
        title: tIn(campaign)(confirmed ? 'links.confirmed_title' : 'links.confirm_title', { title: campaign.title }),
        alternates: campaignAlternates(campaign, `/campaigns/${campaign.slug}/confirm/${token}`),
      },
      confirmed,
      campaign: { title: campaign.title, target: campaign.target, path: campaignPath(campaign) },
      action: linkPath(campaign, 'confirm', token),
      links: links(campaign, holder, token),
      progress: progressView(campaign, totals),
      share: shareLinks(config.baseUrl, campaign),
      pendingDays: PENDING_DAYS,
    });
  });

  router.post('/campaigns/:slug/confirm/:token', privateLinkPage, form, async (req, res, next) => {
    const found = await opened(req, res, 'confirm');
    if (found === 'no campaign') return next();
    if (!found) return;
    const { campaign, holder, token } = found;
    if (holder.status === 'pending') {
      if (!stillConfirmable(campaign, clock.now())) return problem(res, campaign, 'expired');
      await repos.signatures.confirm(holder.signatureId, clock.now());
    }
    res.redirect(303, linkPath(campaign, 'confirm', token));
  });

  router.get('/campaigns/:slug/withdraw/:token', privateLinkPage, async (req, res, next) => {
    const found = await opened(req, res, 'withdraw');
    if (found === 'no campaign') return next();
    if (!found) return;
    const { campaign, holder, token } = found;
    res.render('links/withdraw', {
      page: {
        title: tIn(campaign)('links.withdraw_title', { title: campaign.title }),
        alternates: campaignAlternates(campaign, `/campaigns/${campaign.slug}/withdraw/${token}`),
      },
      confirmed: holder.status === 'confirmed',
      campaign: { title: campaign.title, target: campaign.target, path: campaignPath(campaign) },
      action: linkPath(campaign, 'withdraw', token),
      links: links(campaign, holder, token),
    });
  });

  router.post('/campaigns/:slug/withdraw/:token', privateLinkPage, form, async (req, res, next) => {
    const found = await opened(req, res, 'withdraw');
    if (found === 'no campaign') return next();
    if (!found) return;
    await repos.signatures.withdraw(found.holder.signatureId);
    res.redirect(303, `${campaignPath(found.campaign)}/withdrawn`);
  });

  router.get('/campaigns/:slug/withdrawn', privateLinkPage, (req, res, next) => {
    const campaign = campaignOf(req, res);
    if (!campaign) return next();
    res.render('links/withdrawn', {
      page: {
        title: tIn(campaign)('links.withdrawn_title', { title: campaign.title }),
        alternates: campaignAlternates(campaign, `/campaigns/${campaign.slug}/withdrawn`),
      },
      campaign: { title: campaign.title, path: campaignPath(campaign), open: campaign.open },
    });
  });

  router.get('/campaigns/:slug/unsubscribe/:token', privateLinkPage, async (req, res, next) => {
    const found = await opened(req, res, 'unsubscribe');
    if (found === 'no campaign') return next();
    if (!found) return;
    const { campaign, holder, token } = found;
    res.render('links/unsubscribe', {
      page: {
        title: tIn(campaign)('links.unsubscribe_title', { title: campaign.title }),
        alternates: campaignAlternates(campaign, `/campaigns/${campaign.slug}/unsubscribe/${token}`),
      },
      state: holder.optedIn ? 'subscribed' : holder.unsubscribed ? 'unsubscribed' : 'never',
      campaign: { title: campaign.title, path: campaignPath(campaign) },
      action: linkPath(campaign, 'unsubscribe', token),
    });
  });

  /*
   * The button on the page above, and RFC 8058 one-click: a mail provider POSTs the body
   * "List-Unsubscribe=One-Click" to the address in the List-Unsubscribe header, with no cookie and no
   * Origin (src/http/security.ts lets exactly this path through). The token is the authentication.
   */
  router.post('/campaigns/:slug/unsubscribe/:token', privateLinkPage, form, async (req, res, next) => {
    const found = await opened(req, res, 'unsubscribe');
    if (found === 'no campaign') return next();
    if (!found) return;
    const { campaign, holder, token } = found;
    if (holder.optedIn) await repos.signatures.unsubscribe(holder.signatureId, clock.now());
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body['List-Unsubscribe'] === 'One-Click') {
      res.status(200).type('text/plain').send('Unsubscribed.');
      return;
    }
    res.redirect(303, linkPath(campaign, 'unsubscribe', token));
  });

  return router;
}
