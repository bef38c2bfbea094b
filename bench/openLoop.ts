import { connect, type Socket } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * A fixed arrival rate (open loop): each request starts at its scheduled time and its latency is counted
 * from that time, so a server that falls behind shows it in p99 instead of silently slowing the client
 * down (coordinated omission). wrk cannot do this (it is a closed loop), and Node's http client costs
 * more per request than the server it measures; so this is a small HTTP/1.1 client over raw keep-alive
 * sockets: the request bytes are written as they are, and a response is read only far enough to know
 * its status and where it ends.
 */
export interface RequestSpec {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface Stream {
  kind: string;
  /** Requests per second, started on schedule whatever the server does. */
  rate: number;
  next(): RequestSpec;
  expect: number;
  /** A request made straight after this one is answered (a browser following a redirect). */
  follow?(headers: Map<string, string[]>): { spec: RequestSpec; expect: number } | undefined;
}

export interface KindResult {
  requests: number;
  p50: number;
  p99: number;
  errors: number;
  unexpected: number;
}

export interface OpenLoopResult {
  /** Per kind and overall ("all"). */
  byKind: Record<string, KindResult>;
  offeredRps: number;
  /** Answers per second over the measured time. */
  achievedRps: number;
  /** How late the generator itself was in starting requests (99th percentile and worst, ms). */
  sendLagP99: number;
  sendLagMax: number;
  /** The generator's longest event-loop stall (ms). */
  generatorLoopDelayMax: number;
}

interface Pending {
  kind: string;
  intended: number;
  expect: number;
  wantHeaders: boolean;
  follow?: Stream['follow'];
}

const CRLF2 = Buffer.from('\r\n\r\n');

/** One keep-alive connection: one request at a time, its response parsed just enough. */
class Connection {
  readonly socket: Socket;
  private buffer: Buffer = Buffer.alloc(0);
  private pending: Pending | undefined;
  private need = -1;
  private status = 0;
  private headers: Map<string, string[]> | undefined;
  private chunked = false;
  dead = false;

  constructor(
    host: string,
    port: number,
    private readonly done: (
      conn: Connection,
      p: Pending,
      status: number | undefined,
      h?: Map<string, string[]>,
    ) => void,
  ) {
    this.socket = connect({ host, port, noDelay: true });
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    const fail = () => {
      if (this.dead) return;
      this.dead = true;
      const p = this.pending;
      this.pending = undefined;
      if (p) this.done(this, p, undefined);
    };
    this.socket.on('error', fail);
    this.socket.on('close', fail);
  }

  get busy(): boolean {
    return this.pending !== undefined;
  }

  send(bytes: Buffer, pending: Pending): void {
    this.pending = pending;
    this.need = -1;
    this.socket.write(bytes);
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      if (!this.pending) return;
      if (this.need < 0) {
        const end = this.buffer.indexOf(CRLF2);
        if (end < 0) return;
        const head = this.buffer.subarray(0, end).toString('latin1');
        this.buffer = this.buffer.subarray(end + 4);
        this.status = Number(head.slice(9, 12));
        const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        this.chunked = !length && /\r\ntransfer-encoding:\s*chunked/i.test(head);
        // A HEAD or 304 carries no body whatever its length says; the benchmark sends neither.
        this.need = this.chunked ? 0 : Number(length?.[1] ?? 0);
        this.headers = this.pending.wantHeaders ? parseHeaders(head) : undefined;
      }
      if (this.chunked) {
        // One request at a time on a connection, so the response ends where the bytes received do:
        // enough to spot the last chunk without decoding the others.
        const tail = this.buffer.subarray(-7).toString('latin1');
        if (!tail.endsWith('\n0\r\n\r\n') && this.buffer.toString('latin1') !== '0\r\n\r\n') return;
        this.buffer = Buffer.alloc(0);
      } else {
        if (this.buffer.length < this.need) return;
        this.buffer = this.buffer.subarray(this.need);
      }
      const p = this.pending;
      this.pending = undefined;
      this.need = -1;
      this.done(this, p, this.status, this.headers);
    }
  }
}

function parseHeaders(head: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    map.set(name, [...(map.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  return map;
}

function requestBytes(host: string, spec: RequestSpec): Buffer {
  const body = spec.body === undefined ? undefined : Buffer.from(spec.body);
  let head = `${spec.method} ${spec.path} HTTP/1.1\r\nHost: ${host}\r\n`;
  for (const [name, value] of Object.entries(spec.headers ?? {})) head += `${name}: ${value}\r\n`;
  if (body) head += `Content-Length: ${body.length}\r\n`;
  head += '\r\n';
  return body ? Buffer.concat([Buffer.from(head), body]) : Buffer.from(head);
}

const percentile = (sorted: Float64Array, p: number): number =>
  sorted.length ? (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number) : NaN;

export async function openLoop(baseUrl: string, streams: Stream[], seconds: number): Promise<OpenLoopResult> {
  const target = new URL(baseUrl);
  const host = target.hostname;
  const port = Number(target.port);
  const idle: Connection[] = [];
  const all = new Set<Connection>();
  const latencies = new Map<string, number[]>();
  const errors = new Map<string, number>();
  const unexpected = new Map<string, number>();
  const lags: number[] = [];
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const backlog: { bytes: Buffer; pending: Pending }[] = [];
  const MAX_CONNECTIONS = 512;

  const record = (kind: string, ms: number, status: number | undefined, expect: number) => {
    let list = latencies.get(kind);
    if (!list) latencies.set(kind, (list = []));
    list.push(ms);
    if (status === undefined) errors.set(kind, (errors.get(kind) ?? 0) + 1);
    else if (status !== expect) unexpected.set(kind, (unexpected.get(kind) ?? 0) + 1);
  };

  const onDone = (conn: Connection, p: Pending, status: number | undefined, headers?: Map<string, string[]>) => {
    const now = performance.now();
    record(p.kind, now - p.intended, status, p.expect);
    inFlight--;
    if (conn.dead) all.delete(conn);
    else idle.push(conn);
    const next = status !== undefined && headers && p.follow?.(headers);
    if (next) issue(`${p.kind} → follow`, next.spec, next.expect, now);
    const queued = backlog.shift();
    if (queued) dispatch(queued.bytes, queued.pending);
    if (inFlight === 0) drained?.();
  };

  function dispatch(bytes: Buffer, pending: Pending) {
    inFlight++;
    let conn = idle.pop();
    while (conn?.dead) {
      all.delete(conn);
      conn = idle.pop();
    }
    if (!conn) {
      if (all.size >= MAX_CONNECTIONS) {
        // Every connection is waiting for the server: the request waits too, and its latency (counted
        // from when it was due) shows it.
        inFlight--;
        backlog.push({ bytes, pending });
        return;
      }
      conn = new Connection(host, port, onDone);
      all.add(conn);
    }
    conn.send(bytes, pending);
  }

  function issue(kind: string, spec: RequestSpec, expect: number, intended: number, follow?: Stream['follow']) {
    dispatch(requestBytes(`${host}:${port}`, spec), { kind, intended, expect, wantHeaders: !!follow, follow });
  }

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
          const intended = started + (n * 1000) / stream.rate;
          lags.push(now - intended);
          issue(stream.kind, stream.next(), stream.expect, intended, stream.follow?.bind(stream));
        }
      });
      if (now - started >= seconds * 1000) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  if (inFlight > 0 || backlog.length) await new Promise<void>((resolve) => (drained = resolve));
  loopDelay.disable();
  for (const conn of all) conn.socket.destroy();

  const byKind: Record<string, KindResult> = {};
  const everything: number[] = [];
  for (const [kind, values] of latencies) {
    const sorted = Float64Array.from(values).sort();
    // Not push(...values): 30,000 views/s for 8 s is more arguments than the stack holds.
    for (const v of values) everything.push(v);
    byKind[kind] = {
      requests: values.length,
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      errors: errors.get(kind) ?? 0,
      unexpected: unexpected.get(kind) ?? 0,
    };
  }
  const sortedAll = Float64Array.from(everything).sort();
  const sum = (f: (m: KindResult) => number) => Object.values(byKind).reduce((a, m) => a + f(m), 0);
  byKind.all = {
    requests: everything.length,
    p50: percentile(sortedAll, 0.5),
    p99: percentile(sortedAll, 0.99),
    errors: sum((m) => m.errors),
    unexpected: sum((m) => m.unexpected),
  };
  const sortedLags = Float64Array.from(lags).sort();
  return {
    byKind,
    offeredRps: streams.reduce((a, s) => a + s.rate, 0),
    achievedRps: everything.length / seconds,
    sendLagP99: percentile(sortedLags, 0.99),
    sendLagMax: sortedLags.at(-1) ?? 0,
    generatorLoopDelayMax: loopDelay.max / 1e6,
  };
}
