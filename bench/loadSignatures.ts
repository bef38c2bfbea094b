import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { realpathSync } from 'node:fs';
import { openDatabase } from '../src/db.js';
import { COUNTRIES } from '../src/signatures/countries.js';

/**
 * Loads plausible signatures straight into the SQLite file, through the app's own migrations and
 * triggers (so every counter the site reads is kept exactly as if people had signed), in large
 * batched transactions. Spread over 200 countries with a long-tailed mix, over the 60 days before
 * `end`, in time order, about 40% opted in, a few with comments.
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

export function loadSignatures(options: LoadOptions): { rows: number; seconds: number } {
  const { databasePath, campaignSlug, consentVersion, rows } = options;
  const batch = options.batch ?? 50_000;
  const end = (options.end ?? new Date()).getTime() - 60_000;
  const start = end - 60 * DAY_MS;
  const db = openDatabase(databasePath);
  // A bulk load into a file nobody has open: no journal and no fsync (WAL is back on at the end).
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  // Room for the indexes being built (the email index is written in random order).
  db.pragma('cache_size = -262144');
  db.prepare('INSERT INTO campaigns (slug) VALUES (?) ON CONFLICT (slug) DO NOTHING').run(campaignSlug);
  const first = (db.prepare('SELECT count(*) FROM signatures').pluck().get() as number) + 1;
  const insert = db.prepare(
    `INSERT INTO signatures (campaign_slug, first_name, last_name, email, email_key, country, postal_code,
                             comment, opted_in, consent_version, source_hash, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );

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

  const insertBatch = db.transaction((from: number, to: number) => {
    const hashes = randomBytes((to - from) * 16);
    for (let n = from; n < to; n++) {
      const i = n - first;
      const f = FIRST[n % FIRST.length] as string;
      const l = LAST[(n * 7) % LAST.length] as string;
      const email = `${f}.${l}.${n}@example.org`.normalize('NFKD').replace(/[^\x20-\x7e]/g, '');
      const country = pickCountry(Math.random());
      const postal = country === 'US' ? String(10000 + (n % 89999)) : `${1000 + (n % 8999)}`;
      const comment = n % 20 === 0 ? (COMMENTS[n % COMMENTS.length] as string) : null;
      const createdAt = new Date(start + ((i + Math.random()) / rows) * (end - start)).toISOString();
      const hash = hashes.subarray((n - from) * 16, (n - from + 1) * 16).toString('base64url');
      insert.run(
        campaignSlug,
        f,
        l,
        email,
        email.toLowerCase(),
        country,
        postal,
        comment,
        n % 5 < 2 ? 1 : 0,
        consentVersion,
        hash,
        createdAt,
      );
    }
  });

  const began = performance.now();
  for (let from = first; from < first + rows; from += batch) insertBatch(from, Math.min(from + batch, first + rows));
  db.pragma('journal_mode = WAL');
  db.close();
  return { rows, seconds: (performance.now() - began) / 1000 };
}

// `tsx bench/loadSignatures.ts <database> <slug> <rows>` loads on its own.
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const [databasePath, campaignSlug = 'amazon-ring', rows = '1000000'] = process.argv.slice(2);
  if (!databasePath) throw new Error('usage: tsx bench/loadSignatures.ts <database file> [slug] [rows]');
  const result = loadSignatures({ databasePath, campaignSlug, consentVersion: 'bench', rows: Number(rows) });
  console.log(
    `loaded ${result.rows} signatures in ${result.seconds.toFixed(1)} s (${Math.round(result.rows / result.seconds)} rows/s)`,
  );
}
