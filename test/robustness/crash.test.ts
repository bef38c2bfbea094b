import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db.js';
import {
  buildServer,
  sign,
  sleep,
  spawnServerProcess,
  startServerProcess,
  tempDatabase,
  type ServerProcess,
} from './server-process.js';

const ROUNDS = 3;
const WORKERS = 12;

let serverJs: string;
const running: ServerProcess[] = [];

beforeAll(async () => {
  serverJs = await buildServer();
}, 180_000);

afterAll(() => {
  for (const server of running) server.child.kill('SIGKILL');
});

/** Sends distinct signatures from several workers until told to stop; records what each got. */
function load(url: string, prefix: string) {
  const answered = new Map<string, number | 'failed'>();
  let stopped = false;
  let next = 0;
  let acknowledge: () => void = () => {};
  const firstAcknowledged = new Promise<void>((resolve) => (acknowledge = resolve));
  const workers = Array.from({ length: WORKERS }, async () => {
    while (!stopped) {
      const email = `${prefix}-${next++}@example.org`;
      const status = await sign(url, email);
      answered.set(email, status);
      if (status === 303) acknowledge();
      if (status === 'failed') return;
    }
  });
  return {
    answered,
    firstAcknowledged,
    stop: async () => {
      stopped = true;
      await Promise.all(workers);
    },
  };
}

describe('The server killed with SIGKILL while signatures arrive', () => {
  it('keeps every signature that was answered 303, exactly once, with the count equal to the rows', async () => {
    const databasePath = tempDatabase();
    const acknowledged = new Set<string>();
    const sent = new Set<string>();
    // First a kill during the very first start, somewhere in creating the file and migrating it.
    const starting = await spawnServerProcess(serverJs, databasePath);
    running.push(starting);
    await sleep(Math.floor(Math.random() * 400));
    starting.child.kill('SIGKILL');
    await starting.exited;
    for (let round = 0; round < ROUNDS; round++) {
      const server = await startServerProcess(serverJs, databasePath);
      running.push(server);
      const traffic = load(server.url, `round${round}`);
      // A random moment once signing is under way: sometimes at once, sometimes well into the load.
      await traffic.firstAcknowledged;
      await sleep(Math.floor(Math.random() * 700));
      server.child.kill('SIGKILL');
      expect((await server.exited).signal).toBe('SIGKILL');
      await traffic.stop();
      for (const [email, status] of traffic.answered) {
        sent.add(email);
        if (status === 303) acknowledged.add(email);
        else expect(status).toBe('failed');
      }
    }
    // Signatures were acknowledged in every round, so the check below means something.
    expect(acknowledged.size).toBeGreaterThanOrEqual(ROUNDS);

    // A restart recovers the write-ahead log and serves the same count.
    const restarted = await startServerProcess(serverJs, databasePath);
    running.push(restarted);
    const json = (await (await fetch(`${restarted.url}/campaigns/amazon-ring.json`)).json()) as {
      signatureCount: number;
    };
    expect(await sign(restarted.url, 'after-restart@example.org')).toBe(303);
    restarted.child.kill('SIGTERM');
    expect(await restarted.exited).toEqual({ code: 0, signal: null });

    const db = openDatabase(databasePath);
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const stored = db.prepare('SELECT email_key FROM signatures').pluck().all() as string[];
      const counts = new Map<string, number>();
      for (const key of stored) counts.set(key, (counts.get(key) ?? 0) + 1);
      for (const email of acknowledged) expect(counts.get(email), email).toBe(1);
      // Nothing stored that was never sent, nothing stored twice.
      for (const [key, n] of counts) {
        expect(n).toBe(1);
        expect(sent.has(key) || key === 'after-restart@example.org', key).toBe(true);
      }
      const counted = db.prepare("SELECT signature_count FROM campaigns WHERE slug = 'amazon-ring'").pluck().get();
      expect(counted).toBe(stored.length);
      expect(json.signatureCount).toBe(stored.length - 1);
      const daily = db
        .prepare("SELECT sum(count) FROM signature_counts_daily WHERE campaign_slug = 'amazon-ring'")
        .pluck()
        .get();
      expect(daily).toBe(stored.length);
    } finally {
      db.close();
    }
  }, 60_000);
});
