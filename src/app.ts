import { IncomingMessage, ServerResponse, type ServerOptions } from 'node:http';
import express, { type Express, type Router } from 'express';
import type { CampaignCatalog } from './campaigns/content.js';
import { campaignPages } from './campaigns/routes.js';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import { deliveryRoutes } from './deliveries/routes.js';
import { embedRoutes } from './embed/routes.js';
import { loadAssets } from './http/assets.js';
import { errorHandler, notFound } from './http/errors.js';
import { healthCheck } from './http/health.js';
import { requestLog } from './http/requestLog.js';
import { answerReady, servePrepared, type ReadyPrepared } from './http/responseCache.js';
import { refuseCrossSitePosts, securityHeaderList, securityHeaders } from './http/security.js';
import type { Signer } from './http/signing.js';
import { pageLanguage } from './i18n/http.js';
import { DEFAULT_LOCALE, LOCALES } from './i18n/index.js';
import type { Logger } from './logger.js';
import { moderationRoutes } from './moderation/routes.js';
import { organizerRoutes } from './organizers/routes.js';
import { fromRoot } from './paths.js';
import { privacyRoutes } from './privacy/routes.js';
import type { Repositories } from './repositories.js';
import { devMailRoutes, mailHealthRoute } from './mail/routes.js';
import { linkRoutes } from './signatures/links.js';
import { signatureRoutes } from './signatures/routes.js';

export interface AppDeps {
  config: Config;
  repos: Repositories;
  campaigns: CampaignCatalog;
  clock: Clock;
  logger: Logger;
  /** HMAC over the server secret, for form timestamps, cookies and address hashes. */
  signer: Signer;
  /** Called after a change queued mail in the outbox, so this process's sender sends it at once. */
  mailQueued?: () => void;
}

/**
 * The site, as Node's http server calls it, with the request and response classes to create that
 * server with (see expressClasses).
 */
export type App = Express & { serverOptions: Pick<ServerOptions, 'IncomingMessage' | 'ServerResponse'> };

/**
 * Request and response classes whose objects are born with the Express app's prototypes.
 *
 * Express gives each request and response its own prototypes with Object.setPrototypeOf (in
 * app.handle), which V8 makes expensive: it throws away what it had learnt about those objects' shape.
 * When an object already has the prototype asked for, the call does nothing. Measured here with wrk:
 * bare Express on a small page 3,200 requests/s, 7,500 with these (BENCHMARKS.md).
 *
 * They are classes extending Node's, whose prototypes become the app's: each class's prototype takes
 * the place of app.request (or app.response), with the same parent (Express's request or response
 * methods) and the same own properties (`app`). A derived class lets V8 size its objects for every
 * field Node's constructor sets. The previous way, a plain function calling Node's constructor on
 * `this`, gave objects sized for the fields that function sets itself (none), so Node's thirty-odd
 * went to a slower overflow store: that cost each request a quarter of what plain node:http spends
 * on it (BENCHMARKS.md, fifth session).
 */
function expressClasses(app: Express): App['serverOptions'] {
  class AppRequest extends IncomingMessage {}
  class AppResponse extends ServerResponse {}
  const adopt = (prototype: object, from: object) => {
    Object.setPrototypeOf(prototype, Object.getPrototypeOf(from));
    Object.defineProperties(prototype, Object.getOwnPropertyDescriptors(from));
  };
  adopt(AppRequest.prototype, app.request);
  adopt(AppResponse.prototype, app.response);
  app.request = AppRequest.prototype as unknown as Express['request'];
  app.response = AppResponse.prototype as unknown as Express['response'];
  return { IncomingMessage: AppRequest, ServerResponse: AppResponse as typeof ServerResponse };
}

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
  app.locals.site = { name: config.siteName, baseUrl: config.baseUrl };

  const headers = securityHeaderList(config);
  const assets = loadAssets(fromRoot('public'), headers);
  app.locals.asset = assets.url;

  // First, ahead of the router: what a crowd asks for most (the campaign pages, their JSON, static
  // files), answered from prepared responses that carry their own security headers and log line. Most
  // of these requests never get this far: frontOf (below) answers them before Express.
  const pages = campaignPages(deps, headers);
  // Every template rendered from here on speaks the language of the address (/es/… or English).
  app.use(pageLanguage);
  app.use(pages.handler);
  app.use(servePrepared(logger, headers, assets.find));
  app.use(requestLog(logger));
  app.use(securityHeaders(headers));
  app.get('/healthz', healthCheck(deps.repos.system, deps.clock, logger));
  app.use(mailHealthRoute(deps));
  app.use(refuseCrossSitePosts(config));

  // What supporters see is at the same addresses in every language, under /es for Spanish; each
  // router is mounted once per language (one router, so its rate limits are shared by both).
  const inEveryLanguage = (router: Router) => {
    app.use(router);
    for (const locale of LOCALES) if (locale !== DEFAULT_LOCALE) app.use(`/${locale}`, router);
  };
  // First: it lets the embed's addresses (and only those) be framed by the campaign's partners.
  inEveryLanguage(embedRoutes(deps));
  inEveryLanguage(signatureRoutes(deps));
  inEveryLanguage(linkRoutes(deps));
  if (!config.production) app.use(devMailRoutes(deps));
  // Before the organizer routes, whose last handler answers every other /organizers address.
  app.use(deliveryRoutes(deps));
  app.use(moderationRoutes(deps));
  app.use(organizerRoutes(deps));
  inEveryLanguage(privacyRoutes(deps));

  app.use(notFound);
  app.use(errorHandler(logger, config.production));
  frontOf(app, logger, (path, query) => assets.find(path) ?? pages.ready(path, query), pages.changed);
  return Object.assign(app, { serverOptions: expressClasses(app) });
}

/**
 * Puts a shortcut in front of Express: a GET or HEAD whose prepared response is ready (a static file,
 * a campaign page or JSON whose kept copy is current) is answered by answerReady before Express sees
 * the request. Express's own per-request work (its router walking a dozen layers, its request and
 * response helpers) was then the largest cost of a page view (BENCHMARKS.md). Everything else, and
 * the first view after each change, goes through Express as before.
 *
 * It wraps app.handle, which both the server (app is its request listener) and supertest call, so
 * the tests go through the same path as production. Every state change is a POST (STYLE.md 17), and
 * one answered here has been committed, so when one finishes, `changed` makes the next view read again.
 */
function frontOf(app: Express, logger: Logger, ready: ReadyPrepared, changed: () => void): void {
  // Not in Express's types, but it is what the app function calls (express/lib/express.js), in 4 and 5.
  type Handle = (req: IncomingMessage, res: ServerResponse, next?: unknown) => void;
  const target = app as unknown as { handle: Handle };
  const expressHandle = target.handle.bind(app);
  target.handle = (req, res, next) => {
    // A call with `next` comes from a parent app, not straight from the server: Express's business.
    if (next === undefined) {
      if (answerReady(logger, req, res, ready)) return;
      if (req.method !== 'GET' && req.method !== 'HEAD') res.once('finish', changed);
    }
    expressHandle(req, res, next);
  };
}
