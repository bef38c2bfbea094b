import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromRoot } from '../src/paths.js';
import { buildTestApp, validForm } from './helpers.js';
import { capturingLogger } from './privacy-helpers.js';
import { buildServer, freePort, signatureBody, sleep } from './robustness/server-process.js';

type Line = Record<string, unknown>;
const requestLines = (text: string): Line[] =>
  text
    .split('\n')
    // The server also prints where it serves, for a person at a terminal: not a log line.
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line)
    .filter((l) => l.msg === 'request');

describe('request log lines', () => {
  it('views answered from a kept copy (before Express) → one line each, as for the first view', async () => {
    const capture = capturingLogger();
    const { app } = await buildTestApp({}, {}, { logger: capture.logger });
    for (let i = 0; i < 5; i++) await request(app).get('/campaigns/amazon-ring').expect(200);
    await request(app).post('/campaigns/amazon-ring/signatures').type('form').send(validForm()).expect(303);
    for (let i = 0; i < 3; i++) await request(app).get('/campaigns/amazon-ring.json').expect(200);
    const lines = requestLines(capture.text());
    expect(lines.map((l) => `${l.method as string} ${l.path as string} ${l.status as number}`)).toEqual([
      ...Array<string>(5).fill('GET /campaigns/amazon-ring 200'),
      'POST /campaigns/amazon-ring/signatures 303',
      ...Array<string>(3).fill('GET /campaigns/amazon-ring.json 200'),
    ]);
  });

  it('an address logged elsewhere is still redacted, though request lines skip redaction', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = pino({ redact: { paths: ['*.email'], censor: '[redacted]' } }, stream);
    const { app } = await buildTestApp({}, {}, { logger });
    await request(app).get('/campaigns/amazon-ring').expect(200);
    logger.info({ signer: { email: 'ada@example.org' } }, 'something');
    expect(lines.join('')).not.toContain('ada@example.org');
    expect(lines.join('')).toContain('[redacted]');
    expect(requestLines(lines.join(''))).toHaveLength(1);
  });
});

describe('the server process stopped with SIGTERM', () => {
  let serverJs: string;
  beforeAll(async () => {
    serverJs = await buildServer();
  }, 120_000);
  const children: { kill(signal: NodeJS.Signals): void }[] = [];
  afterAll(() => children.forEach((c) => c.kill('SIGKILL')));

  it('every request answered before it → its line is in the log (none left in the buffer)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'undersigned-log-'));
    const logFile = join(dir, 'server.log');
    const port = await freePort();
    const child = spawn(process.execPath, [serverJs], {
      cwd: fromRoot(),
      env: {
        PATH: process.env.PATH,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_PATH: join(dir, 'site.db'),
        CAMPAIGNS_DIR: fromRoot('test', 'fixtures', 'campaigns'),
        MIN_FILL_SECONDS: '0',
        SIGN_RATE_LIMIT: '0',
        NODE_ENV: 'production',
        BASE_URL: `http://127.0.0.1:${port}`,
        SECRET_KEY: 'test-secret-test-secret-test-secret-test',
        LOG_LEVEL: 'info',
      },
      // As a deployment sends it: stdout to a file.
      stdio: ['ignore', openSync(logFile, 'w'), 'inherit'],
    });
    children.push(child);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const url = `http://127.0.0.1:${port}`;
    for (let attempt = 0; ; attempt++) {
      try {
        if ((await fetch(`${url}/healthz`)).ok) break;
      } catch {
        // not listening yet
      }
      if (attempt > 200) throw new Error('the server did not start');
      await sleep(50);
    }
    // Fewer bytes of log than the 4 kB the logger gathers before writing: all of it waits in the buffer.
    const views = 20;
    for (let i = 0; i < views; i++) await (await fetch(`${url}/campaigns/amazon-ring.json?n=${i}`)).arrayBuffer();
    const signed = await fetch(`${url}/campaigns/amazon-ring/signatures`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: signatureBody('ada@example.org'),
      redirect: 'manual',
    });
    expect(signed.status).toBe(303);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const lines = requestLines(readFileSync(logFile, 'utf8'));
    expect(lines.filter((l) => l.path === '/campaigns/amazon-ring.json')).toHaveLength(views);
    expect(lines.filter((l) => l.method === 'POST' && l.status === 303)).toHaveLength(1);
  }, 60_000);
});
