import autocannon, { type RequestSpec as AutocannonRequest } from 'autocannon';
import { loadavg } from 'node:os';

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
