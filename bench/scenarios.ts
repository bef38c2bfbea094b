import { loadavg } from 'node:os';
import { join } from 'node:path';
import { openLoop, type Stream } from './openLoop.js';
import { organizerSession } from './organizers.js';
import type { Bench, Scenario } from './scenario.js';
import { startSigningCeiling, type Running } from './servers.js';
import { wrk, type Measured } from './wrk.js';

const FORM = 'application/x-www-form-urlencoded';

/** Runs of each server with the same wrk, one after the other, added up per server. */
function combine(name: string, runs: Measured[]): Measured {
  const requests = runs.reduce((a, m) => a + m.requests, 0);
  const seconds = runs.reduce((a, m) => a + m.seconds, 0);
  const cpu = runs.every((m) => m.cpuUsPerRequest !== undefined)
    ? runs.reduce((a, m) => a + (m.cpuUsPerRequest as number) * m.requests, 0) / requests
    : undefined;
  return {
    name,
    requests,
    seconds,
    rps: requests / seconds,
    p50: runs.reduce((a, m) => a + m.p50, 0) / runs.length,
    // The worst run's: a shared machine's disturbance should show, not be averaged away.
    p99: Math.max(...runs.map((m) => m.p99)),
    errors: runs.reduce((a, m) => a + m.errors, 0),
    unexpected: runs.reduce((a, m) => a + m.unexpected, 0),
    bytesPerResponse: runs.reduce((a, m) => a + m.bytesPerResponse * m.requests, 0) / requests,
    cpuUsPerRequest: cpu,
    loadAverage: Math.max(...runs.map((m) => m.loadAverage ?? 0)),
  };
}

const TARGET_RATIO = 0.7;

/**
 * The campaign page, its JSON and the stylesheet: the app, a plain node:http server sending the same
 * bytes and headers, and bare Express sending them, under the same wrk, alternating (app, node:http,
 * Express, and again), so a disturbance of the shared machine falls on all three alike. The ratio
 * to node:http is the target; node:http over the app shows that wrk is not the ceiling.
 */
export const throughput: Scenario = {
  id: 'throughput',
  phases: ['fresh', 'scale'],
  async run(b) {
    const jsonPath = `${b.pagePath}.json`;
    const targets = [
      { name: 'campaign page', path: b.pagePath },
      { name: 'public JSON', path: jsonPath },
      { name: 'static CSS', path: b.cssPath },
    ];
    const rounds = b.quick ? 1 : 2;
    const common = { seconds: b.seconds, connections: b.connections, headers: b.browser };
    if (b.phase === 'scale') {
      // At scale only the app: the baselines send the same bytes whatever the database holds.
      for (const t of targets) {
        await wrk({ ...common, seconds: 1, name: 'warm-up', url: b.app.url + t.path });
        const m = await wrk({ ...common, name: t.name, url: b.app.url + t.path, cpuSeconds: b.app.cpuSeconds });
        b.record({ phase: b.phase, scenario: t.name, server: 'app', measured: m });
      }
      return;
    }
    const baselines = await b.baselines(targets.map((t) => t.path));
    try {
      const servers: [string, Running][] = [
        ['app', b.app],
        ['node:http', baselines.node],
        ['bare Express', baselines.express],
      ];
      for (const t of targets) {
        for (const [, server] of servers)
          await wrk({ ...common, seconds: 1, name: 'warm-up', url: server.url + t.path });
        const runs = new Map<string, Measured[]>(servers.map(([name]) => [name, []]));
        for (let round = 0; round < rounds; round++)
          for (const [name, server] of servers) {
            const m = await wrk({ ...common, name: t.name, url: server.url + t.path, cpuSeconds: server.cpuSeconds });
            runs.get(name)?.push(m);
            b.log(
              `  ${t.name}, ${name}: ${Math.round(m.rps)} req/s, p99 ${m.p99.toFixed(1)} ms, CPU ${Math.round(m.cpuUsPerRequest ?? NaN)} µs/request, load ${m.loadAverage?.toFixed(1)}`,
            );
          }
        const app = combine(t.name, runs.get('app') ?? []);
        const node = combine(t.name, runs.get('node:http') ?? []);
        const bare = combine(t.name, runs.get('bare Express') ?? []);
        const ratio = app.rps / node.rps;
        b.record({
          phase: b.phase,
          scenario: t.name,
          server: 'app',
          measured: app,
          ratio: { over: 'node:http', value: ratio },
          target: {
            text: `≥ ${TARGET_RATIO}× node:http`,
            met: ratio >= TARGET_RATIO && app.errors + app.unexpected === 0,
          },
        });
        b.record({
          phase: b.phase,
          scenario: t.name,
          server: 'node:http',
          measured: node,
          ratio: { over: 'node:http', value: 1 },
          note: `${(node.rps / app.rps).toFixed(1)}× the app under the same wrk`,
        });
        b.record({
          phase: b.phase,
          scenario: t.name,
          server: 'bare Express',
          measured: bare,
          ratio: { over: 'node:http', value: bare.rps / node.rps },
        });
      }
    } finally {
      await baselines.stop();
    }
  },
};

const TARGET_SIGNATURES = 5000;
/**
 * What plain node:http answered for the campaign page on the host issue 13 set its targets on
 * (65,000-73,000 req/s): 5,000 signatures/s scaled by this host's node:http over it is the same
 * demand on this host, reported beside the fixed target (which stays the one marked met).
 */
const ISSUE_HOST_NODE_PAGE_RPS = 69_000;

/**
 * Signing flat out: every request a fresh valid signature (bench/sign.lua), closed loop. Every 303 must
 * be a stored signature: the count must rise by at least the number answered 303, and by at most that
 * plus the connections (requests wrk cut off at the end may still have been stored).
 *
 * On SQLite's fresh database, alternating under the same wrk: the app; the signing ceiling
 * (bench/signingCeiling.ts: node:http with the app's form schema, repository, durable commit and
 * HMACs, and nothing of our HTTP layer), checked the same way; node:http answering the same POSTs
 * with nothing stored (the generator is not the ceiling); and node:http sending the campaign page,
 * which measures this host against the one the target was set on.
 */
export const signing: Scenario = {
  id: 'sign',
  phases: ['fresh', 'scale'],
  async run(b) {
    const path = `${b.pagePath}/signatures`;
    const compare = b.phase === 'fresh' && 'DATABASE_PATH' in b.databaseEnv;
    const rounds = compare && !b.quick ? 2 : 1;
    const baselines = compare ? await b.baselines([b.pagePath]) : undefined;
    const ceiling = compare
      ? await startSigningCeiling(3904, join(b.outDir, 'ceiling.db'), join(b.outDir, 'ceiling.log'))
      : undefined;
    try {
      const runs = new Map<string, Measured[]>();
      const stored = new Map<string, { delta: number; answered: number; exact: boolean }>();
      /** One signing run against `server`, checking that every 303 was stored. */
      const signOn = async (who: string, server: Running, round: number) => {
        const script = { script: 'sign.lua', scriptArgs: [path, `${b.runId}${b.phase}${who.length}${round}`] };
        await wrk({ ...script, name: 'warm-up', url: server.url + path, seconds: 1, connections: b.connections });
        const before = await b.settledCount(server);
        const m = await wrk({
          ...script,
          name: who,
          url: server.url + path,
          seconds: b.seconds,
          connections: b.connections,
          cpuSeconds: server.cpuSeconds,
        });
        const delta = (await b.settledCount(server)) - before;
        const answered = m.requests - m.unexpected;
        const exact = delta >= answered && delta <= answered + b.connections;
        const sum = stored.get(who) ?? { delta: 0, answered: 0, exact: true };
        stored.set(who, { delta: sum.delta + delta, answered: sum.answered + answered, exact: sum.exact && exact });
        runs.set(who, [...(runs.get(who) ?? []), m]);
        b.log(
          `  signing, ${who}: ${Math.round(m.rps)} signatures/s, p99 ${m.p99.toFixed(1)} ms, CPU ${Math.round(m.cpuUsPerRequest ?? NaN)} µs/signature, ${m.unexpected} not 303, ${m.errors} socket errors; count rose by ${delta} for ${answered} answered: ${exact ? 'every one stored' : 'NOT EQUAL'}`,
        );
      };
      /** Another server under the same wrk, for comparison only. */
      const plain = async (
        who: string,
        server: Running,
        url: string,
        options: { script?: string; scriptArgs?: string[]; headers?: Record<string, string> },
      ) => {
        await wrk({ ...options, name: 'warm-up', url, seconds: 1, connections: b.connections });
        const m = await wrk({
          ...options,
          name: who,
          url,
          seconds: b.seconds,
          connections: b.connections,
          cpuSeconds: server.cpuSeconds,
        });
        runs.set(who, [...(runs.get(who) ?? []), m]);
        b.log(
          `  ${who}: ${Math.round(m.rps)} req/s, p99 ${m.p99.toFixed(1)} ms, CPU ${Math.round(m.cpuUsPerRequest ?? NaN)} µs/request`,
        );
      };
      for (let round = 0; round < rounds; round++) {
        await signOn('app', b.app, round);
        if (!ceiling || !baselines) continue;
        await signOn('signing ceiling', ceiling, round);
        await plain('node:http, same POSTs', baselines.node, baselines.node.url + path, {
          script: 'sign.lua',
          scriptArgs: [path, `${b.runId}${round}`],
        });
        await plain('node:http, campaign page', baselines.node, baselines.node.url + b.pagePath, {
          headers: b.browser,
        });
      }
      const total = (who: string) => combine(who, runs.get(who) ?? []);
      const app = total('app');
      const appStored = stored.get('app') ?? { delta: 0, answered: 0, exact: false };
      const noteOf = (s: typeof appStored) =>
        `count +${s.delta} for ${s.answered} answered${s.exact ? '' : ': NOT EQUAL'}`;
      const target = {
        text: `≥ ${TARGET_SIGNATURES.toLocaleString('en-US')}/s, every 303 stored`,
        met: app.rps >= TARGET_SIGNATURES && appStored.exact && app.errors + app.unexpected === 0,
      };
      const appRow = { phase: b.phase, scenario: 'signing (fresh signatures)', server: 'app', measured: app, target };
      if (!ceiling) return b.record({ ...appRow, note: noteOf(appStored) });
      const top = total('signing ceiling');
      const topStored = stored.get('signing ceiling') ?? appStored;
      const posts = total('node:http, same POSTs');
      const page = total('node:http, campaign page');
      const scaled = (TARGET_SIGNATURES * page.rps) / ISSUE_HOST_NODE_PAGE_RPS;
      b.record({
        ...appRow,
        ratio: { over: 'signing ceiling', value: app.rps / top.rps },
        note:
          `${noteOf(appStored)}; host-scaled target ${Math.round(scaled).toLocaleString('en-US')}/s ` +
          `(5,000 × node:http page here / ${ISSUE_HOST_NODE_PAGE_RPS.toLocaleString('en-US')} on the issue's host): ${app.rps >= scaled ? 'met' : 'not met'}`,
      });
      b.record({
        phase: b.phase,
        scenario: 'signing (fresh signatures)',
        server: 'signing ceiling',
        measured: top,
        note: `${noteOf(topStored)}; node:http, the app's form schema, repository, durable commit and HMACs, nothing else`,
      });
      b.record({
        phase: b.phase,
        scenario: 'signing (fresh signatures)',
        server: 'node:http, nothing stored',
        measured: posts,
        note: `${(posts.rps / app.rps).toFixed(1)}× the app under the same wrk`,
      });
      b.record({
        phase: b.phase,
        scenario: 'campaign page (this host’s speed)',
        server: 'node:http',
        measured: page,
        note: `${ISSUE_HOST_NODE_PAGE_RPS.toLocaleString('en-US')} req/s on the host issue 13 was measured on`,
      });
    } finally {
      await ceiling?.stop();
      await baselines?.stop();
    }
  },
};

/** The organizer count page: 20 requests/s (a few organizers refreshing; the p99 target), then flat out. */
export const countPage: Scenario = {
  id: 'count',
  phases: ['fresh', 'scale'],
  async run(b) {
    const session = await organizerSession(b.app.url, b.databaseEnv, b.campaign.slug);
    if (!session) return b.log('  organizer count page: not in this build, skipped');
    const light = await openLoop(
      b.app.url,
      [
        {
          kind: 'count',
          rate: 20,
          expect: 200,
          next: () => ({ method: 'GET', path: session.countPath, headers: { cookie: session.cookie } }),
        },
      ],
      b.seconds,
    );
    const l = light.byKind.count;
    if (l)
      b.record({
        phase: b.phase,
        scenario: 'organizer count page, 20/s',
        server: 'app',
        measured: {
          name: 'count page 20/s',
          requests: l.requests,
          seconds: b.seconds,
          rps: l.requests / b.seconds,
          p50: l.p50,
          p99: l.p99,
          errors: l.errors,
          unexpected: l.unexpected,
          bytesPerResponse: NaN,
        },
        target: { text: 'p99 < 100 ms', met: l.p99 < 100 && l.errors + l.unexpected === 0 },
      });
    const m = await wrk({
      name: 'organizer count page',
      url: b.app.url + session.countPath,
      seconds: b.seconds,
      connections: b.connections,
      headers: { cookie: session.cookie, ...b.browser },
      cpuSeconds: b.app.cpuSeconds,
    });
    b.record({ phase: b.phase, scenario: 'organizer count page, flat out', server: 'app', measured: m });
  },
};

/** Page views at `rate`, one signature per hundred (each followed by its thank-you page, as a browser does). */
function mixedStreams(b: Bench, rate: number, signatureBody: () => string): Stream[] {
  return [
    { kind: 'page', rate, expect: 200, next: () => ({ method: 'GET', path: b.pagePath, headers: b.browser }) },
    {
      kind: 'sign',
      rate: rate / 100,
      expect: 303,
      next: () => ({
        method: 'POST',
        path: `${b.pagePath}/signatures`,
        headers: { 'Content-Type': FORM },
        body: signatureBody(),
      }),
      follow: (headers) => {
        const cookie = headers.get('set-cookie')?.[0]?.split(';')[0];
        const location = headers.get('location')?.[0];
        return location
          ? { spec: { method: 'GET', path: location, headers: cookie ? { cookie } : undefined }, expect: 200 }
          : undefined;
      },
    },
  ];
}

/** The "Revoke Article 50" peak was about 3,000 page views/s and 30 signatures/s; the target is ten times that. */
const MIXED_RATES = [1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 10_000, 12_000, 15_000, 20_000, 25_000, 30_000];
const MIXED_P99_MS = 100;

interface Climb {
  held?: { rate: number; result: Awaited<ReturnType<typeof openLoop>> };
  failed?: { rate: number; p99: number };
}

/**
 * Steps the mixed load up MIXED_RATES against `url` until a step fails twice. A step is held when p99
 * over all requests is under 100 ms, nothing failed and, when `count` is given (the app), the count rose
 * by the number signed.
 */
async function climb(b: Bench, who: string, url: string, count?: () => Promise<number>): Promise<Climb> {
  let n = 0;
  const body = () =>
    new URLSearchParams({
      started: '',
      website: '',
      first_name: 'Mixed',
      last_name: `Signer ${n}`,
      email: `${Math.random().toString(36).slice(2, 10)}.mixed-${b.runId}-${n++}@example.org`,
      country: 'GB',
      postal_code: 'SW1A 1AA',
    }).toString();
  const stepSeconds = b.quick ? 3 : 5;
  const result: Climb = {};
  for (const rate of MIXED_RATES) {
    let ok = false;
    for (let attempt = 1; attempt <= 2 && !ok; attempt++) {
      // One unmeasured second first: new connections and the generator's own first moments.
      await openLoop(url, mixedStreams(b, rate, body), 1);
      const before = count ? await count() : 0;
      const r = await openLoop(url, mixedStreams(b, rate, body), stepSeconds);
      const all = r.byKind.all;
      const signed = r.byKind.sign?.requests ?? 0;
      const counted = count ? (await count()) - before : signed;
      ok = !!all && all.errors === 0 && all.unexpected === 0 && all.p99 < MIXED_P99_MS && counted === signed;
      b.log(
        `  ${who}: mixed ${rate.toLocaleString('en-US')} views/s + ${rate / 100} signatures/s${attempt > 1 ? ' (again)' : ''}: ` +
          `achieved ${Math.round(r.achievedRps)} req/s, p50 ${all?.p50.toFixed(1)} ms, p99 ${all?.p99.toFixed(1)} ms ` +
          `(page ${r.byKind.page?.p99.toFixed(1)}, sign ${r.byKind.sign?.p99.toFixed(1)}), ${all?.errors} errors, ${all?.unexpected} unexpected, ` +
          (count ? `${counted} counted of ${signed} signed, ` : '') +
          `generator late by p99 ${r.sendLagP99.toFixed(1)} ms (its loop stalled up to ${r.generatorLoopDelayMax.toFixed(0)} ms), ` +
          `load ${loadavg()[0]?.toFixed(1)}: ${ok ? 'held' : 'NOT held'}`,
      );
      if (ok) {
        result.held = { rate, result: r };
        result.failed = undefined;
      } else result.failed = { rate, p99: all?.p99 ?? NaN };
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    if (!ok) break;
  }
  return result;
}

/**
 * The mixed load at fixed arrival rates stepping up, from this process's open-loop generator (which
 * shares the two cores with the app). Then the same climb against plain node:http sending the app's
 * page (and answering each signature with a 303 to it): where this machine and this generator stop
 * with nothing of ours in the way, so the app's figure can be read against it.
 */
export const mixed: Scenario = {
  id: 'mixed',
  phases: ['fresh'],
  async run(b) {
    const record = (server: string, { held, failed }: Climb, target: boolean) => {
      const top = held?.result.byKind.all;
      b.record({
        phase: b.phase,
        scenario: 'mixed: views/s held (+1% signing)',
        server,
        measured: {
          name: 'mixed',
          requests: top?.requests ?? 0,
          seconds: b.quick ? 3 : 5,
          rps: held?.rate ?? 0,
          p50: top?.p50 ?? NaN,
          p99: top?.p99 ?? NaN,
          errors: top?.errors ?? 0,
          unexpected: top?.unexpected ?? 0,
          bytesPerResponse: NaN,
        },
        target: target
          ? { text: '30,000 views/s + 300 signatures/s, p99 < 100 ms', met: (held?.rate ?? 0) >= 30_000 }
          : undefined,
        note: failed
          ? `next step ${failed.rate.toLocaleString('en-US')}/s: p99 ${failed.p99.toFixed(0)} ms`
          : 'every step held',
      });
    };
    record('app', await climb(b, 'app', b.app.url, b.settledCount), true);
    const baselines = await b.baselines([b.pagePath]);
    try {
      record('node:http', await climb(b, 'node:http', baselines.node.url), false);
    } finally {
      await baselines.stop();
    }
  },
};

/** The CSV export of every signature, from a freshly started process so its peak memory is the export's. */
export const csvExport: Scenario = {
  id: 'export',
  phases: ['scale'],
  async run(b) {
    const app = await b.restart();
    const session = await organizerSession(app.url, b.databaseEnv, b.campaign.slug);
    if (!session?.exportPath) return b.log('  CSV export: not in this build, skipped');
    // Signing in runs scrypt, which takes its own memory; the peak that matters is the export's.
    // With several servers behind nginx, one of them serves it: the largest process's figures.
    const before = app.rssMb() / b.servers;
    app.resetPeak();
    const started = performance.now();
    const res = await fetch(app.url + session.exportPath, { headers: { cookie: session.cookie } });
    let bytes = 0;
    let lines = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      // Native search, not a loop over every byte in JavaScript: this client shares the cores with the server.
      const data = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      for (let at = data.indexOf(10); at !== -1; at = data.indexOf(10, at + 1)) lines++;
    }
    const seconds = (performance.now() - started) / 1000;
    const rows = lines - 1;
    const peak = app.largestPeakRssMb();
    b.log(
      `  CSV export: status ${res.status}, ${rows.toLocaleString('en-US')} rows, ${(bytes / 1e6).toFixed(0)} MB in ${seconds.toFixed(1)} s, peak RSS ${peak.toFixed(0)} MB (${before.toFixed(0)} MB before)`,
    );
    b.record({
      phase: b.phase,
      scenario: 'CSV export (rows/s)',
      server: 'app',
      measured: {
        name: 'export',
        requests: rows,
        seconds,
        rps: rows / seconds,
        p50: NaN,
        p99: NaN,
        errors: res.status === 200 ? 0 : 1,
        unexpected: 0,
        bytesPerResponse: bytes,
      },
      target: { text: '≥ 100,000 rows/s, peak RSS < 250 MB', met: rows / seconds >= 100_000 && peak < 250 },
      note: `${rows.toLocaleString('en-US')} rows, peak RSS ${peak.toFixed(0)} MB`,
    });
  },
};
