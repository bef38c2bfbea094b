import { Router } from 'express';
import type { AppDeps } from '../app.js';
import { PUBLIC_PAGE_CACHE } from '../campaigns/routes.js';
import { privacyPageView } from './view.js';

/** GET /privacy: what is collected, why, who sees it, how long it is kept, and how to get it or have it erased. */
export function privacyRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/privacy', (_req, res) => {
    res.setHeader('Cache-Control', PUBLIC_PAGE_CACHE);
    res.render('privacy', {
      page: {
        title: 'Privacy: what we collect and why',
        description:
          'What this site collects when you sign, who can see it, how long it is kept, and how to get a copy or have it erased.',
        canonicalUrl: `${deps.config.baseUrl}/privacy`,
      },
      privacy: privacyPageView(deps.campaigns, deps.clock.now(), deps.config.mail),
    });
  });
  return router;
}
