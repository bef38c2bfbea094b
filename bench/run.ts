import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, setPriority, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadCampaigns } from '../src/campaigns/content.js';
import { fromRoot } from '../src/paths.js';
import { closedLoop, openLoop, type Measured, type Stream } from './load.js';
import { loadSignatures } from './loadSignatures.js';
import { mailBench } from './mail.js';
import { organizerSession, type OrganizerSession } from './organizers.js';
import { printTable, type Row } from './report.js';
import { BUILD_DIR, startApp, startBaseline, type Running } from './servers.js';

/**
 * `npm run bench [-- --quick] [-- --profile]`: builds and starts the real app (production mode, a fresh
 * database file, rate limits and minimum fill time off) and a bare Express app, loads both with the
 * same generator, then again after loading a million signatures, then exports them as CSV.
 */
const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    rows: { type: 'string' },
    'log-level': { type: 'string', default: 'info' },
    cluster: { type: 'string' },
    connections: { type: 'string', default: '50' },
    only: { type: 'string' },
    out: { type: 'string' },
    priority: { type: 'boolean', default: false },
  },
});

const quick = args.quick ?? false;
const seconds = quick ? 3 : 10;
const warmup = quick ? 1 : 3;
const connections = Number(args.connections);
const rows = Number(args.rows ?? (quick ? 100_000 : 1_000_000));
const signings = quick ? 3_000 : 20_000;
const only = args.only ? new Set(args.only.split(',')) : undefined;
const wants = (phase: string) => !only || only.has(phase);
const cluster = args.cluster ? Number(args.cluster) : undefined;

const outDir = args.out ?? join(tmpdir(), `undersigned-bench-${new Date().toISOString().replace(/[:.]/g, '-')}`);
mkdirSync(outDir, { recursive: true });
const databasePath = join(outDir, 'bench.db');
const logFile = join(outDir, 'server.log');
const profileDir = args.profile ? join(outDir, 'profiles') : undefined;
const campaign = loadCampaigns(fromRoot('campaigns')).defaultCampaign;
const pagePath = `/campaigns/${campaign.slug}`;
const runId = Date.now().toString(36);
let signed = 0;

const FORM = 'application/x-www-form-urlencoded';
/** What every browser sends with a page or stylesheet request: the app answers it with the gzipped copy it keeps. */
const BROWSER = { 'accept-encoding': 'gzip, deflate, br' };
const PLACES = [
  ['US', '12345'],
  ['GB', 'SW1A 1AA'],
  ['DE', '10115'],
  ['FR', '75001'],
  ['CA', 'K1A 0B1'],
] as const;

/** A fresh valid signature each time: unique address, a few countries, half opted in. */
function signatureBody(): string {
  const n = signed++;
  const [country, postal] = PLACES[n % PLACES.length] as (typeof PLACES)[number];
  return new URLSearchParams({
    started: '',
    first_name: 'Bench',
    last_name: `Signer ${n}`,
    // A random start, as real addresses have: sequential ones would all land at one place in the
    // address index and hide what storing a signature costs once it holds a million others.
    email: `${randomBytes(4).toString('hex')}.bench-${runId}-${n}@example.org`,
    country,
    postal_code: postal,
    comment: n % 10 === 0 ? 'Signed during a load test.' : '',
    ...(n % 2 ? { updates: 'yes' } : {}),
    website: '',
  }).toString();
}

/** The count once it has stopped moving (no request still in flight). */
async function settledCount(app: Running): Promise<number> {
  let last = await count(app);
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    const now = await count(app);
    if (now === last) return now;
    last = now;
  }
}

async function count(app: Running): Promise<number> {
  const res = await fetch(`${app.url}${pagePath}.json`);
  return ((await res.json()) as { signatureCount: number }).signatureCount;
}

const log = (line: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);

function show(m: Measured): Measured {
  log(
    `  ${m.name}: ${Math.round(m.rps)} req/s, p50 ${m.p50.toFixed(1)} ms, p99 ${m.p99.toFixed(1)} ms, ` +
      `${m.errors} errors, ${m.unexpected} unexpected ${JSON.stringify(m.statuses)}, ${Math.round(m.bytesPerResponse)} B/response` +
      (m.cpuUsPerRequest === undefined ? '' : `, server CPU ${Math.round(m.cpuUsPerRequest)} µs/request`) +
      (m.loadAverage === undefined ? '' : `, load average ${m.loadAverage.toFixed(1)}`),
  );
  return m;
}

interface PhaseResult {
  page?: Measured;
  json?: Measured;
  css?: Measured;
  signing?: Measured & { countDelta: number };
  countPage?: Measured;
  countPageLight?: Measured;
  mixed?: {
    held: number | undefined;
    steps: {
      rate: number;
      attempt: number;
      p99: number;
      pageP99: number;
      signP99: number;
      errors: number;
      unexpected: number;
      lagP99: number;
      ok: boolean;
    }[];
  };
}

async function throughput(app: Running, session: OrganizerSession | undefined, cssPath: string): Promise<PhaseResult> {
  const result: PhaseResult = {};
  const common = { connections, duration: seconds, warmup, cpuSeconds: app.cpuSeconds };
  if (wants('page'))
    result.page = show(
      await closedLoop({ ...common, name: 'campaign page', url: app.url + pagePath, expect: 200, headers: BROWSER }),
    );
  if (wants('json'))
    result.json = show(
      await closedLoop({
        ...common,
        name: 'public JSON',
        url: `${app.url}${pagePath}.json`,
        expect: 200,
        headers: BROWSER,
      }),
    );
  if (wants('css'))
    result.css = show(
      await closedLoop({ ...common, name: 'static CSS', url: app.url + cssPath, expect: 200, headers: BROWSER }),
    );
  if (wants('sign')) {
    // Warm up on signatures of their own, so the count check below covers only the measured ones.
    const signingWarmup = {
      ...common,
      name: 'signing warm-up',
      url: `${app.url}${pagePath}/signatures`,
      method: 'POST',
      headers: { 'content-type': FORM },
      body: signatureBody,
      expect: 303,
    };
    await closedLoop({ ...signingWarmup, duration: warmup, warmup: 0 });
    // The warm-up's last requests may still be committing (in another worker, with --cluster).
    const before = await settledCount(app);
    const m = await closedLoop({
      ...common,
      name: 'signing',
      url: `${app.url}${pagePath}/signatures`,
      method: 'POST',
      headers: { 'content-type': FORM },
      body: signatureBody,
      amount: signings,
      warmup: 0,
      expect: 303,
    });
    const countDelta = (await count(app)) - before;
    show(m);
    const ok = countDelta === m.statuses['303'] && countDelta === m.requests;
    log(
      `  signing: count went up by ${countDelta} for ${m.requests} answered (${m.statuses['303'] ?? 0} × 303): ${ok ? 'equal' : 'NOT EQUAL'}`,
    );
    result.signing = { ...m, countDelta };
  }
  if (wants('count') && session) {
    // Organizers are a handful of people refreshing, not a crowd: the p99 target is for that load.
    // Measured before the flat-out run, not after it: the garbage and closing sockets that 50
    // connections of 75 kB pages leave behind landed on the first light requests (p99 250 ms there,
    // 18 ms for the same page on its own).
    const light = await openLoop(
      app.url,
      [
        {
          kind: 'organizer count page, 20/s',
          rate: 20,
          expect: 200,
          next: () => ({ method: 'GET', path: session.countPath, headers: { cookie: session.cookie } }),
        },
      ],
      seconds,
    );
    result.countPage = show(
      await closedLoop({
        ...common,
        name: 'organizer count page',
        url: app.url + session.countPath,
        headers: { cookie: session.cookie },
        expect: 200,
      }),
    );
    result.countPageLight = show(light.byKind['organizer count page, 20/s'] as Measured);
  }
  return result;
}

/** Page views at `rate`, one signature per hundred views (each followed by its thank-you page, as a browser does). */
function mixedStreams(rate: number): Stream[] {
  return [
    { kind: 'page', rate, expect: 200, next: () => ({ method: 'GET', path: pagePath, headers: BROWSER }) },
    {
      kind: 'sign',
      rate: rate / 100,
      expect: 303,
      next: () => ({
        method: 'POST',
        path: `${pagePath}/signatures`,
        headers: { 'content-type': FORM },
        body: signatureBody(),
      }),
      follow: (headers) => {
        const cookie = headers['set-cookie']?.[0]?.split(';')[0];
        const location = headers.location;
        return location
          ? { spec: { method: 'GET', path: location, headers: cookie ? { cookie } : undefined }, expect: 200 }
          : undefined;
      },
    },
  ];
}

async function mixed(app: Running, rates: number[]): Promise<NonNullable<PhaseResult['mixed']>> {
  const steps: NonNullable<PhaseResult['mixed']>['steps'] = [];
  let held: number | undefined;
  const stepSeconds = quick ? 4 : 8;
  // Each step is tried at most twice: the machine is shared (the load generator, and anything else
  // running), so one disturbed step does not end the climb; two failures in a row do.
  for (const rate of rates) {
    let ok = false;
    for (let attempt = 1; attempt <= 2 && !ok; attempt++) {
      // One unmeasured second at the same rate first: the generator's own first moments (sockets,
      // compiling its code) are slower than any server and would otherwise land in the p99.
      await openLoop(app.url, mixedStreams(rate), 1);
      const before = await count(app);
      const r = await openLoop(app.url, mixedStreams(rate), stepSeconds);
      const all = r.byKind.all as Measured;
      const sign = r.byKind.sign;
      const counted = (await count(app)) - before;
      ok = all.errors === 0 && all.unexpected === 0 && all.p99 < 200 && counted === (sign?.requests ?? 0);
      steps.push({
        rate,
        attempt,
        p99: all.p99,
        pageP99: r.byKind.page?.p99 ?? NaN,
        signP99: sign?.p99 ?? NaN,
        errors: all.errors,
        unexpected: all.unexpected,
        lagP99: r.sendLagP99,
        ok,
      });
      log(
        `  mixed ${rate} views/s + ${rate / 100} signatures/s${attempt > 1 ? ' (again)' : ''}: p50 ${all.p50.toFixed(1)} ms, p99 ${all.p99.toFixed(1)} ms ` +
          `(page ${r.byKind.page?.p99.toFixed(1)}, sign ${sign?.p99.toFixed(1)}), ${all.errors} errors, ${all.unexpected} unexpected, ` +
          `${counted} counted of ${sign?.requests ?? 0} signed, generator lag p99 ${r.sendLagP99.toFixed(1)} ms (max ${r.sendLagMax.toFixed(0)}, its event loop stalled up to ${r.generatorLoopDelayMax.toFixed(0)} ms), ` +
          `load average ${loadavg()[0]?.toFixed(1)}: ${ok ? 'held' : 'NOT held'}`,
      );
      // Let the server settle between steps.
      await new Promise((r) => setTimeout(r, 1000));
    }
    if (!ok) break;
    held = rate;
  }
  return { held, steps };
}

const MIXED_RATES = [250, 500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 5000, 6000, 7000, 8000];

async function phase(label: string, app: Running, cssPath: string): Promise<PhaseResult> {
  log(`${label}: throughput (closed loop, ${connections} connections, ${seconds} s each after ${warmup} s warm-up)`);
  const session = wants('count') ? await organizerSession(app.url, databasePath, campaign.slug) : undefined;
  if (wants('count') && !session) log('  organizer count page: not built yet, skipped');
  const result = await throughput(app, session, cssPath);
  if (wants('mixed')) {
    log(`${label}: mixed load at fixed arrival rates (open loop)`);
    result.mixed = await mixed(app, MIXED_RATES);
  }
  return result;
}

async function main(): Promise<void> {
  log(`output in ${outDir}${quick ? ' (quick mode)' : ''}`);
  if (args.priority) {
    // On a shared machine: run the generator and the servers (which inherit it) ahead of other work,
    // so that the figures are about this app rather than about the neighbours. Needs CAP_SYS_NICE.
    try {
      setPriority(-5);
      log('running at nice -5 (generator and servers)');
    } catch (error) {
      log(`could not raise priority: ${(error as Error).message}`);
    }
  }
  log(
    `machine: ${cpus().length} cores, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} at start`,
  );
  execFileSync(
    process.execPath,
    [fromRoot('node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', BUILD_DIR],
    {
      cwd: fromRoot(),
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const logLevel = args['log-level'] ?? 'info';
  const appOptions = { databasePath, port: 3901, logFile, logLevel, profileDir, cluster };
  let app = await startApp(appOptions);
  const pageHtml = await (await fetch(app.url + pagePath)).text();
  const cssPath = /href="(\/static\/css\/site\.[0-9a-f]+\.css)"/.exec(pageHtml)?.[1];
  if (!cssPath) throw new Error('no stylesheet link on the campaign page');

  const baselineRows: Measured[] = [];
  if (wants('baseline')) {
    const baseline = await startBaseline(3902, Buffer.byteLength(pageHtml), join(outDir, 'baseline.log'));
    log(`bare Express (${connections} connections, ${seconds} s)`);
    const cpuSeconds = baseline.cpuSeconds;
    baselineRows.push(
      show(
        await closedLoop({
          name: 'bare Express, small page',
          url: baseline.url + '/',
          connections,
          duration: seconds,
          warmup,
          expect: 200,
          cpuSeconds,
        }),
      ),
    );
    baselineRows.push(
      show(
        await closedLoop({
          name: 'bare Express, page-sized body',
          url: baseline.url + '/sized',
          connections,
          duration: seconds,
          warmup,
          expect: 200,
          cpuSeconds,
        }),
      ),
    );
    baselineRows.push(
      show(
        await closedLoop({
          name: 'bare Express, form POST → 303',
          url: baseline.url + '/form',
          method: 'POST',
          headers: { 'content-type': FORM },
          body: signatureBody,
          connections,
          duration: seconds,
          warmup,
          expect: 303,
          cpuSeconds,
        }),
      ),
    );
    await baseline.stop();
  }

  const empty = await phase('fresh database', app, cssPath);
  log(`app peak RSS so far ${app.peakRssMb().toFixed(0)} MB`);

  let million: PhaseResult | undefined;
  let exportResult:
    | { rows: number; seconds: number; rowsPerSecond: number; peakRssMb: number; rssBeforeMb: number; bytes: number }
    | undefined;
  if (rows > 0 && (wants('million') || wants('export'))) {
    await app.stop();
    log(`loading ${rows.toLocaleString('en-US')} signatures in batched transactions`);
    const loaded = loadSignatures({
      databasePath,
      campaignSlug: campaign.slug,
      consentVersion: campaign.consent.version,
      rows,
    });
    log(
      `  loaded in ${loaded.seconds.toFixed(1)} s (${Math.round(loaded.rows / loaded.seconds).toLocaleString('en-US')} rows/s)`,
    );
    app = await startApp(appOptions);
    if (wants('million'))
      million = await phase(`${(await count(app)).toLocaleString('en-US')} signatures`, app, cssPath);
    if (wants('export')) {
      // A fresh process, so its peak memory is the export's.
      await app.stop();
      app = await startApp(appOptions);
      const session = await organizerSession(app.url, databasePath, campaign.slug);
      if (!session?.exportPath) log('CSV export: not built yet, skipped');
      else {
        // Signing in runs scrypt, which takes its own memory; the peak that matters is the export's.
        const before = app.rssMb();
        app.resetPeak();
        log(`CSV export of every signature (server RSS before: ${before.toFixed(0)} MB)`);
        const started = performance.now();
        const res = await fetch(app.url + session.exportPath, { headers: { cookie: session.cookie } });
        let bytes = 0;
        let lines = 0;
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          bytes += chunk.length;
          // Native search, not a loop over every byte in JavaScript: this client shares the two cores
          // with the server, and counting 90 MB a byte at a time took time the server then lacked.
          const data = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
          for (let at = data.indexOf(10); at !== -1; at = data.indexOf(10, at + 1)) lines++;
        }
        const secs = (performance.now() - started) / 1000;
        const exported = lines - 1;
        exportResult = {
          rows: exported,
          seconds: secs,
          rowsPerSecond: exported / secs,
          peakRssMb: app.peakRssMb(),
          rssBeforeMb: before,
          bytes,
        };
        log(
          `  status ${res.status}, ${exported.toLocaleString('en-US')} rows, ${(bytes / 1e6).toFixed(0)} MB in ${secs.toFixed(1)} s: ` +
            `${Math.round(exported / secs).toLocaleString('en-US')} rows/s, server peak RSS ${exportResult.peakRssMb.toFixed(0)} MB`,
        );
      }
    }
  }
  log(`app peak RSS ${app.peakRssMb().toFixed(0)} MB`);
  await app.stop();
  const mail = wants('mail') ? await mailBench({ outDir, quick, connections, logLevel, port: 3903, log }) : undefined;

  const bare = baselineRows[0];
  const tableRows: Row[] = [];
  const add = (name: string, key: keyof PhaseResult, target?: number) => {
    const a = empty[key] as Measured | undefined;
    const b = million?.[key] as Measured | undefined;
    if (a)
      tableRows.push({
        name,
        empty: a,
        million: b,
        ratio: bare ? a.rps / bare.rps : undefined,
        cpuRatio: cpuRatio(a),
        target,
      });
  };
  const cpuRatio = (m: Measured) =>
    bare?.cpuUsPerRequest && m.cpuUsPerRequest ? bare.cpuUsPerRequest / m.cpuUsPerRequest : undefined;
  for (const b of baselineRows)
    tableRows.push({ name: b.name, empty: b, ratio: bare ? b.rps / bare.rps : undefined, cpuRatio: cpuRatio(b) });
  add('campaign page', 'page', 0.8);
  add('public JSON', 'json', 0.9);
  add('static CSS', 'css');
  add('signing', 'signing', 0.4);
  add('organizer count page', 'countPage');
  add('organizer count page, 20/s', 'countPageLight');
  printTable(tableRows, {
    mixedEmpty: empty.mixed?.held,
    mixedMillion: million?.mixed?.held,
    exportResult,
    rows,
  });
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGb: +(totalmem() / 2 ** 30).toFixed(1),
    freeGb: +(freemem() / 2 ** 30).toFixed(1),
    node: process.version,
    loadAverageAtEnd: loadavg(),
    priority: args.priority ? -5 : 0,
  };
  writeFileSync(
    join(outDir, 'results.json'),
    JSON.stringify(
      { machine, quick, connections, seconds, rows, baseline: baselineRows, empty, million, exportResult, mail },
      null,
      2,
    ),
  );
  log(`results written to ${join(outDir, 'results.json')}${profileDir ? `, CPU profiles in ${profileDir}` : ''}`);
}

await main();
