import express, { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../app.js';
import type { Campaign } from '../campaigns/content.js';
import { renderCampaignPage } from '../campaigns/routes.js';
import { campaignPath, progressView } from '../campaigns/view.js';
import { readCookie } from '../http/cookies.js';
import { perAddressLimit } from '../http/rateLimits.js';
import { noStore } from '../http/security.js';
import { parseSignatureForm } from './form.js';

const THANKS_COOKIE = 'thanks';
/** The form's hidden trap: people never see it, form-filling bots fill it in. */
export const HONEYPOT_FIELD = 'website';

export function signatureRoutes(deps: AppDeps): Router {
  const router = Router();
  const { config, campaigns, signer, clock, logger } = deps;

  const form = express.urlencoded({ extended: false, limit: config.limits.formBodyBytes, parameterLimit: 50 });
  const limit = perAddressLimit(config.signRateLimit, {
    heading: 'Too many signatures from your connection',
    message:
      'Please wait a minute and try again. If many people share your connection, one of you can sign a little later.',
  });

  /** Same answer for a first signature, a repeat, and a discarded bot: nobody learns who has signed. */
  function thank(res: Response, campaign: Campaign, firstName: string): void {
    const path = `${campaignPath(campaign)}/thanks`;
    // Max-Age without Expires: the header is then the same whatever the time, so a repeat
    // signature's response is byte-for-byte a first one's.
    const value = encodeURIComponent(signer.sign(Buffer.from(firstName).toString('base64url')));
    const attributes = `Max-Age=3600; Path=${path}; HttpOnly; SameSite=Lax${config.secure ? '; Secure' : ''}`;
    res.setHeader('Set-Cookie', `${THANKS_COOKIE}=${value}; ${attributes}`);
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

  function looksAutomated(req: Request, campaign: Campaign): string | undefined {
    const body = req.body as Record<string, unknown>;
    const trap = body[HONEYPOT_FIELD];
    if (trap !== undefined && trap !== '') return 'honeypot';
    if (config.minFillSeconds === 0) return undefined;
    const started = typeof body.started === 'string' ? signer.verify(body.started) : undefined;
    const [slug, seconds] = started?.split(':') ?? [];
    if (slug !== campaign.slug || !seconds) return 'no form token';
    const elapsed = clock.now().getTime() / 1000 - Number(seconds);
    return elapsed < config.minFillSeconds ? 'too fast' : undefined;
  }

  router.post('/campaigns/:slug/signatures', limit, form, async (req, res, next) => {
    const campaign = campaigns.bySlug(String(req.params.slug));
    if (!campaign) return next();
    if (!campaign.open) {
      res.status(410).render('error', {
        page: { title: 'This campaign has closed' },
        heading: 'This campaign has closed',
        message: `It is no longer collecting signatures, so yours was not added. Thank you for wanting to take part.`,
        link: { href: campaignPath(campaign), text: `See the final count for “${campaign.title}”` },
        statusCode: 410,
      });
      return;
    }
    // A JSON, multipart or empty body leaves req.body undefined: it reads as an empty form.
    req.body ??= {};
    const parsed = parseSignatureForm(req.body);
    if (!parsed.ok) {
      res.status(422);
      res.setHeader('Cache-Control', 'no-store');
      await renderCampaignPage(deps, res, campaign, { values: parsed.values, errors: parsed.errors });
      return;
    }
    const automated = looksAutomated(req, campaign);
    if (automated) {
      logger.info({ campaign: campaign.slug, reason: automated }, 'signature discarded');
    } else {
      await deps.repos.signatures.add({
        ...parsed.value,
        campaignSlug: campaign.slug,
        consentVersion: campaign.consent.version,
        sourceHash: req.ip ? signer.hash('source', req.ip) : null,
        createdAt: clock.now(),
      });
    }
    thank(res, campaign, parsed.value.firstName);
  });

  router.get('/campaigns/:slug/thanks', noStore, async (req, res, next) => {
    const campaign = campaigns.bySlug(String(req.params.slug));
    if (!campaign) return next();
    const cookie = readCookie(req.headers.cookie, THANKS_COOKIE);
    const verified = cookie ? signer.verify(cookie) : undefined;
    const firstName = verified ? Buffer.from(verified, 'base64url').toString('utf8') : undefined;
    const totals = await deps.repos.campaigns.totals(campaign.slug);
    const url = config.baseUrl + campaignPath(campaign);
    const text = campaign.shareText;
    res.render('thanks', {
      page: { title: `Thank you for signing: ${campaign.title}`, description: campaign.summary, canonicalUrl: url },
      campaign: { title: campaign.title, target: campaign.target, path: campaignPath(campaign) },
      firstName,
      progress: progressView(campaign, totals),
      share: {
        url,
        email: `mailto:?subject=${encodeURIComponent(campaign.title)}&body=${encodeURIComponent(`${text}\n\n${url}`)}`,
        x: `https://x.com/intent/post?text=${encodeURIComponent(text)}&url=${encodeURIComponent(url)}`,
        facebook: `https://www.facebook.com/sharer/sharer.php?u=${encodeURIComponent(url)}`,
        whatsapp: `https://wa.me/?text=${encodeURIComponent(`${text} ${url}`)}`,
      },
    });
  });

  return router;
}
