import { connect } from 'node:net';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db.js';
import { silentLogger } from '../../src/logger.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { buildTestApp, FIXTURE_CAMPAIGNS, rowCount, validForm } from '../helpers.js';
import { signatureBody, tempDatabase } from './server-process.js';

const SIGN = '/campaigns/amazon-ring/signatures';

/** Signs as if from behind the given X-Forwarded-For; returns the status. */
async function signFrom(
  app: Parameters<typeof request>[0],
  forwardedFor: string | undefined,
  email: string,
): Promise<number> {
  const req = request(app).post(SIGN).type('form');
  if (forwardedFor !== undefined) req.set('X-Forwarded-For', forwardedFor);
  return (await req.send(validForm({ email }))).status;
}

describe('Per-address signing limits', () => {
  it('ignore X-Forwarded-For from a direct client (TRUST_PROXY=0): a new forged address each time changes nothing', async () => {
    const { app, db } = await buildTestApp({ SIGN_RATE_LIMIT: '3', TRUST_PROXY: '0' });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push(await signFrom(app, `198.51.100.${i}`, `forged${i}@example.org`));
    expect(statuses).toEqual([303, 303, 303, 429, 429]);
    expect(rowCount(db)).toBe(3);
  });

  it('count each client behind one trusted proxy separately (TRUST_PROXY=1)', async () => {
    const { app, db } = await buildTestApp({ SIGN_RATE_LIMIT: '3', TRUST_PROXY: '1' });
    const a: number[] = [];
    for (let i = 0; i < 4; i++) a.push(await signFrom(app, '203.0.113.10', `a${i}@example.org`));
    expect(a).toEqual([303, 303, 303, 429]);
    // Another person behind the same proxy is not held back by the first.
    expect(await signFrom(app, '203.0.113.11', 'b@example.org')).toBe(303);
    expect(rowCount(db)).toBe(4);
  });

  it('trust only as many hops as configured: addresses a client prepends to X-Forwarded-For are ignored', async () => {
    const { app, db } = await buildTestApp({ SIGN_RATE_LIMIT: '3', TRUST_PROXY: '1' });
    const statuses: number[] = [];
    // The proxy appends the address it saw (203.0.113.7); everything before it came from the client.
    for (let i = 0; i < 5; i++)
      statuses.push(await signFrom(app, `10.0.0.${i}, 198.51.100.${i}, 203.0.113.7`, `hop${i}@example.org`));
    expect(statuses).toEqual([303, 303, 303, 429, 429]);
    expect(rowCount(db)).toBe(3);
  });

  it('with two proxies (TRUST_PROXY=2) count the address the outer proxy saw', async () => {
    const { app } = await buildTestApp({ SIGN_RATE_LIMIT: '2', TRUST_PROXY: '2' });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push(await signFrom(app, `192.0.2.${i}, 203.0.113.20, 10.0.0.1`, `two${i}@example.org`));
    expect(statuses).toEqual([303, 303, 429]);
    expect(await signFrom(app, '192.0.2.1, 203.0.113.21, 10.0.0.1', 'other@example.org')).toBe(303);
  });

  it('group IPv6 addresses by /56: rotating through one network’s addresses does not help, another network is separate', async () => {
    const { app, db } = await buildTestApp({ SIGN_RATE_LIMIT: '3', TRUST_PROXY: '1' });
    const sameNetwork = [
      '2001:db8:abcd:1200::1',
      '2001:db8:abcd:12ff::2',
      '2001:db8:abcd:1234:5678:9abc:def0:1',
      '2001:db8:abcd:1201::99',
    ];
    const statuses: number[] = [];
    for (const [i, address] of sameNetwork.entries())
      statuses.push(await signFrom(app, address, `v6-${i}@example.org`));
    expect(statuses).toEqual([303, 303, 303, 429]);
    expect(await signFrom(app, '2001:db8:abcd:1300::1', 'next-network@example.org')).toBe(303);
    expect(rowCount(db)).toBe(4);
  });

  it('answer 429 in the site style, with a Retry-After and nothing stored', async () => {
    const { app, db } = await buildTestApp({ SIGN_RATE_LIMIT: '1' });
    await request(app)
      .post(SIGN)
      .type('form')
      .send(validForm({ email: 'one@example.org' }))
      .expect(303);
    const limited = await request(app)
      .post(SIGN)
      .type('form')
      .send(validForm({ email: 'two@example.org' }))
      .expect(429);
    expect(limited.text).toContain('Too many signatures were sent from your connection');
    expect(limited.text).toContain('<link rel="stylesheet"');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['set-cookie']).toBeUndefined();
    expect(rowCount(db)).toBe(1);
  });

  it('do not slow down reading the campaign page', async () => {
    const { app } = await buildTestApp({ SIGN_RATE_LIMIT: '1' });
    for (let i = 0; i < 5; i++)
      await request(app)
        .post(SIGN)
        .type('form')
        .send(validForm({ email: `r${i}@example.org` }));
    await request(app).get('/').expect(200);
  });
});

describe('Bots that trip the honeypot or the minimum fill time', () => {
  it('get a response identical to a real signer’s and are not counted', async () => {
    const { app, db } = await buildTestApp({ MIN_FILL_SECONDS: '5' });
    const page = await request(app).get('/').expect(200);
    const started = /name="started" value="([^"]+)"/.exec(page.text)?.[1] as string;
    const answers = [];
    // Too fast (the clock has not moved), honeypot filled, token missing, token forged.
    answers.push(
      await request(app)
        .post(SIGN)
        .type('form')
        .send({ ...validForm(), started }),
    );
    answers.push(
      await request(app)
        .post(SIGN)
        .type('form')
        .send({ ...validForm(), started, website: 'https://spam.example' }),
    );
    answers.push(await request(app).post(SIGN).type('form').send(validForm()));
    answers.push(
      await request(app)
        .post(SIGN)
        .type('form')
        .send({ ...validForm(), started: `${started}x` }),
    );
    expect(rowCount(db)).toBe(0);
    // A person who took their time, with the same details, gets the same answer and is counted.
    const human = await (async () => {
      const { app: humanApp, clock: humanClock, db: humanDb } = await buildTestApp({ MIN_FILL_SECONDS: '5' });
      const form = await request(humanApp).get('/').expect(200);
      const token = /name="started" value="([^"]+)"/.exec(form.text)?.[1] as string;
      humanClock.advance(30_000);
      const res = await request(humanApp)
        .post(SIGN)
        .type('form')
        .send({ ...validForm(), started: token });
      expect(rowCount(humanDb)).toBe(1);
      return res;
    })();
    for (const bot of answers) {
      expect(bot.status).toBe(human.status);
      expect(bot.headers.location).toBe(human.headers.location);
      expect(bot.headers['set-cookie']).toEqual(human.headers['set-cookie']);
      expect(bot.text).toBe(human.text);
    }
  });
});

describe('Slow clients (slowloris) on the real server', () => {
  let running: RunningServer | undefined;
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  async function start() {
    const base = loadConfig({
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
      PORT: '0',
      SIGN_RATE_LIMIT: '0',
      MIN_FILL_SECONDS: '0',
      CAMPAIGNS_DIR: FIXTURE_CAMPAIGNS,
      DATABASE_PATH: tempDatabase(),
    });
    // Small limits so the test is quick; the shipped ones are 10 s for headers and 30 s per request.
    const config = { ...base, limits: { ...base.limits, headersTimeoutMs: 500, requestTimeoutMs: 1_000 } };
    running = await startServer(config, silentLogger);
    return { running, port: Number(new URL(running.url).port), databasePath: config.databasePath };
  }

  /**
   * Opens a connection, sends `first`, then one more byte every 100 ms for as long as the server
   * keeps the connection. Resolves with what the server answered when it closed the connection, or
   * 'still open' if it had not after `giveUpMs` (well past any timeout under test).
   */
  function trickle(port: number, first: string, drip: string, giveUpMs = 8_000) {
    return new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      let answer = '';
      const timer = setInterval(() => socket.write(drip), 100);
      const giveUp = setTimeout(() => finish('still open'), giveUpMs);
      function finish(result: string) {
        clearInterval(timer);
        clearTimeout(giveUp);
        socket.destroy();
        resolve(result);
      }
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
      socket.on('close', () => finish(answer || 'closed'));
      socket.on('error', () => finish(answer || 'closed'));
      socket.write(first);
    });
  }

  it('cuts off a client that never finishes its headers, while others are served', async () => {
    const { port, running: server } = await start();
    const slow = Array.from({ length: 20 }, () =>
      trickle(port, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n', 'X-Slow: 1\r\n'),
    );
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    for (const result of await Promise.all(slow)) expect(result).toMatch(/^HTTP\/1\.1 408 |^closed$/);
  });

  it('cuts off a client that sends its signature body a byte at a time, and stores nothing', async () => {
    const { port, databasePath } = await start();
    const body = signatureBody('slow@example.org');
    const head = `POST ${SIGN} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n`;
    // 100 bytes a second: the whole body would take far longer than the request timeout.
    const result = await trickle(port, head + body.slice(0, 1), 'x'.repeat(1));
    expect(result).toMatch(/^HTTP\/1\.1 408 |^closed$/);
    const db = openDatabase(databasePath);
    try {
      expect(rowCount(db)).toBe(0);
    } finally {
      db.close();
    }
  });
});
