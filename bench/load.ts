import autocannon, { type RequestSpec as AutocannonRequest } from 'autocannon';
import http from 'node:http';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** What one scenario measured. Latencies in milliseconds. */
export interface Measured {
  name: string;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  /** Socket errors and timeouts. */
  errors: number;
  /** Responses whose status was not the one the scenario expects. */
  unexpected: number;
  statuses: Record<string, number>;
  bytesPerResponse: number;
  /** Server CPU time per answered request, in microseconds: steadier than req/s on a shared machine. */
  cpuUsPerRequest?: number;
  /** The machine's 1-minute load average when the scenario ended. */
  loadAverage?: number;
}

export interface ClosedLoopOptions {
  name: string;
  url: string;
  connections: number;
  duration?: number;
  amount?: number;
  warmup: number;
  expect: number;
  method?: string;
  headers?: Record<string, string>;
  /** A fresh body per request (signing). */
  body?: () => string;
  /** Reads the server's CPU seconds, to report CPU per request. */
  cpuSeconds?: () => number;
}

/**
 * As many requests as the server answers, from a fixed number of connections (closed loop):
 * autocannon, in this process, sharing the machine's cores with the server.
 */
export async function closedLoop(options: ClosedLoopOptions): Promise<Measured> {
  const makeBody = options.body;
  const request = {
    method: options.method ?? 'GET',
    headers: options.headers,
    ...(makeBody ? { setupRequest: (req: AutocannonRequest) => ({ ...req, body: makeBody() }) } : {}),
  };
  const base = { url: options.url, connections: options.connections, timeout: 10, requests: [request] };
  if (options.warmup > 0 && !options.amount) await autocannon({ ...base, duration: options.warmup });
  const cpuBefore = options.cpuSeconds?.();
  // Timed here, to the last answer: after a set amount autocannon waits for the next tick of its
  // one-second timer before it ends, so its own duration made 3,000 signatures in 1.5 s read as 1,485 a
  // second whatever the server did.
  const startedAt = performance.now();
  let lastAnswer = startedAt;
  const run = autocannon(
    options.amount ? { ...base, amount: options.amount } : { ...base, duration: options.duration ?? 10 },
  );
  run.on('response', () => {
    lastAnswer = performance.now();
  });
  const result = await run;
  const statuses = Object.fromEntries(
    Object.entries(result.statusCodeStats).map(([code, s]) => [code, Number(s.count)]),
  );
  const answered = Object.values(statuses).reduce((a, b) => a + b, 0);
  const seconds = (lastAnswer - startedAt) / 1000;
  return {
    name: options.name,
    requests: answered,
    rps: answered / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    unexpected: answered - (statuses[String(options.expect)] ?? 0),
    statuses,
    bytesPerResponse: answered ? result.throughput.total / answered : 0,
    cpuUsPerRequest:
      cpuBefore === undefined || !answered ? undefined : (((options.cpuSeconds?.() ?? 0) - cpuBefore) * 1e6) / answered,
    loadAverage: loadavg()[0],
  };
}

export interface RequestSpec {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface Stream {
  kind: string;
  /** Requests per second, started on schedule whatever the server does (open loop). */
  rate: number;
  next(): RequestSpec;
  expect: number;
  /** A request the client makes straight after this one answered (a browser following a redirect). */
  follow?(headers: http.IncomingHttpHeaders): { spec: RequestSpec; expect: number } | undefined;
}

export interface OpenLoopResult {
  /** Per kind and overall ("all"). */
  byKind: Record<string, Measured>;
  /** How late the generator itself started requests (99th percentile and worst, ms): when it is large the machine, not the server, was the bottleneck. */
  sendLagP99: number;
  sendLagMax: number;
  /** The generator's longest event-loop stall (ms). */
  generatorLoopDelayMax: number;
  offeredRps: number;
  achievedRps: number;
}

const percentile = (sorted: Float64Array, p: number): number =>
  sorted.length ? (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number) : NaN;

/**
 * A fixed arrival rate (open loop): each request starts at its scheduled time and its latency is
 * counted from that time, so a server that falls behind shows it in p99 instead of silently
 * slowing the client down (autocannon's own rate option sends each second's requests in a burst).
 */
export async function openLoop(baseUrl: string, streams: Stream[], seconds: number): Promise<OpenLoopResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });
  const target = new URL(baseUrl);
  const latencies = new Map<string, number[]>();
  const statuses = new Map<string, Record<string, number>>();
  const errors = new Map<string, number>();
  const unexpected = new Map<string, number>();
  const bytes = new Map<string, number>();
  let inFlight = 0;
  let drained: (() => void) | undefined;

  const record = (kind: string, ms: number, status: number | undefined, expect: number, size: number) => {
    if (!latencies.has(kind)) {
      latencies.set(kind, []);
      statuses.set(kind, {});
    }
    latencies.get(kind)?.push(ms);
    bytes.set(kind, (bytes.get(kind) ?? 0) + size);
    const counts = statuses.get(kind) as Record<string, number>;
    const key = status === undefined ? 'error' : String(status);
    counts[key] = (counts[key] ?? 0) + 1;
    if (status === undefined) errors.set(kind, (errors.get(kind) ?? 0) + 1);
    else if (status !== expect) unexpected.set(kind, (unexpected.get(kind) ?? 0) + 1);
  };

  const lags: number[] = [];
  const fire = (kind: string, spec: RequestSpec, expect: number, intended: number, follow?: Stream['follow']) => {
    inFlight++;
    lags.push(performance.now() - intended);
    const done = () => {
      inFlight--;
      if (inFlight === 0) drained?.();
    };
    const req = http.request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        method: spec.method,
        path: spec.path,
        headers: spec.headers,
        timeout: 10_000,
      },
      (res) => {
        let size = 0;
        res.on('data', (chunk: Buffer) => (size += chunk.length));
        res.on('end', () => {
          record(kind, performance.now() - intended, res.statusCode, expect, size);
          const next = follow?.(res.headers);
          if (next) fire(`${kind} → follow`, next.spec, next.expect, performance.now());
          done();
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => {
      record(kind, performance.now() - intended, undefined, expect, 0);
      done();
    });
    req.end(spec.body);
  };

  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const started = performance.now();
  const issued = streams.map(() => 0);
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      const elapsed = Math.min(now - started, seconds * 1000);
      streams.forEach((stream, i) => {
        // Request n is due at n / rate seconds: those due by now, and none at or after the end.
        const due = Math.min(Math.floor((stream.rate * elapsed) / 1000) + 1, Math.ceil(stream.rate * seconds));
        while ((issued[i] as number) < due) {
          const n = issued[i] as number;
          issued[i] = n + 1;
          fire(
            stream.kind,
            stream.next(),
            stream.expect,
            started + (n * 1000) / stream.rate,
            stream.follow?.bind(stream),
          );
        }
      });
      if (now - started >= seconds * 1000) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
  agent.destroy();
  loopDelay.disable();

  const byKind: Record<string, Measured> = {};
  const all: number[] = [];
  for (const [kind, values] of latencies) {
    const sorted = Float64Array.from(values).sort();
    all.push(...values);
    byKind[kind] = {
      name: kind,
      requests: values.length,
      rps: values.length / seconds,
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      errors: errors.get(kind) ?? 0,
      unexpected: unexpected.get(kind) ?? 0,
      statuses: statuses.get(kind) ?? {},
      bytesPerResponse: (bytes.get(kind) ?? 0) / values.length,
    };
  }
  const sortedAll = Float64Array.from(all).sort();
  const sum = (f: (m: Measured) => number) => Object.values(byKind).reduce((a, m) => a + f(m), 0);
  byKind.all = {
    name: 'all',
    requests: all.length,
    rps: all.length / seconds,
    p50: percentile(sortedAll, 0.5),
    p99: percentile(sortedAll, 0.99),
    errors: sum((m) => m.errors),
    unexpected: sum((m) => m.unexpected),
    statuses: {},
    bytesPerResponse: 0,
  };
  const offered = streams.reduce((a, s) => a + s.rate, 0);
  const sortedLags = Float64Array.from(lags).sort();
  return {
    byKind,
    offeredRps: offered,
    achievedRps: all.length / seconds,
    sendLagP99: percentile(sortedLags, 0.99),
    sendLagMax: sortedLags.at(-1) ?? 0,
    generatorLoopDelayMax: loopDelay.max / 1e6,
  };
}
