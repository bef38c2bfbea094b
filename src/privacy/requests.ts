import type { CampaignCatalog } from '../campaigns/content.js';
import type { Repositories } from '../repositories.js';
import type { ErasedCount, HeldSignature } from './repository.js';

type Deps = { campaigns: CampaignCatalog; repos: Pick<Repositories, 'privacy' | 'campaigns'> };

export interface SubjectAccessExport {
  email: string;
  exportedAt: string;
  /** Said in plain words so the file can be sent to the person as it is. */
  note: string;
  signatures: Array<HeldSignature & { campaignTitle: string | null; organizer: string | null }>;
}

/** Everything held about one email address, across every campaign, ready to send to that person. */
export async function exportByEmail(deps: Deps, email: string, now: Date): Promise<SubjectAccessExport> {
  const held = await deps.repos.privacy.signaturesByEmail(email);
  return {
    email,
    exportedAt: now.toISOString(),
    note:
      'These are all the signatures this site holds for this email address. No IP address or browser details are ' +
      'stored; sourceHash is a keyed one-way hash of the internet address the signature came from, used only to spot ' +
      'floods of fake signatures.',
    signatures: held.map((s) => {
      const campaign = deps.campaigns.bySlug(s.campaignSlug);
      return { ...s, campaignTitle: campaign?.title ?? null, organizer: campaign?.organizer.name ?? null };
    }),
  };
}

export interface ErasureReport {
  erased: number;
  campaigns: Array<ErasedCount & { signatureCountNow: number }>;
}

/** Deletes every signature for an address; reports each campaign touched with its count afterwards. */
export async function eraseByEmail(deps: Deps, email: string): Promise<ErasureReport> {
  const erased = await deps.repos.privacy.eraseByEmail(email);
  const campaigns = await Promise.all(
    erased.map(async (e) => ({
      ...e,
      signatureCountNow: (await deps.repos.campaigns.totals(e.campaignSlug)).signatureCount,
    })),
  );
  return { erased: erased.reduce((sum, e) => sum + e.erased, 0), campaigns };
}
