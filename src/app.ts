import type { RequestListener } from 'node:http';
import express from 'express';
import type { CampaignCatalog } from './campaigns/content.js';
import { campaignPages } from './campaigns/routes.js';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import { loadAssets } from './http/assets.js';
import { errorHandler, notFound } from './http/errors.js';
import { requestLog } from './http/requestLog.js';
import { preparedFirst, servePrepared } from './http/responseCache.js';
import { refuseCrossSitePosts, securityHeaderList, securityHeaders } from './http/security.js';
import type { Signer } from './http/signing.js';
import type { Logger } from './logger.js';
import { organizerRoutes } from './organizers/routes.js';
import { fromRoot } from './paths.js';
import { privacyRoutes } from './privacy/routes.js';
import type { Repositories } from './repositories.js';
import { signatureRoutes } from './signatures/routes.js';

export interface AppDeps {
  config: Config;
  repos: Repositories;
  campaigns: CampaignCatalog;
  clock: Clock;
  logger: Logger;
  /** HMAC over the server secret, for form timestamps, cookies and address hashes. */
  signer: Signer;
}

/** The site, as Node's http server calls it. */
export type App = RequestListener;

/** Builds the whole site from its dependencies. Never listens and never reads the environment. */
export function createApp(deps: AppDeps): App {
  const { config, logger } = deps;
  const app = express();

  app.set('trust proxy', config.trustProxy);
  app.set('view engine', 'ejs');
  app.set('views', fromRoot('views'));
  // Compiled templates are kept in production; in development an edited view shows on reload.
  app.set('view cache', config.production);
  app.disable('x-powered-by');
  app.locals.site = { name: 'Undersigned', baseUrl: config.baseUrl };

  const headers = securityHeaderList(config);
  const assets = loadAssets(fromRoot('public'), headers);
  app.locals.asset = assets.url;

  const pages = campaignPages(deps, headers);

  // First, ahead of the router: what a crowd asks for most (the campaign pages, their JSON, static
  // files), answered from prepared responses that carry their own security headers and log line.
  app.use(pages.middleware);
  app.use(servePrepared(logger, headers, assets.find));
  app.use(requestLog(logger));
  app.use(securityHeaders(headers));
  app.get('/healthz', async (_req, res) => {
    const ok = await deps.repos.system.ping();
    res.setHeader('Cache-Control', 'no-store');
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'database unavailable' });
  });
  app.use(refuseCrossSitePosts(config));

  app.use(signatureRoutes(deps));
  app.use(organizerRoutes(deps));
  app.use(privacyRoutes(deps));

  app.use(notFound);
  app.use(errorHandler(logger, config.production));

  // And ahead of Express itself, for the copies already prepared (see preparedFirst).
  return preparedFirst(logger, [pages.find, assets.find], app);
}
