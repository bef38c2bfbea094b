import { Writable } from 'node:stream';
import { pino } from 'pino';
import { catalogOf, loadCampaigns, type Campaign, type CampaignCatalog } from '../src/campaigns/content.js';
import type { Logger } from '../src/logger.js';
import { buildTestApp, FIXTURE_CAMPAIGNS, type TestApp, type TestDeps } from './helpers.js';

/** The fixture campaigns with some fields changed, as a catalog: no extra fixture files needed. */
export function fixtureCatalog(changes: Record<string, Partial<Campaign>> = {}): CampaignCatalog {
  return catalogOf(loadCampaigns(FIXTURE_CAMPAIGNS).all.map((c) => ({ ...c, ...changes[c.slug] })));
}

/**
 * Like buildTestApp, but the database may be a file, the logger may be a capturing one and the
 * campaigns may be a catalog built in the test.
 */
export function buildPrivacyApp(options: TestDeps & { env?: Record<string, string> } = {}): Promise<TestApp> {
  return buildTestApp(options.env, {}, options);
}

/** A pino logger at the most talkative level whose lines are kept in memory for the test to read. */
export function capturingLogger(): { logger: Logger; text: () => string; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ level: 'trace' }, stream), text: () => lines.join(''), lines };
}
