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
  if ((db as { engine?: string }).engine === 'postgres') return insertRowsPostgres(db, [...rows]);
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

/** The same in one statement (a row at a time through the test's PostgreSQL handle takes minutes). */
function insertRowsPostgres(db: Db, rows: Row[]): void {
  const column = (pick: (r: Row) => unknown) => rows.map(pick);
  db.prepare(
    `INSERT INTO signatures (campaign_slug, first_name, last_name, email, email_key, country, postal_code, opted_in,
                             consent_version, created_at, source_hash, status)
     SELECT c, f, l, e, k, 'GB', p, 0, 'v1', a, s, st
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                   $9::text[]) AS t (c, f, l, e, k, p, a, s, st)`,
  ).run(
    column((r) => r.campaign ?? 'amazon-ring'),
    column((r) => r.first ?? 'Ada'),
    column((r) => r.last ?? 'Lovelace'),
    column((r) => r.email),
    column((r) => emailKey(r.email)),
    column((r) => r.postcode ?? 'SW1A 1AA'),
    column((r) => r.at),
    column((r) => r.source ?? null),
    column((r) => r.status ?? 'confirmed'),
  );
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
