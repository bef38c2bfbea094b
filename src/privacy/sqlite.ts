import { forgetLogHistory, retryWhileBusy, type Db } from '../db.js';
import { emailKey } from '../signatures/repository.js';
import type { ErasedCount, HeldSignature, PersonalDataCount, PrivacyRepository, PublicSigner } from './repository.js';
interface Cursor {
  createdAt: string;
  id: number;
}

export function createPrivacyRepository(db: Db, options: { batchSize?: number } = {}): PrivacyRepository {
  const batchSize = options.batchSize ?? 2000;
  // Erasing must erase: without this SQLite only marks deleted rows and freed pages as free, and an
  // erased email address could still be read from the file with a text editor.
  db.pragma('secure_delete = ON');

  const byEmail = db.prepare<[string], Omit<HeldSignature, 'optedIn'> & { optedIn: number }>(
    `SELECT campaign_slug AS campaignSlug, first_name AS firstName, last_name AS lastName, email, country,
            postal_code AS postalCode, comment, opted_in AS optedIn, consent_version AS consentVersion,
            source_hash AS sourceHash, created_at AS createdAt, anonymised_at AS anonymisedAt, status,
            confirmed_at AS confirmedAt, unsubscribed_at AS unsubscribedAt, locale, source
       FROM signatures WHERE email_key = ? ORDER BY created_at, id`,
  );
  const eraseEmail = db.prepare<[string], { campaignSlug: string }>(
    'DELETE FROM signatures WHERE email_key = ? RETURNING campaign_slug AS campaignSlug',
  );
  const unsuppress = db.prepare<[string]>('DELETE FROM mail_suppressions WHERE address_key = ?');
  // Through signatures_pending_by_time, in batches like the other sweeps.
  const erasePendingBatch = db.prepare<{ before: string; limit: number }>(
    `DELETE FROM signatures
      WHERE id IN (SELECT id FROM signatures WHERE status = 'pending' AND created_at < @before
                    ORDER BY created_at LIMIT @limit)`,
  );
  // A closed campaign may hold a million signatures. Anonymising them in one statement would hold
  // the write lock for seconds and make signers of other campaigns wait past the busy timeout, so
  // the rows are done in batches, walking the (campaign, time) index with a cursor, each batch its
  // own short transaction.
  const nextBatch = db.prepare<{ slug: string; createdAt: string; id: number; limit: number }, Cursor>(
    `SELECT id, created_at AS createdAt FROM signatures
      WHERE campaign_slug = @slug AND (created_at, id) > (@createdAt, @id)
      ORDER BY created_at, id LIMIT @limit`,
  );
  // opted_in goes to 0 too: nobody can be emailed without an address, and the update trigger moves
  // the campaign's opted-in total down to match.
  const anonymiseOne = db.prepare<[string, number]>(
    `UPDATE signatures
        SET first_name = NULL, last_name = NULL, email = NULL, email_key = NULL, postal_code = NULL,
            comment = NULL, source_hash = NULL, opted_in = 0, anonymised_at = ?
      WHERE id = ? AND anonymised_at IS NULL`,
  );
  const anonymiseBatch = db.transaction((slug: string, cursor: Cursor, at: string) => {
    const rows = nextBatch.all({ slug, ...cursor, limit: batchSize });
    let changed = 0;
    for (const row of rows) changed += anonymiseOne.run(at, row.id).changes;
    return { changed, last: rows.length === batchSize ? rows.at(-1) : undefined };
  });
  // In batches, like anonymising, so a campaign's clearing never holds the write lock for long.
  const eraseCampaignBatch = db.prepare<{ slug: string; limit: number }>(
    `DELETE FROM signatures
      WHERE id IN (SELECT id FROM signatures WHERE campaign_slug = @slug LIMIT @limit)`,
  );
  // Batched for the same reason as anonymising: a viral day's codes must not hold the lock for long.
  const forgetSourceBatch = db.prepare<{ before: string; limit: number }>(
    `UPDATE signatures SET source_hash = NULL
      WHERE id IN (SELECT id FROM signatures
                    WHERE source_hash IS NOT NULL AND created_at < @before
                    ORDER BY created_at LIMIT @limit)`,
  );
  const personal = db.prepare<[], PersonalDataCount>(
    `SELECT campaign_slug AS campaignSlug, count(*) AS signatures
       FROM signatures WHERE anonymised_at IS NULL GROUP BY campaign_slug ORDER BY campaign_slug`,
  );
  // Walks signatures_by_campaign_time backwards; the surname is cut to its initial here so the
  // whole name never leaves the database for a public page.
  const recent = db.prepare<[string, number], PublicSigner>(
    `SELECT first_name AS firstName, substr(last_name, 1, 1) AS lastInitial, country
       FROM signatures
      WHERE campaign_slug = ? AND anonymised_at IS NULL AND status = 'confirmed' AND invalidation_id IS NULL
      ORDER BY created_at DESC, id DESC LIMIT ?`,
  );
  const eraseAll = db.transaction((key: string): ErasedCount[] => {
    const counts = new Map<string, number>();
    for (const row of eraseEmail.all(key)) counts.set(row.campaignSlug, (counts.get(row.campaignSlug) ?? 0) + 1);
    unsuppress.run(key);
    return [...counts]
      .map(([campaignSlug, erased]) => ({ campaignSlug, erased }))
      .sort((a, b) => a.campaignSlug.localeCompare(b.campaignSlug));
  });

  return {
    async signaturesByEmail(email) {
      return byEmail.all(emailKey(email)).map((row) => ({ ...row, optedIn: row.optedIn === 1 }));
    },
    async eraseByEmail(email) {
      const erased = eraseAll.immediate(emailKey(email));
      if (erased.length > 0) await forgetLogHistory(db);
      return erased;
    },
    async eraseCampaign(slug) {
      let erased = 0;
      for (;;) {
        const changed = eraseCampaignBatch.run({ slug, limit: batchSize }).changes;
        erased += changed;
        if (changed < batchSize) break;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      if (erased > 0) await forgetLogHistory(db);
      return erased;
    },
    async anonymiseCampaign(slug, at) {
      let changed = 0;
      let cursor: Cursor | undefined = { createdAt: '', id: 0 };
      while (cursor) {
        const batch = anonymiseBatch.immediate(slug, cursor, at.toISOString());
        changed += batch.changed;
        cursor = batch.last;
        // Let writers in other processes, polling on their busy timeout, take the lock between batches.
        if (cursor) await new Promise((resolve) => setTimeout(resolve, 2));
      }
      if (changed > 0) await forgetLogHistory(db);
      return changed;
    },
    async forgetSources(before) {
      let cleared = 0;
      for (;;) {
        const changed = forgetSourceBatch.run({ before: before.toISOString(), limit: batchSize }).changes;
        cleared += changed;
        if (changed < batchSize) break;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      if (cleared > 0) await forgetLogHistory(db);
      return cleared;
    },
    async erasePendingBefore(before) {
      let erased = 0;
      for (;;) {
        const changed = (
          await retryWhileBusy(() => erasePendingBatch.run({ before: before.toISOString(), limit: batchSize }))
        ).changes;
        erased += changed;
        if (changed < batchSize) break;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      if (erased > 0) await forgetLogHistory(db);
      return erased;
    },
    async personalDataByCampaign() {
      return personal.all();
    },
    async recentSigners(slug, limit) {
      return recent.all(slug, limit);
    },
  };
}
