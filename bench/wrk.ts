import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { promisify } from 'node:util';
import { fromRoot } from '../src/paths.js';

const exec = promisify(execFile);

export const WRK = ['/usr/bin/wrk', '/usr/local/bin/wrk'].find((p) => existsSync(p));

/** What one closed-loop run measured. Latencies in milliseconds. */
export interface Measured {
  name: string;
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  /** Socket errors and timeouts. */
  errors: number;
  /** Responses that were not 2xx or 3xx. */
  unexpected: number;
  bytesPerResponse: number;
  /** Server CPU time per answered request, in microseconds: steadier than req/s on a shared machine. */
  cpuUsPerRequest?: number;
  /** The machine's 1-minute load average when the run ended. */
  loadAverage?: number;
}

export interface WrkOptions {
  name: string;
  url: string;
  seconds: number;
  connections: number;
  headers?: Record<string, string>;
  /** A Lua script under bench/ (signing: a fresh body per request), and its arguments. */
  script?: string;
  scriptArgs?: string[];
  /** Reads the server's CPU seconds, to report CPU per request. */
  cpuSeconds?: () => number;
}

const toMs = (value: string, unit: string): number =>
  Number(value) * ({ us: 0.001, ms: 1, s: 1000, m: 60_000 }[unit] ?? NaN);
const toBytes = (value: string, unit: string): number =>
  Number(value) * ({ B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[unit] ?? NaN);

/** Parses wrk's report (with --latency). */
export function parseWrk(name: string, text: string): Omit<Measured, 'cpuUsPerRequest' | 'loadAverage'> {
  const latency = (p: string) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(text);
    return m ? toMs(m[1] as string, m[2] as string) : NaN;
  };
  const total = /(\d+) requests in ([\d.]+)(us|ms|s|m), ([\d.]+)(B|KB|MB|GB) read/.exec(text);
  if (!total) throw new Error(`wrk gave no result for ${name}:\n${text}`);
  const requests = Number(total[1]);
  const seconds = toMs(total[2] as string, total[3] as string) / 1000;
  const sockets = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const errors = sockets ? sockets.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0);
  return {
    name,
    requests,
    seconds,
    rps: requests / seconds,
    p50: latency('50'),
    p99: latency('99'),
    errors,
    unexpected: non2xx,
    bytesPerResponse: requests ? toBytes(total[4] as string, total[5] as string) / requests : 0,
  };
}

/**
 * As many requests as the server answers from a fixed number of connections (closed loop), with wrk:
 * one thread, so the generator takes one core at most and leaves the other to the server. wrk is C and
 * far cheaper per request than any Node client, so it stays above the servers measured here: the
 * node:http baseline answering several times what the app does under the same wrk shows it.
 */
export async function wrk(options: WrkOptions): Promise<Measured> {
  if (!WRK) throw new Error('wrk is not installed (Debian: apt-get install wrk)');
  const args = ['-t1', `-c${options.connections}`, `-d${options.seconds}s`, '--latency', '--timeout', '10s'];
  for (const [name, value] of Object.entries(options.headers ?? {})) args.push('-H', `${name}: ${value}`);
  if (options.script) args.push('-s', fromRoot('bench', options.script));
  args.push(options.url);
  if (options.scriptArgs) args.push('--', ...options.scriptArgs);
  const cpuBefore = options.cpuSeconds?.();
  const { stdout } = await exec(WRK, args, { maxBuffer: 1 << 20 });
  const measured = parseWrk(options.name, stdout);
  const cpu = cpuBefore === undefined ? undefined : ((options.cpuSeconds?.() ?? 0) - cpuBefore) * 1e6;
  return {
    ...measured,
    cpuUsPerRequest: cpu === undefined || !measured.requests ? undefined : cpu / measured.requests,
    loadAverage: loadavg()[0],
  };
}
