import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db.js';
import {
  buildServer,
  sign,
  signatureBody,
  sleep,
  startServerProcess,
  tempDatabase,
  type ServerProcess,
} from './server-process.js';

let serverJs: string;
const running: ServerProcess[] = [];

beforeAll(async () => {
  serverJs = await buildServer();
}, 180_000);

afterAll(() => {
  for (const server of running) server.child.kill('SIGKILL');
});

const storedEmails = (databasePath: string): string[] => {
  const db = openDatabase(databasePath);
  try {
    return db.prepare('SELECT email_key FROM signatures').pluck().all() as string[];
  } finally {
    db.close();
  }
};

/**
 * Starts a signature whose body arrives in two parts, so the request is certainly in flight when the
 * test sends SIGTERM between them. Resolves with the raw response text.
 */
function halfSentSignature(port: number, email: string) {
  const body = Buffer.from(signatureBody(email));
  const socket = connect(port, '127.0.0.1');
  let response = '';
  socket.on('data', (chunk: Buffer) => (response += chunk.toString()));
  const done = new Promise<string>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('close', () => resolve(response));
  });
  const head = `POST /campaigns/amazon-ring/signatures HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n`;
  // A first request on the same keep-alive connection proves the server has accepted it, so
  // closing the listening socket at SIGTERM cannot drop it from the accept queue.
  const started = new Promise<void>((resolve) => {
    socket.once('connect', () => socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
    const waitForHealth = () => {
      if (!response.includes('{"status":"ok"}')) return;
      socket.off('data', waitForHealth);
      response = '';
      socket.write(head + body.subarray(0, 10).toString(), () => resolve());
    };
    socket.on('data', waitForHealth);
  });
  return {
    started,
    finish: () => socket.write(body.subarray(10)),
    done,
  };
}

/** Resolves once the port refuses connections, that is once the server has stopped listening. */
async function refusingConnections(port: number): Promise<void> {
  for (;;) {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
    if (refused) return;
    await sleep(20);
  }
}

describe('The server sent SIGTERM', () => {
  it('finishes a request in flight, stores it, and exits 0', async () => {
    const databasePath = tempDatabase();
    const server = await startServerProcess(serverJs, databasePath);
    running.push(server);
    const slow = halfSentSignature(server.port, 'in-flight@example.org');
    await slow.started;
    await sleep(100);
    server.child.kill('SIGTERM');
    await refusingConnections(server.port);
    // The server has stopped accepting new connections but still waits for this one.
    expect(await sign(server.url, 'too-late@example.org')).toBe('failed');
    const finishedAt = Date.now();
    slow.finish();
    const response = await slow.done;
    expect(response).toMatch(/^HTTP\/1\.1 303 /);
    expect(response).toContain('Location: /campaigns/amazon-ring/thanks');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    // Its connection is closed once answered, not left to its 5 s keep-alive timeout.
    expect(Date.now() - finishedAt).toBeLessThan(4_000);
    expect(storedEmails(databasePath)).toEqual(['in-flight@example.org']);
  });

  it('loses nothing it acknowledged under load, and exits 0 in good time even with keep-alive connections open', async () => {
    const databasePath = tempDatabase();
    const server = await startServerProcess(serverJs, databasePath);
    running.push(server);
    const acknowledged: string[] = [];
    let next = 0;
    let refused = false;
    // fetch keeps connections alive between requests, as a browser or a proxy in front would.
    const workers = Array.from({ length: 10 }, async () => {
      while (!refused) {
        const email = `load-${next++}@example.org`;
        const status = await sign(server.url, email);
        if (status === 303) acknowledged.push(email);
        else if (status === 'failed') refused = true;
        else throw new Error(`unexpected status ${status}`);
      }
    });
    while (acknowledged.length < 5) await sleep(20);
    await sleep(Math.floor(Math.random() * 300));
    const sentAt = Date.now();
    server.child.kill('SIGTERM');
    const exit = await server.exited;
    const tookMs = Date.now() - sentAt;
    await Promise.all(workers);
    expect(exit).toEqual({ code: 0, signal: null });
    // Well inside the 10 s after which the server gives up on stragglers and exits 1.
    expect(tookMs).toBeLessThan(4_000);
    expect(acknowledged.length).toBeGreaterThanOrEqual(5);
    const stored = new Set(storedEmails(databasePath));
    for (const email of acknowledged) expect(stored.has(email), email).toBe(true);
    // The database was closed cleanly: the write-ahead log was checkpointed into the main file.
    const db = openDatabase(databasePath);
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.prepare("SELECT signature_count FROM campaigns WHERE slug = 'amazon-ring'").pluck().get()).toBe(
        stored.size,
      );
    } finally {
      db.close();
    }
  });
});
