import { Router } from 'express';
import type { AppDeps } from '../app.js';
import { PUBLIC_PAGE_CACHE } from '../campaigns/routes.js';
import { localeOf } from '../i18n/http.js';
import { localePath, translator } from '../i18n/index.js';
import { privacyPageView } from './view.js';

/** GET /privacy: what is collected, why, who sees it, how long it is kept, and how to get it or have it erased. */
export function privacyRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/privacy', (_req, res) => {
    const locale = localeOf(res);
    const { t } = translator(locale);
    res.setHeader('Cache-Control', PUBLIC_PAGE_CACHE);
    res.render('privacy', {
      page: {
        title: t('privacy.title'),
        description: t('privacy.description'),
        canonicalUrl: deps.config.baseUrl + localePath(locale, '/privacy'),
      },
      privacy: privacyPageView(deps.campaigns, deps.clock.now(), deps.config.mail, locale),
    });
  });
  return router;
}
