import type { Db } from '../../src/db.js';
import { emailKey } from '../../src/signatures/emailKey.js';

export interface Row {
  first?: string;
  last?: string;
  email: string;
  postcode?: string;
  at: string;
  campaign?: string;
  source?: string | null;
  status?: 'pending' | 'confirmed';
}

/** Stores signatures straight into the table (through the counting triggers), thousands a second. */
export function insertRows(db: Db, rows: Iterable<Row>): void {
  const insert = db.prepare(
    `INSERT INTO signatures (campaign_slug, first_name, last_name, email, email_key, country, postal_code, opted_in,
                             consent_version, created_at, source_hash, status)
     VALUES (@campaign, @first, @last, @email, @key, 'GB', @postcode, 0, 'v1', @at, @source, @status)`,
  );
  db.transaction(() => {
    for (const r of rows) {
      insert.run({
        campaign: r.campaign ?? 'amazon-ring',
        first: r.first ?? 'Ada',
        last: r.last ?? 'Lovelace',
        email: r.email,
        key: emailKey(r.email),
        postcode: r.postcode ?? 'SW1A 1AA',
        at: r.at,
        source: r.source ?? null,
        status: r.status ?? 'confirmed',
      });
    }
  })();
}

/** `n` ordinary signatures a second apart from `start`: the crowd a flood hides in. */
export function* crowd(n: number, start = '2026-11-01T00:00:00.000Z', campaign = 'amazon-ring'): Generator<Row> {
  const t0 = Date.parse(start);
  for (let i = 0; i < n; i++) {
    yield {
      first: `First${i % 997}`,
      last: `Last${i % 1009}`,
      email: `person${i}@example${i % 50}.org`,
      postcode: `PC${i % 2000}`,
      at: new Date(t0 + i * 1000).toISOString(),
      campaign,
    };
  }
}

/** The names in the search results table, as shown. */
export const namesOn = (html: string): string[] =>
  [...html.matchAll(/<tr>\s*<th scope="row">([^<]*)<\/th>/g)].map((m) => m[1] ?? '');

export const emailsOn = (html: string): string[] =>
  [...html.matchAll(/<td class="org-break">([^<]*)<\/td>/g)].map((m) => m[1] ?? '');
