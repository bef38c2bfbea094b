import { watch, type FSWatcher } from 'node:fs';
import type { Logger } from '../logger.js';
import type { CampaignRepository } from './repository.js';
import { CampaignContentError, loadCampaigns, type CampaignCatalog, type LiveCatalog } from './content.js';

export interface CampaignReloader {
  /** Reads the folder again; a broken file keeps the running version. True when the new one is in use. */
  reload(reason: string): Promise<boolean>;
  /** Reloads on every change in the folder (development), after a short pause; returns what stops it. */
  watch(): () => void;
}

/** How long the folder must be quiet before a change is read: an editor's save is several events. */
const SETTLE_MS = 200;

/**
 * Campaign content, read again while the site runs: on SIGHUP (server.ts), and in development on
 * every change to the folder. The new version must load whole (every file valid, slugs unique) or
 * the running one stays and the log says which file and field to fix; a new campaign's database
 * row is registered before its page can be asked for.
 */
export function campaignReloader(
  dir: string,
  catalog: LiveCatalog,
  campaigns: Pick<CampaignRepository, 'register'>,
  logger: Logger,
): CampaignReloader {
  // One at a time, in order: a SIGHUP during a reload reads the folder again after it.
  let queue: Promise<boolean> = Promise.resolve(true);
  const reloadNow = async (reason: string): Promise<boolean> => {
    let next: CampaignCatalog;
    try {
      next = loadCampaigns(dir);
      await campaigns.register(next.all);
    } catch (error) {
      // A broken file, or a database too busy to register a new campaign: nothing changes.
      const problem = error instanceof CampaignContentError ? error.message : String(error);
      logger.error({ reason, problem }, 'campaign content not reloaded: the running version is kept');
      return false;
    }
    catalog.replace(next);
    logger.info({ reason, campaigns: next.all.map((c) => c.slug) }, 'campaign content reloaded');
    return true;
  };
  const reload = (reason: string) => (queue = queue.then(() => reloadNow(reason)));

  return {
    reload,
    watch() {
      let timer: NodeJS.Timeout | undefined;
      let watcher: FSWatcher | undefined;
      try {
        watcher = watch(dir, () => {
          clearTimeout(timer);
          timer = setTimeout(() => {
            void reload('change');
          }, SETTLE_MS);
        });
      } catch (error) {
        logger.warn({ err: error, dir }, 'campaign folder cannot be watched; send SIGHUP to reload');
        return () => {};
      }
      watcher.on('error', (error) => logger.warn({ err: error, dir }, 'campaign folder watch stopped'));
      return () => {
        clearTimeout(timer);
        watcher?.close();
      };
    },
  };
}
