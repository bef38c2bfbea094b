import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { AppDeps } from '../app.js';
import { isDisposable, type Campaign } from '../campaigns/content.js';
import { campaignAlternates, renderCampaignPage } from '../campaigns/routes.js';
import { embedThanksPath, renderEmbedPage } from '../embed/routes.js';
import { campaignPath, progressView, shareLinks } from '../campaigns/view.js';
import { readCookie } from '../http/cookies.js';
import { localeOf, translatorOf } from '../i18n/http.js';
import { translator } from '../i18n/index.js';
import { perAddressLimit } from '../http/rateLimits.js';
import { noStore } from '../http/security.js';
import { newEmailTokens } from '../mail/tokens.js';
import { emailDomain } from './emailKey.js';
import { formValues, parseSignatureForm, type FieldError, type FormValues } from './form.js';
import { readFormToken, tokenToRedraw, type FormTiming } from './formToken.js';
import { parseSource } from './source.js';
import type { DiscardReason } from './repository.js';

const THANKS_COOKIE = 'thanks';

/** The form's hidden trap: people never see it, form-filling bots fill it in. */
export const HONEYPOT_FIELD = 'website';

export function signatureRoutes(deps: AppDeps): Router {
  const router = Router();
  const { config, campaigns, signer, clock, logger } = deps;
  /** The campaign in the page's language: undefined (so a 404) for one not written in it. */
  const campaignOf = (req: Request, res: Response) => campaigns.bySlug(String(req.params.slug), localeOf(res));
  const fromEmbed = (req: Request) => req.path.endsWith('/embed/signatures');

  const form = express.urlencoded({ extended: false, limit: config.limits.formBodyBytes, parameterLimit: 50 });

  /** The token to draw this submission's form again with: the clock keeps running from the first view. */
  const redrawToken = (campaign: Campaign, timing: FormTiming) =>
    tokenToRedraw(signer, campaign.slug, timing, clock.now(), config.minFillSeconds);
  /** The form's hidden source field (from the page's `?source=`), when it is a simple token. */
  const sourceOf = (req: Request) => parseSource((req.body as Record<string, unknown> | undefined)?.source);
  const timingOf = (req: Request, campaign: Campaign) =>
    readFormToken(signer, campaign.slug, (req.body as Record<string, unknown> | undefined)?.started, clock.now());

  /**
   * The campaign form again, nothing stored: after a mistake (422), an expired form (422) or the rate
   * limit (429), with what was typed and the timing token carried on from the first view.
   */
  async function redraw(
    req: Request,
    res: Response,
    campaign: Campaign,
    timing: FormTiming,
    status: 422 | 429,
    form: { values: FormValues; errors: FieldError[]; notice?: string },
  ): Promise<void> {
    res.status(status);
    res.setHeader('Cache-Control', 'no-store');
    const state = { ...form, started: redrawToken(campaign, timing), source: sourceOf(req) };
    // The embed's form comes back inside the partner's frame, the campaign page's on the page.
    if (fromEmbed(req)) await renderEmbedPage(deps, res, campaign, state);
    else await renderCampaignPage(deps, res, campaign, state);
  }

  /** Past the limit: the form again with what was typed, as after a mistake, and nothing stored. */
  async function refuseTooMany(req: Request, res: Response, next: NextFunction): Promise<void> {
    const campaign = campaignOf(req, res);
    const { t } = translatorOf(res);
    if (!campaign?.open) {
      res.status(429).render('error', {
        page: { title: t('sign.limited_heading') },
        heading: t('sign.limited_heading'),
        message: t('sign.limited'),
        statusCode: 429,
      });
      return;
    }
    const values = formValues((req.body ?? {}) as Record<string, unknown>);
    const notice = t('sign.limited');
    await redraw(req, res, campaign, timingOf(req, campaign), 429, { values, errors: [], notice }).catch(next);
  }
  // A submission refused for a mistake (422) does not use up the limit: fixing a typo is not another
  // signature. A looser ceiling counts every request, so a flood of broken forms is still held back.
  const counts = { repo: deps.repos.rateLimits, signer };
  const limit = perAddressLimit(counts, 'sign', config.signRateLimit, refuseTooMany, { uncounted: [422] });
  const ceiling = perAddressLimit(counts, 'sign-ceiling', config.signRateLimit * 3, refuseTooMany);

  /**
   * Same answer for a first signature, a repeat, and a discarded bot: nobody learns who has signed.
   * From the embed it is the thank-you step in the frame, with no cookie (a browser blocking
   * third-party cookies would drop it) and so no name.
   */
  function thank(req: Request, res: Response, campaign: Campaign, firstName: string): void {
    const embedded = fromEmbed(req);
    const path = embedded ? embedThanksPath(deps, campaign) : `${campaignPath(campaign)}/thanks`;
    if (!embedded) {
      // Max-Age without Expires: the header is then the same whatever the time, so a repeat
      // signature's response is byte-for-byte a first one's.
      const value = encodeURIComponent(signer.sign(Buffer.from(firstName).toString('base64url')));
      const attributes = `Max-Age=3600; Path=${path}; HttpOnly; SameSite=Lax${config.secure ? '; Secure' : ''}`;
      res.setHeader('Set-Cookie', `${THANKS_COOKIE}=${value}; ${attributes}`);
    }
    // Written directly rather than with res.redirect, whose content negotiation for a body no browser
    // shows was a tenth of what signing cost under load (BENCHMARKS.md).
    const body = `See Other: ${path}`;
    res.writeHead(303, {
      Location: path,
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(body);
  }

  /** Why this submission looks automated, or undefined for a person. */
  function looksAutomated(req: Request, timing: FormTiming): DiscardReason | undefined {
    const trap = (req.body as Record<string, unknown>)[HONEYPOT_FIELD];
    if (trap !== undefined && trap !== '') return 'honeypot';
    if (config.minFillSeconds === 0) return undefined;
    if (timing.state === 'missing') return 'no_token';
    if (timing.state === 'invalid') return 'bad_token';
    if (timing.state === 'valid' && timing.elapsedMs < config.minFillSeconds * 1000) return 'too_fast';
    return undefined;
  }

  /** Counted for the organizers' page, so a threshold that catches people is seen. Never fails the answer. */
  async function countDiscarded(campaign: Campaign, reason: DiscardReason): Promise<void> {
    logger.info({ campaign: campaign.slug, reason }, 'signature discarded');
    await deps.repos.signatures.countDiscarded(campaign.slug, reason, clock.now()).catch((error: unknown) => {
      logger.warn({ err: error, campaign: campaign.slug }, 'discarded submission not counted');
    });
  }

  // A restored tab or a reload after an error asks for the form's address: show the campaign.
  router.get('/campaigns/:slug/signatures', (req, res, next) => {
    const campaign = campaignOf(req, res);
    if (!campaign) return next();
    res.redirect(303, campaignPath(campaign));
  });

  // The campaign page's form, and the embed's (src/embed/routes.ts): one way of signing, one limit.
  router.post(
    ['/campaigns/:slug/signatures', '/campaigns/:slug/embed/signatures'],
    form,
    ceiling,
    limit,
    async (req, res, next) => {
      const campaign = campaignOf(req, res);
      if (!campaign) return next();
      const { t } = translator(campaign.locale);
      if (!campaign.open) {
        res.status(410).render('error', {
          page: { title: t('sign.closed_heading') },
          heading: t('sign.closed_heading'),
          message: t('sign.closed'),
          link: { href: campaignPath(campaign), text: t('sign.closed_link', { title: campaign.title }) },
          statusCode: 410,
        });
        return;
      }
      // A JSON, multipart or empty body leaves req.body undefined: it reads as an empty form.
      req.body ??= {};
      const parsed = parseSignatureForm(req.body, campaign.locale);
      const timing = timingOf(req, campaign);
      if (!parsed.ok) {
        await redraw(req, res, campaign, timing, 422, { values: parsed.values, errors: parsed.errors });
        return;
      }
      // Disposable-mail domains organizers list (campaigns/disposable-domains.txt): a mistake to fix,
      // said plainly, since a person may not know the address they were given is one.
      const domain = emailDomain(parsed.value.email);
      if (isDisposable(campaigns, domain)) {
        const values = formValues(req.body as Record<string, unknown>);
        await redraw(req, res, campaign, timing, 422, {
          values,
          errors: [{ field: 'email', message: t('form.email_disposable', { domain }) }],
        });
        return;
      }
      const automated = looksAutomated(req, timing);
      if (!automated && config.minFillSeconds > 0 && timing.state === 'expired') {
        // Too old to count, but a person may well have left the tab open: ask once more, never discard.
        const values = formValues(req.body as Record<string, unknown>);
        await redraw(req, res, campaign, timing, 422, { values, errors: [], notice: t('sign.expired') });
        return;
      }
      if (automated) {
        await countDiscarded(campaign, automated);
      } else {
        await deps.repos.signatures.add({
          ...parsed.value,
          campaignSlug: campaign.slug,
          consentVersion: campaign.consent.version,
          // The language signed in: one count across languages, and later mail in this one.
          locale: campaign.locale,
          source: sourceOf(req) ?? null,
          sourceHash: req.ip ? signer.hash('source', req.ip) : null,
          createdAt: clock.now(),
          // Pending until confirmed from the email queued with it (src/mail/); the answer below is the
          // same whether that email was a first one, a resend, "already signed" or none (caps).
          confirmation: campaign.confirmEmail ? { tokens: newEmailTokens(), caps: config.mail.caps } : undefined,
        });
        if (campaign.confirmEmail) deps.mailQueued?.();
      }
      thank(req, res, campaign, parsed.value.firstName);
    },
  );

  router.get('/campaigns/:slug/thanks', noStore, async (req, res, next) => {
    const campaign = campaignOf(req, res);
    if (!campaign) return next();
    const cookie = readCookie(req.headers.cookie, THANKS_COOKIE);
    const verified = cookie ? signer.verify(cookie) : undefined;
    const firstName = verified ? Buffer.from(verified, 'base64url').toString('utf8') : undefined;
    const totals = await deps.repos.campaigns.totals(campaign.slug);
    const url = config.baseUrl + campaignPath(campaign);
    // Only the signer's own cookie says they signed: anyone else opening this address (a shared link,
    // a stale tab) sees the campaign and its count, and a way to sign.
    const signed = firstName !== undefined;
    res.render('thanks', {
      page: {
        title: signed ? translator(campaign.locale).t('thanks.title', { title: campaign.title }) : campaign.title,
        description: campaign.summary,
        canonicalUrl: url,
        alternates: campaignAlternates(campaign, `/campaigns/${campaign.slug}/thanks`),
      },
      campaign: { title: campaign.title, target: campaign.target, path: campaignPath(campaign), open: campaign.open },
      signed,
      firstName,
      // The signature waits for the person to confirm it from their email.
      confirmEmail: campaign.confirmEmail,
      progress: progressView(campaign, totals),
      share: shareLinks(config.baseUrl, campaign),
    });
  });

  return router;
}
