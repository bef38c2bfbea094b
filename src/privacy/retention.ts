import type { Campaign, CampaignCatalog } from '../campaigns/content.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { Repositories } from '../repositories.js';

/**
 * The calendar date (YYYY-MM-DD, UTC) `months` after `date`. A day the target month lacks becomes
 * its last day, so 31 August plus six months is 28 (or 29) February, never 3 March.
 */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const firstOfTarget = new Date(Date.UTC(y, m - 1 + months, 1));
  const lastDay = new Date(Date.UTC(firstOfTarget.getUTCFullYear(), firstOfTarget.getUTCMonth() + 1, 0)).getUTCDate();
  firstOfTarget.setUTCDate(Math.min(d, lastDay));
  return firstOfTarget.toISOString().slice(0, 10);
}

/** The day from which a closed campaign's signers are anonymised; undefined while it is open. */
export function retentionEndsOn(campaign: Campaign): string | undefined {
  if (campaign.open || !campaign.closedOn) return undefined;
  return addMonths(campaign.closedOn, campaign.retentionMonths);
}

export const isPastRetention = (campaign: Campaign, now: Date): boolean => {
  const ends = retentionEndsOn(campaign);
  return ends !== undefined && now.toISOString().slice(0, 10) >= ends;
};

export type PurgeLine =
  | { slug: string; action: 'anonymised'; signatures: number; retentionEndedOn: string }
  | { slug: string; action: 'kept'; signatures: number; reason: 'open' | 'within retention'; keptUntil?: string }
  | { slug: string; action: 'unknown campaign'; signatures: number };

export interface PurgeReport {
  ranAt: string;
  dryRun: boolean;
  lines: PurgeLine[];
  anonymised: number;
  /** Signatures whose address code was cleared because it was older than SOURCE_CODE_DAYS. */
  sourcesCleared: number;
  /** Signatures never confirmed within PENDING_DAYS, erased. */
  pendingErased: number;
}

/**
 * How long a signature keeps the keyed hash of the address it came from. Spotting a flood of fake
 * signatures needs days, not months; and while the key sits with the data (SECRET_KEY unset) anyone
 * holding a copy of the database could rebuild addresses from the codes, so few should exist at once.
 */
export const SOURCE_CODE_DAYS = 7;

/**
 * How long a signature waits for its signer to confirm it by email. Past this it is erased, name and
 * address with it: someone who did not confirm in a month either never signed (another person typed
 * their address) or changed their mind.
 */
export const PENDING_DAYS = 30;

/** How long the outbox keeps a record that a message was sent (address and time, never its links). */
export const SENT_MAIL_DAYS = 7;

/**
 * Anonymises the signatures of every closed campaign whose retention period has run out. Only rows
 * still holding personal data are touched, so running it again (daily, from cron) changes nothing
 * until another campaign's time comes. Signatures of a slug with no content file are reported and
 * left alone: without its file nobody can say when its retention ends.
 */
export async function purge(
  deps: { campaigns: CampaignCatalog; repos: Pick<Repositories, 'privacy' | 'outbox'> },
  now: Date,
  options: { dryRun?: boolean } = {},
): Promise<PurgeReport> {
  const dryRun = options.dryRun ?? false;
  const held = new Map((await deps.repos.privacy.personalDataByCampaign()).map((c) => [c.campaignSlug, c.signatures]));
  const lines: PurgeLine[] = [];
  for (const campaign of deps.campaigns.all) {
    const signatures = held.get(campaign.slug) ?? 0;
    held.delete(campaign.slug);
    const ends = retentionEndsOn(campaign);
    if (ends === undefined) {
      lines.push({ slug: campaign.slug, action: 'kept', signatures, reason: 'open' });
    } else if (!isPastRetention(campaign, now)) {
      lines.push({ slug: campaign.slug, action: 'kept', signatures, reason: 'within retention', keptUntil: ends });
    } else {
      const changed = dryRun ? signatures : await deps.repos.privacy.anonymiseCampaign(campaign.slug, now);
      lines.push({ slug: campaign.slug, action: 'anonymised', signatures: changed, retentionEndedOn: ends });
    }
  }
  for (const [slug, signatures] of held) lines.push({ slug, action: 'unknown campaign', signatures });
  const anonymised = lines.reduce((sum, l) => sum + (l.action === 'anonymised' ? l.signatures : 0), 0);
  const sourcesBefore = new Date(now.getTime() - SOURCE_CODE_DAYS * 24 * 60 * 60 * 1000);
  const sourcesCleared = dryRun ? 0 : await deps.repos.privacy.forgetSources(sourcesBefore);
  const day = 24 * 60 * 60 * 1000;
  const pendingErased = dryRun
    ? 0
    : await deps.repos.privacy.erasePendingBefore(new Date(now.getTime() - PENDING_DAYS * day));
  if (!dryRun) await deps.repos.outbox.deleteFinished(new Date(now.getTime() - SENT_MAIL_DAYS * day));
  return { ranAt: now.toISOString(), dryRun, lines, anonymised, sourcesCleared, pendingErased };
}

/** The report as lines a person reads in a cron mail. */
export function describePurge(report: PurgeReport): string[] {
  const verb = report.dryRun ? 'would anonymise' : 'anonymised';
  const out = report.lines.map((l) => {
    const n = `${l.signatures} signature${l.signatures === 1 ? '' : 's'}`;
    switch (l.action) {
      case 'anonymised':
        return `${l.slug}: ${verb} ${n} (retention ended ${l.retentionEndedOn})`;
      case 'kept':
        return l.reason === 'open'
          ? `${l.slug}: open, ${n} with personal data kept`
          : `${l.slug}: closed, ${n} with personal data kept until ${l.keptUntil}`;
      case 'unknown campaign':
        return `${l.slug}: no campaign file, ${n} with personal data left alone (restore its file with status: closed and closed_on to let retention apply)`;
    }
  });
  if (!report.dryRun) {
    out.push(
      `Cleared the address codes of ${report.sourcesCleared} signature${report.sourcesCleared === 1 ? '' : 's'} older than ${SOURCE_CODE_DAYS} days.`,
    );
    out.push(
      `Erased ${report.pendingErased} signature${report.pendingErased === 1 ? '' : 's'} not confirmed within ${PENDING_DAYS} days.`,
    );
  }
  out.push(
    `${report.dryRun ? 'Dry run: would anonymise' : 'Anonymised'} ${report.anonymised} signature${report.anonymised === 1 ? '' : 's'} in total at ${report.ranAt}.`,
  );
  return out;
}

export const RETENTION_JOB = 'retention';
const HOUR_MS = 60 * 60 * 1000;
/** Longer than any run takes; a process that dies while running frees the job when this passes. */
const LEASE_MS = HOUR_MS;

export interface RetentionDeps {
  campaigns: CampaignCatalog;
  repos: Pick<Repositories, 'privacy' | 'outbox' | 'system'>;
  clock: Clock;
  logger: Logger;
}

/**
 * Runs retention (purge above) if it is due, unless another process is running it: the lease in the
 * database (SystemRepository.takeLease) decides, so with several servers on one database one runs it
 * and the others skip. Due means no process has finished a run in the last `dueAfterMs`.
 */
export async function runRetentionIfDue(
  deps: RetentionDeps,
  holder: string,
  dueAfterMs: number,
): Promise<PurgeReport | undefined> {
  const now = deps.clock.now();
  const { system } = deps.repos;
  const until = new Date(now.getTime() + LEASE_MS);
  const dueBefore = new Date(now.getTime() - dueAfterMs);
  if (!(await system.takeLease(RETENTION_JOB, holder, now, until, dueBefore))) return undefined;
  let report: PurgeReport | undefined;
  try {
    report = await purge(deps, now);
    deps.logger.info(
      { event: 'retention ran', anonymised: report.anonymised, sourcesCleared: report.sourcesCleared },
      'retention ran',
    );
    return report;
  } finally {
    // Not finished when it failed: the lease is given back and the next check tries again.
    await system.releaseLease(RETENTION_JOB, holder, deps.clock.now(), report !== undefined);
  }
}

export interface RetentionSchedule {
  /** Stops the daily checks and waits for a run in progress to end. */
  stop(): Promise<void>;
}

/**
 * Keeps the privacy page's promises from inside the server: retention runs when the server starts
 * (unless another process ran it within the hour, as when several start together) and again once a
 * day, checked every hour. `npm run purge` still runs it by hand.
 */
export function scheduleRetention(deps: RetentionDeps, holder: string): RetentionSchedule {
  let running: Promise<unknown> = Promise.resolve();
  const attempt = (dueAfterMs: number) => {
    running = runRetentionIfDue(deps, holder, dueAfterMs).catch((error: unknown) =>
      deps.logger.error({ err: error }, 'retention failed; it is tried again within the hour'),
    );
  };
  attempt(HOUR_MS);
  // A little under a day, so that hourly checks do not push the run an hour later each day.
  const timer = setInterval(() => attempt(23 * HOUR_MS), HOUR_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
