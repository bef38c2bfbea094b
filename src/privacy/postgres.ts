import { inTransaction, type Pool } from '../postgres.js';
import { emailKey } from '../signatures/repository.js';
import type { ErasedCount, HeldSignature, PersonalDataCount, PrivacyRepository, PublicSigner } from './repository.js';

const pause = () => new Promise((resolve) => setTimeout(resolve, 2));

export function createPrivacyRepository(pool: Pool, options: { batchSize?: number } = {}): PrivacyRepository {
  const batchSize = options.batchSize ?? 2000;

  /**
   * PostgreSQL keeps a deleted or overwritten row in its page until VACUUM reclaims it (SQLite's
   * secure_delete has no equivalent), so after erasing we vacuum the table at once: the old row
   * versions are then no longer readable through the database. Their bytes may stay on disk, in the
   * write-ahead log and in base backups until overwritten; README "PostgreSQL" says so. VACUUM cannot
   * run in a transaction and needs no lock that stops signing.
   */
  const forgetHistory = async () => {
    await pool.query('VACUUM signatures');
  };

  /** Runs `statement` (which changes at most $1 rows) until it changes fewer, pausing between batches. */
  async function inBatches(statement: string, values: unknown[]): Promise<number> {
    let total = 0;
    for (;;) {
      const changed = (await pool.query(statement, [batchSize, ...values])).rowCount ?? 0;
      total += changed;
      if (changed < batchSize) return total;
      await pause();
    }
  }

  return {
    async signaturesByEmail(email) {
      const { rows } = await pool.query<HeldSignature>(
        `SELECT campaign_slug AS "campaignSlug", first_name AS "firstName", last_name AS "lastName", email, country,
                postal_code AS "postalCode", comment, opted_in = 1 AS "optedIn", consent_version AS "consentVersion",
                source_hash AS "sourceHash", created_at AS "createdAt", anonymised_at AS "anonymisedAt", status,
                confirmed_at AS "confirmedAt", unsubscribed_at AS "unsubscribedAt", locale, source
           FROM signatures WHERE email_key = $1 ORDER BY created_at, id`,
        [emailKey(email)],
      );
      return rows;
    },
    async eraseByEmail(email) {
      const key = emailKey(email);
      const erased = await inTransaction(pool, async (client) => {
        const { rows } = await client.query<ErasedCount>(
          `WITH gone AS (DELETE FROM signatures WHERE email_key = $1 RETURNING campaign_slug)
           SELECT campaign_slug AS "campaignSlug", count(*) AS erased FROM gone GROUP BY campaign_slug
            ORDER BY campaign_slug`,
          [key],
        );
        await client.query('DELETE FROM mail_suppressions WHERE address_key = $1', [key]);
        return rows;
      });
      if (erased.length > 0) await forgetHistory();
      return erased;
    },
    // In batches, so a campaign's clearing never holds locks for long.
    async eraseCampaign(slug) {
      const erased = await inBatches(
        'DELETE FROM signatures WHERE id IN (SELECT id FROM signatures WHERE campaign_slug = $2 LIMIT $1)',
        [slug],
      );
      if (erased > 0) await forgetHistory();
      return erased;
    },
    // Walks the (campaign, time) index with a cursor, a batch per short transaction; opted_in goes to 0
    // too, and the update trigger moves the campaign's opted-in total to match.
    async anonymiseCampaign(slug, at) {
      let changed = 0;
      let cursor = { createdAt: '', id: 0 };
      for (;;) {
        const { rows } = await pool.query<{ id: number; createdAt: string; changed: boolean }>(
          `WITH batch AS (
             SELECT id, created_at FROM signatures
              WHERE campaign_slug = $1 AND (created_at, id) > ($2, $3)
              ORDER BY created_at, id LIMIT $4),
           done AS (
             UPDATE signatures s
                SET first_name = NULL, last_name = NULL, email = NULL, email_key = NULL, postal_code = NULL,
                    comment = NULL, source_hash = NULL, opted_in = 0, anonymised_at = $5
               FROM batch WHERE s.id = batch.id AND s.anonymised_at IS NULL
              RETURNING s.id)
           SELECT batch.id, batch.created_at AS "createdAt", done.id IS NOT NULL AS changed
             FROM batch LEFT JOIN done ON done.id = batch.id ORDER BY batch.created_at, batch.id`,
          [slug, cursor.createdAt, cursor.id, batchSize, at.toISOString()],
        );
        changed += rows.filter((row) => row.changed).length;
        const last = rows.at(-1);
        if (!last || rows.length < batchSize) break;
        cursor = { createdAt: last.createdAt, id: last.id };
        await pause();
      }
      if (changed > 0) await forgetHistory();
      return changed;
    },
    async forgetSources(before) {
      const cleared = await inBatches(
        `UPDATE signatures SET source_hash = NULL
          WHERE id IN (SELECT id FROM signatures WHERE source_hash IS NOT NULL AND created_at < $2
                        ORDER BY created_at LIMIT $1)`,
        [before.toISOString()],
      );
      if (cleared > 0) await forgetHistory();
      return cleared;
    },
    async erasePendingBefore(before) {
      const erased = await inBatches(
        `DELETE FROM signatures
          WHERE id IN (SELECT id FROM signatures WHERE status = 'pending' AND created_at < $2
                        ORDER BY created_at LIMIT $1)`,
        [before.toISOString()],
      );
      if (erased > 0) await forgetHistory();
      return erased;
    },
    async personalDataByCampaign() {
      const { rows } = await pool.query<PersonalDataCount>(
        `SELECT campaign_slug AS "campaignSlug", count(*) AS signatures
           FROM signatures WHERE anonymised_at IS NULL GROUP BY campaign_slug ORDER BY campaign_slug`,
      );
      return rows;
    },
    // The surname is cut to its initial here so the whole name never leaves the database for a public page.
    async recentSigners(slug, limit) {
      const { rows } = await pool.query<PublicSigner>(
        `SELECT first_name AS "firstName", substr(last_name, 1, 1) AS "lastInitial", country
           FROM signatures
          WHERE campaign_slug = $1 AND anonymised_at IS NULL AND status = 'confirmed' AND invalidation_id IS NULL
          ORDER BY created_at DESC, id DESC LIMIT $2`,
        [slug, limit],
      );
      return rows;
    },
  };
}
