import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { realpathSync } from 'node:fs';
import { openDatabase } from '../src/db.js';
import { openPostgres } from '../src/postgres.js';
import { COUNTRIES } from '../src/signatures/countries.js';

/**
 * Loads plausible signatures straight into the database (the SQLite file, or PostgreSQL with
 * loadSignaturesPostgres), through the app's own migrations and triggers (so every counter the site reads is
 * kept exactly as if people had signed), in large batched statements. Spread over 200 countries with a
 * long-tailed mix, over the 60 days before `end`, in time order, about 40% opted in, a few with comments.
 */
export interface LoadOptions {
  databasePath: string;
  campaignSlug: string;
  consentVersion: string;
  rows: number;
  end?: Date;
  batch?: number;
}

const FIRST = [
  'Ada',
  'Grace',
  'Alan',
  'Katherine',
  'Tim',
  'Margaret',
  'Linus',
  'Radia',
  'Dennis',
  'Barbara',
  'Ken',
  'Frances',
  'Chidi',
  'Aiko',
  'Mateo',
  'Priya',
  'Olga',
  'Kwame',
  'Lucía',
  'Søren',
];
const LAST = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Johnson',
  'Berners-Lee',
  'Hamilton',
  'Torvalds',
  'Perlman',
  'Ritchie',
  'Liskov',
  'Thompson',
  'Allen',
  'Okafor',
  'Tanaka',
  'García',
  'Sharma',
  'Ivanova',
  'Mensah',
  'Fernández',
  'Kierkegaard',
];
const COMMENTS = [
  'Please listen.',
  'This matters to my neighbourhood.',
  'Signed for my kids.',
  'Privacy is a right, not a feature.',
];
const DAY_MS = 86_400_000;

/** The columns loaded, in order, as both engines name them, with each one's PostgreSQL type (for unnest). */
const COLUMNS = [
  ['campaign_slug', 'text'],
  ['first_name', 'text'],
  ['last_name', 'text'],
  ['email', 'text'],
  ['email_key', 'text'],
  ['country', 'text'],
  ['postal_code', 'text'],
  ['comment', 'text'],
  ['opted_in', 'smallint'],
  ['consent_version', 'text'],
  ['source_hash', 'text'],
  ['created_at', 'text'],
] as const;
const COLUMN_NAMES = COLUMNS.map(([name]) => name).join(', ');
type LoadedRow = [
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  string | null,
  number,
  string,
  string,
  string,
];

/** The `n`th signature of a load (numbered from `first`) of `rows` spread from `start` to `end`. */
function rowMaker(options: LoadOptions, first: number): (n: number, hash: string) => LoadedRow {
  const { campaignSlug, consentVersion, rows } = options;
  const end = (options.end ?? new Date()).getTime() - 60_000;
  const start = end - 60 * DAY_MS;
  // 200 countries with a Zipf-like weight: a few large, a long tail, as a viral campaign looks.
  const large = [
    'US',
    'GB',
    'CA',
    'DE',
    'FR',
    'AU',
    'IN',
    'BR',
    'ES',
    'IT',
    'NL',
    'MX',
    'IE',
    'SE',
    'NZ',
    'JP',
    'ZA',
    'PL',
    'NG',
    'PH',
  ];
  const order = [...large, ...COUNTRIES.map((c) => c.code).filter((c) => !large.includes(c))].slice(0, 200);
  const weights = order.map((_, i) => 1 / (i + 1));
  const cumulative: number[] = [];
  weights.reduce((sum, w, i) => (cumulative[i] = sum + w), 0);
  const total = cumulative[cumulative.length - 1] as number;
  const pickCountry = (r: number): string => {
    const target = r * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] as number) < target) lo = mid + 1;
      else hi = mid;
    }
    return order[lo] as string;
  };

  return (n, hash) => {
    const i = n - first;
    const f = FIRST[n % FIRST.length] as string;
    const l = LAST[(n * 7) % LAST.length] as string;
    const email = `${f}.${l}.${n}@example.org`.normalize('NFKD').replace(/[^\x20-\x7e]/g, '');
    const country = pickCountry(Math.random());
    const postal = country === 'US' ? String(10000 + (n % 89999)) : `${1000 + (n % 8999)}`;
    const comment = n % 20 === 0 ? (COMMENTS[n % COMMENTS.length] as string) : null;
    const createdAt = new Date(start + ((i + Math.random()) / rows) * (end - start)).toISOString();
    const optedIn = n % 5 < 2 ? 1 : 0;
    return [
      campaignSlug,
      f,
      l,
      email,
      email.toLowerCase(),
      country,
      postal,
      comment,
      optedIn,
      consentVersion,
      hash,
      createdAt,
    ];
  };
}

/** Random 16-byte hashes for rows from..to, as the app stores them. */
const hashesFor = (count: number): string[] => {
  const bytes = randomBytes(count * 16);
  return Array.from({ length: count }, (_, i) => bytes.subarray(i * 16, (i + 1) * 16).toString('base64url'));
};

export function loadSignatures(options: LoadOptions): { rows: number; seconds: number } {
  const { databasePath, campaignSlug, rows } = options;
  const batch = options.batch ?? 50_000;
  const db = openDatabase(databasePath);
  // A bulk load into a file nobody has open: no journal and no fsync (WAL is back on at the end).
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  // Room for the indexes being built (the email index is written in random order).
  db.pragma('cache_size = -262144');
  db.prepare('INSERT INTO campaigns (slug) VALUES (?) ON CONFLICT (slug) DO NOTHING').run(campaignSlug);
  const first = (db.prepare('SELECT count(*) FROM signatures').pluck().get() as number) + 1;
  const insert = db.prepare(`INSERT INTO signatures (${COLUMN_NAMES}) VALUES (${COLUMNS.map(() => '?').join(', ')})`);
  const row = rowMaker(options, first);
  const insertBatch = db.transaction((from: number, to: number) => {
    const hashes = hashesFor(to - from);
    for (let n = from; n < to; n++) insert.run(...row(n, hashes[n - from] as string));
  });

  const began = performance.now();
  for (let from = first; from < first + rows; from += batch) insertBatch(from, Math.min(from + batch, first + rows));
  db.pragma('journal_mode = WAL');
  db.close();
  return { rows, seconds: (performance.now() - began) / 1000 };
}

/**
 * The same load into PostgreSQL: one multi-row INSERT … SELECT FROM unnest per 10,000 rows, the shape
 * the app's group commit uses, so the statement-level counting triggers run once per batch. The
 * session commits without waiting for the disk: a benchmark's bulk load, not a signer waiting.
 */
export async function loadSignaturesPostgres(
  options: LoadOptions & { databaseUrl: string },
): Promise<{ rows: number; seconds: number }> {
  const { campaignSlug, rows } = options;
  const batch = options.batch ?? 10_000;
  const pool = await openPostgres(options.databaseUrl);
  const client = await pool.connect();
  try {
    await client.query('SET synchronous_commit = off');
    await client.query('INSERT INTO campaigns (slug) VALUES ($1) ON CONFLICT (slug) DO NOTHING', [campaignSlug]);
    const { rows: counted } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM signatures');
    const first = (counted[0]?.n ?? 0) + 1;
    const row = rowMaker(options, first);
    const sql =
      `INSERT INTO signatures (${COLUMN_NAMES}) ` +
      `SELECT * FROM unnest(${COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')})`;
    const began = performance.now();
    for (let from = first; from < first + rows; from += batch) {
      const to = Math.min(from + batch, first + rows);
      const hashes = hashesFor(to - from);
      const columns: unknown[][] = COLUMNS.map(() => []);
      for (let n = from; n < to; n++) row(n, hashes[n - from] as string).forEach((v, c) => columns[c]?.push(v));
      await client.query(sql, columns);
    }
    await client.query('VACUUM ANALYZE signatures');
    return { rows, seconds: (performance.now() - began) / 1000 };
  } finally {
    client.release();
    await pool.end();
  }
}

// `tsx bench/loadSignatures.ts <database> <slug> <rows>` loads on its own.
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const [database, campaignSlug = 'amazon-ring', rows = '1000000'] = process.argv.slice(2);
  if (!database) throw new Error('usage: tsx bench/loadSignatures.ts <database file or postgres:// URL> [slug] [rows]');
  const options = { databasePath: database, campaignSlug, consentVersion: 'bench', rows: Number(rows) };
  const result = /^postgres(ql)?:/.test(database)
    ? await loadSignaturesPostgres({ ...options, databaseUrl: database })
    : loadSignatures(options);
  console.log(
    `loaded ${result.rows} signatures in ${result.seconds.toFixed(1)} s (${Math.round(result.rows / result.seconds)} rows/s)`,
  );
}
