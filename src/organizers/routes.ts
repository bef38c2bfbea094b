import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import type { AppDeps } from '../app.js';
import type { Campaign } from '../campaigns/content.js';
import type { CampaignTotals } from '../campaigns/repository.js';
import type { OutboxHealth } from '../mail/repository.js';
import { isBacklogged } from '../mail/routes.js';
import { campaignPath, formatNumber, progressView } from '../campaigns/view.js';
import { perAddressLimit } from '../http/rateLimits.js';
import { noStore } from '../http/security.js';
import { countryName } from '../signatures/countries.js';
import { discardedView } from '../signatures/discards.js';
import type { ExportRow, RecentPosition, SignatureCursor } from '../signatures/repository.js';
import { channelsView, embedSnippets } from './channels.js';
import { CSRF_FIELD, createCsrf } from './csrf.js';
import { signaturesCsv } from './csv.js';
import { writeSignaturesXlsx, XLSX_TYPE } from './xlsx.js';
import { createDeviceCookies } from './device.js';
import { campaignFigures, formatTime, timeParts } from './figures.js';
import {
  createHashLimit,
  dummyHash,
  hashPassword,
  HashingBusyError,
  PASSWORD_MIN,
  passwordProblem,
  verifyPassword,
} from './passwords.js';
import { formatDate } from '../privacy/view.js';
import { isPastRetention, retentionEndsOn } from '../privacy/retention.js';
import { heldCampaign, heldCampaigns } from './access.js';
import { organizerKey } from './repository.js';
import { createSessions, sessionOf } from './session.js';
import { ACCOUNT_POLICY, ADDRESS_POLICY, createLoginThrottle } from './throttle.js';

export const RECENT_PER_PAGE = 50;

/** Pending, confirmed and the share confirmed, for a campaign whose signatures need confirming. */
function confirmationStats(campaign: Campaign, totals: CampaignTotals): { label: string; value: string }[] {
  if (!campaign.confirmEmail && totals.pendingCount === 0) return [];
  const all = totals.signatureCount + totals.pendingCount;
  const rate = all === 0 ? '–' : `${Math.round((totals.signatureCount / all) * 100)}%`;
  return [
    { label: 'Confirmed', value: formatNumber(totals.signatureCount) },
    { label: 'Waiting for confirmation', value: formatNumber(totals.pendingCount) },
    { label: 'Confirmation rate', value: rate },
  ];
}

/** The outbox in one line, as /healthz/mail reports it. */
function mailLine(health: OutboxHealth, now: Date): { text: string; trouble: boolean } {
  const waiting = health.waiting;
  const oldest = health.oldestWaitingSince
    ? Math.max(0, Math.round((now.getTime() - Date.parse(health.oldestWaitingSince)) / 60_000))
    : 0;
  const failure = health.lastFailure
    ? ` Last failure ${formatTime(health.lastFailure.at)}: ${health.lastFailure.error}`
    : '';
  if (waiting === 0) return { text: `Email: nothing waiting to be sent.${failure}`, trouble: false };
  const text =
    waiting === 1
      ? `Email: 1 message waiting to be sent, queued ${oldest} min ago.${failure}`
      : `Email: ${formatNumber(waiting)} messages waiting to be sent, the oldest queued ${oldest} min ago.${failure}`;
  return { text, trouble: isBacklogged(health, now) };
}
/** "1 second", "45 seconds", "3 minutes". */
const waitText = (seconds: number): string =>
  seconds < 90 ? `${seconds} second${seconds === 1 ? '' : 's'}` : `${Math.ceil(seconds / 60)} minutes`;

const LOGIN_FAILED = 'The email address or password is not right.';

/** "2026-11-28T12:00:00.000Z~42": where the next page of recent signatures starts. */
const CURSOR = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)~(\d{1,15})$/;
export const parseCursor = (value: unknown): SignatureCursor | undefined => {
  const match = typeof value === 'string' ? CURSOR.exec(value) : null;
  return match?.[1] && match[2] ? { createdAt: match[1], id: Number(match[2]) } : undefined;
};
export const formatCursor = (cursor: SignatureCursor): string => encodeURIComponent(`${cursor.createdAt}~${cursor.id}`);
/** `?after=` (older than a row) or `?before=` (newer); anything else is the newest page. */
function positionOf(query: Request['query']): RecentPosition | undefined {
  const after = parseCursor(query.after);
  if (after) return { after };
  const before = parseCursor(query.before);
  return before ? { before } : undefined;
}

/** The anonymisation date of a closed campaign, and whether it has passed; undefined while open. */
function retentionView(campaign: Campaign, now: Date) {
  const ends = retentionEndsOn(campaign);
  return ends ? { date: formatDate(ends), past: isPastRetention(campaign, now) } : undefined;
}

/** Organizer pages must stay out of shared caches and search engines. */
const privatePages: RequestHandler = (req, res, next) => {
  res.setHeader('X-Robots-Tag', 'noindex, nofollow');
  noStore(req, res, next);
};

export function organizerRoutes(deps: AppDeps): Router {
  const router = Router();
  const { config, repos, campaigns, clock, logger, signer } = deps;
  const sessions = createSessions(config, repos.organizers, clock);
  const csrf = createCsrf(config, signer);
  const devices = createDeviceCookies(config, signer);
  const throttle = createLoginThrottle(repos.loginAttempts, signer);
  const hashing = createHashLimit();
  // Hashed now rather than at the first unknown sign-in, which would otherwise take twice as long.
  void dummyHash();
  const form = express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 10 });
  const loginLimit = perAddressLimit({ repo: repos.rateLimits, signer }, 'login', config.loginRateLimit, {
    heading: 'Too many sign-in attempts from your connection',
    message: 'Please wait a minute and try again.',
  });
  const page = sessions.require('page');
  const download = sessions.require('download');

  function renderLogin(req: Request, res: Response, email = '', error?: string, signedOut = false): void {
    res.render('organizers/login', {
      page: { title: error ? 'Error: Organizer sign-in' : 'Organizer sign-in' },
      signedOut: signedOut && !error,
      form: {
        action: '/organizers/login',
        csrfField: CSRF_FIELD,
        csrfToken: csrf.loginToken(req, res),
        values: { email },
        errors: error ? [{ field: 'email', message: error }] : [],
        errorFor: {},
      },
    });
  }

  const navFor = (req: Request) => ({
    email: sessionOf(req).email,
    csrfField: CSRF_FIELD,
    csrfToken: sessionOf(req).csrfToken,
  });

  const campaignOr404 = (req: Request): Campaign | undefined => heldCampaign(campaigns, req);

  router.use('/organizers', privatePages);

  router.get('/organizers/login', async (req, res) => {
    if (await sessions.current(req)) return res.redirect(303, '/organizers');
    // Says only that this browser's session has ended: nothing about whose it was.
    renderLogin(req, res, '', undefined, req.query['signed-out'] !== undefined);
  });

  router.post('/organizers/login', loginLimit, form, csrf.checkLogin, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const email = typeof body.email === 'string' ? body.email.trim().slice(0, 254) : '';
    const password = typeof body.password === 'string' ? body.password : '';
    const fail = () => {
      res.status(401).setHeader('WWW-Authenticate', 'Session realm="organizers"');
      renderLogin(req, res, email, LOGIN_FAILED);
    };
    if (!email || !password) return fail();

    const now = clock.now().getTime();
    const account = organizerKey(email);
    // A browser this account signed in from before is throttled on its own (see device.ts).
    const device = devices.trusted(req, account);
    const verdict = await throttle.begin(
      [
        { key: device ? `device:${device}` : `account:${account}`, policy: ACCOUNT_POLICY, clearOnSuccess: true },
        { key: `address:${ipKeyGenerator(req.ip ?? '', 56)}`, policy: ADDRESS_POLICY },
      ],
      now,
    );
    if (!verdict.allowed) {
      // No password check at all while refused: a guesser learns nothing and costs us no scrypt.
      const wait = verdict.retryAfterSeconds;
      res.status(429).setHeader('Retry-After', String(wait));
      return renderLogin(req, res, email, `Too many failed attempts. Wait ${waitText(wait)} and try again.`);
    }

    const organizer = await repos.organizers.findByEmail(email);
    let valid: boolean;
    try {
      // An unknown address is checked against a dummy hash so it takes as long as a known one.
      const hash = organizer?.passwordHash ?? (await dummyHash());
      valid = await hashing.run(() => verifyPassword(password, hash));
    } catch (error) {
      if (!(error instanceof HashingBusyError)) throw error;
      // Never checked, so not counted against the account.
      await throttle.withdraw(verdict.attempt);
      res.status(503).setHeader('Retry-After', '5');
      return renderLogin(req, res, email, 'Too many people are signing in at once. Wait a few seconds and try again.');
    }
    if (!organizer || !valid) {
      logger.info({ event: 'organizer sign-in failed' }, 'organizer sign-in failed');
      return fail();
    }
    await throttle.succeeded(verdict.attempt);
    devices.issue(res, account);
    await sessions.start(req, res, organizer.id);
    logger.info({ event: 'organizer signed in', organizerId: organizer.id }, 'organizer signed in');
    res.redirect(303, '/organizers');
  });

  router.post('/organizers/logout', page, form, csrf.checkSession, async (req, res) => {
    await sessions.end(req, res);
    res.redirect(303, '/organizers/login?signed-out');
  });

  type PasswordField = 'current_password' | 'new_password' | 'confirm_password';
  interface PasswordForm {
    errors: { field: PasswordField; message: string }[];
    notice?: string;
  }

  /** The change-password page; passwords typed are never sent back. */
  function renderPassword(req: Request, res: Response, form: PasswordForm = { errors: [] }, changed = false): void {
    const failed = form.errors.length > 0 || form.notice !== undefined;
    res.render('organizers/password', {
      page: { title: failed ? 'Error: Change your password' : 'Change your password' },
      nav: navFor(req),
      changed: changed && !failed,
      minLength: PASSWORD_MIN,
      form: {
        action: '/organizers/password',
        csrfField: CSRF_FIELD,
        csrfToken: sessionOf(req).csrfToken,
        values: {},
        errors: form.errors,
        errorFor: Object.fromEntries(form.errors.map((e) => [e.field, e.message])),
        notice: form.notice,
      },
    });
  }

  router.get('/organizers/password', page, (req, res) => {
    renderPassword(req, res, { errors: [] }, req.query.changed !== undefined);
  });

  router.post('/organizers/password', loginLimit, page, form, csrf.checkSession, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const field = (name: PasswordField) => (typeof body[name] === 'string' ? body[name] : '');
    const [current, next, again] = [field('current_password'), field('new_password'), field('confirm_password')];
    const errors: PasswordForm['errors'] = [];
    if (!current) errors.push({ field: 'current_password', message: 'Enter your current password.' });
    const problem = passwordProblem(next);
    if (problem) errors.push({ field: 'new_password', message: problem });
    else if (again !== next)
      errors.push({ field: 'confirm_password', message: 'The two new passwords are not the same.' });
    if (errors.length) return renderPassword(req, res.status(422), { errors });

    const session = sessionOf(req);
    // Throttled like sign-in: a stolen session must not become a way to guess the account's password.
    const verdict = await throttle.begin(
      [
        { key: `password:${session.organizerId}`, policy: ACCOUNT_POLICY, clearOnSuccess: true },
        { key: `address:${ipKeyGenerator(req.ip ?? '', 56)}`, policy: ADDRESS_POLICY },
      ],
      clock.now().getTime(),
    );
    if (!verdict.allowed) {
      const wait = verdict.retryAfterSeconds;
      res.status(429).setHeader('Retry-After', String(wait));
      return renderPassword(req, res, {
        errors: [],
        notice: `Too many wrong passwords. Wait ${waitText(wait)} and try again.`,
      });
    }
    const organizer = await repos.organizers.findByEmail(session.email);
    let hash: string | undefined;
    try {
      const valid = organizer ? await hashing.run(() => verifyPassword(current, organizer.passwordHash)) : false;
      if (valid) hash = await hashing.run(() => hashPassword(next));
    } catch (error) {
      if (!(error instanceof HashingBusyError)) throw error;
      await throttle.withdraw(verdict.attempt);
      res.status(503).setHeader('Retry-After', '5');
      return renderPassword(req, res, {
        errors: [],
        notice: 'Too many people are signing in at once. Wait a few seconds and try again.',
      });
    }
    if (!organizer || hash === undefined) {
      logger.info({ event: 'organizer password change refused', organizerId: session.organizerId }, 'wrong password');
      const message = 'Your current password is not right.';
      return renderPassword(req, res.status(422), { errors: [{ field: 'current_password', message }] });
    }
    await throttle.succeeded(verdict.attempt);
    // Ends every session of the account, this one included; this browser then gets a fresh one.
    await repos.organizers.setPassword(organizer.email, hash, clock.now().toISOString());
    await sessions.start(req, res, organizer.id);
    logger.info({ event: 'organizer password changed', organizerId: organizer.id }, 'organizer password changed');
    res.redirect(303, '/organizers/password?changed');
  });

  router.get('/organizers', page, async (req, res) => {
    const rows = await Promise.all(
      heldCampaigns(campaigns, sessionOf(req)).map(async (campaign) => {
        const progress = progressView(campaign, await repos.campaigns.totals(campaign.slug));
        return {
          title: campaign.title,
          slug: campaign.slug,
          href: `/organizers/campaigns/${campaign.slug}`,
          open: campaign.open,
          countText: progress.countText,
          goalText: progress.goalText,
          percent: progress.percent,
        };
      }),
    );
    res.render('organizers/overview', {
      page: { title: 'Your campaigns' },
      nav: navFor(req),
      campaigns: rows,
      isAdmin: sessionOf(req).isAdmin,
    });
  });

  router.get('/organizers/campaigns/:slug', page, async (req, res, next) => {
    const campaign = campaignOr404(req);
    if (!campaign) return next();
    const position = positionOf(req.query);
    const [totals, figures, byCountry, recent, discarded, outbox, channels, milestones] = await Promise.all([
      repos.campaigns.totals(campaign.slug),
      campaignFigures(repos, campaign.slug, clock.now()),
      repos.campaigns.byCountry(campaign.slug),
      repos.signatures.recent(campaign.slug, RECENT_PER_PAGE, position).then((page) =>
        // "Newer" up to the top lands on the newest page, full, rather than on the few rows left above.
        position && !page.previous ? repos.signatures.recent(campaign.slug, RECENT_PER_PAGE) : page,
      ),
      discardedView(repos.signatures, campaign.slug, clock.now(), config.minFillSeconds),
      repos.outbox.health(),
      channelsView(repos, campaign.slug),
      repos.campaigns.milestones(campaign.slug),
    ]);
    const base = `/organizers/campaigns/${campaign.slug}`;
    res.render('organizers/campaign', {
      page: { title: `Count: ${campaign.title}` },
      nav: navFor(req),
      campaign: { title: campaign.title, open: campaign.open, publicPath: campaignPath(campaign) },
      // A closed campaign: when its signers' details go, so the organizers export before then.
      retention: retentionView(campaign, clock.now()),
      progress: progressView(campaign, totals),
      stats: [
        { label: 'Today (UTC)', value: formatNumber(figures.today) },
        { label: 'Last 24 hours', value: formatNumber(figures.last24Hours) },
        { label: 'Last 7 days (UTC)', value: formatNumber(figures.last7Days) },
        { label: 'Opted in to updates', value: formatNumber(totals.optedInCount) },
        ...confirmationStats(campaign, totals),
      ],
      mail: campaign.confirmEmail ? mailLine(outbox, clock.now()) : undefined,
      milestones: milestones.map((m) => ({
        countText: formatNumber(m.milestone),
        crossedAt: m.crossedAt,
        crossedText: m.crossedAt && formatTime(m.crossedAt),
        toGoText: formatNumber(Math.max(0, m.milestone - totals.signatureCount)),
      })),
      charts: [
        { id: 'daily', heading: 'Signatures per day', ...figures.daily, periodHeader: 'Day' },
        { id: 'hourly', heading: 'Signatures per hour, last 48 hours', ...figures.hourly, periodHeader: 'Hour (UTC)' },
      ],
      countries: byCountry.map((c) => ({
        name: countryName(c.country),
        countText: formatNumber(c.count),
        percent: totals.signatureCount ? ((c.count / totals.signatureCount) * 100).toFixed(1) : '0.0',
      })),
      recent: {
        rows: recent.signatures.map((s) => ({
          name: s.firstName === null ? null : `${s.firstName} ${s.lastName ?? ''}`.trim(),
          country: countryName(s.country),
          datetime: s.createdAt,
          ...timeParts(s.createdAt),
          comment: s.comment,
        })),
        newest: !recent.previous,
        newestHref: recent.previous ? `${base}#recent` : undefined,
        newerHref: recent.previous ? `${base}?before=${formatCursor(recent.previous)}#recent` : undefined,
        olderHref: recent.next ? `${base}?after=${formatCursor(recent.next)}#recent` : undefined,
      },
      discarded,
      channels,
      embed: { origins: campaign.embedOrigins, snippets: embedSnippets(config.baseUrl, campaign) },
      downloads: {
        all: { csv: `${base}/signatures.csv`, xlsx: `${base}/signatures.xlsx` },
        optedIn: { csv: `${base}/opted-in.csv`, xlsx: `${base}/opted-in.xlsx` },
      },
    });
  });

  /** The two formats of the two exports: every signature, and only those who opted in to updates. */
  const EXPORTS = [
    { path: 'signatures', optedInOnly: false, sheetName: 'Signatures' },
    { path: 'opted-in', optedInOnly: true, sheetName: 'Opted in' },
  ] as const;

  async function sendExport(
    res: Response,
    campaign: Campaign,
    kind: (typeof EXPORTS)[number],
    format: 'csv' | 'xlsx',
  ): Promise<void> {
    const date = clock.now().toISOString().slice(0, 10);
    const name = `${campaign.slug}-${kind.path}-${date}.${format}`;
    res.setHeader('Content-Type', format === 'csv' ? 'text/csv; charset=utf-8; header=present' : XLSX_TYPE);
    res.setHeader('Content-Disposition', `attachment; filename="${name}"`);
    // HEAD would otherwise read and format every row only for Node to throw the body away.
    if (res.req.method === 'HEAD') return void res.end();
    const rows = repos.signatures.exportBatches(campaign.slug, { optedInOnly: kind.optedInOnly });
    // pipeline() waits for the client to take each chunk (backpressure) and stops reading the
    // database if the download is cancelled.
    const sent =
      format === 'csv' ? pipeline(Readable.from(rows), signaturesCsv(), res) : sendXlsx(rows, res, kind.sheetName);
    await sent.catch((error: unknown) => {
      if ((error as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw error;
    });
    logger.info(
      { event: 'signatures exported', campaign: campaign.slug, optedInOnly: kind.optedInOnly, format },
      'signatures exported',
    );
  }

  function sendXlsx(rows: AsyncIterable<ExportRow[]>, res: Response, sheetName: string): Promise<unknown> {
    const zip = new PassThrough();
    const written = writeSignaturesXlsx(rows, zip, sheetName).catch((error: unknown) => {
      // A failure half-way (the database gone) must end the download, not leave it hanging.
      zip.destroy(error as Error);
      throw error;
    });
    return Promise.all([written, pipeline(zip, res)]);
  }

  for (const kind of EXPORTS) {
    for (const format of ['csv', 'xlsx'] as const) {
      router.get(`/organizers/campaigns/:slug/${kind.path}.${format}`, download, async (req, res, next) => {
        const campaign = campaignOr404(req);
        if (!campaign) return next();
        await sendExport(res, campaign, kind, format);
      });
    }
  }

  // Any other address under /organizers: sign in first, so a stranger cannot map which exist.
  router.use('/organizers', page);

  return router;
}
