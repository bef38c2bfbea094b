import type { ServerResponse } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { startServer } from '../src/server.js';
import { FIXTURE_CAMPAIGNS } from './helpers.js';
import { capturingLogger } from './privacy-helpers.js';

const configFor = (databasePath: string, env: Record<string, string> = {}) =>
  loadConfig({ PORT: '0', DATABASE_PATH: databasePath, CAMPAIGNS_DIR: FIXTURE_CAMPAIGNS, LOG_LEVEL: 'info', ...env });

const storedSecrets = (path: string) => {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT name, value FROM app_secrets').all() as { name: string; value: string }[];
  } finally {
    db.close();
  }
};

describe('startServer', () => {
  it('first start → generates the HMAC secret and keeps it in the database; a restart reuses it', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'server-')), 'site.db');
    const first = await startServer(configFor(path), capturingLogger().logger);
    await first.stop();
    const [secret] = storedSecrets(path);
    expect(secret?.name).toBe('hmac');
    expect(secret?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const second = await startServer(configFor(path), capturingLogger().logger);
    await second.stop();
    expect(storedSecrets(path)).toEqual([secret]);
  });

  it('SECRET_KEY set → nothing secret is written to the database', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'server-')), 'site.db');
    const running = await startServer(configFor(path, { SECRET_KEY: 'k'.repeat(40) }), capturingLogger().logger);
    await running.stop();
    expect(storedSecrets(path)).toEqual([]);
  });

  it('requests arrive already made with the Express app’s prototypes, so Express need not swap them', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'server-')), 'site.db');
    const running = await startServer(configFor(path), capturingLogger().logger);
    try {
      const seen: { req: object; res: object }[] = [];
      const afterExpress: { req: object; res: object }[] = [];
      // Runs before the app's own listener: what Node made, before Express has touched it.
      running.server.prependListener('request', (req: object, res: ServerResponse) => {
        seen.push({ req: Object.getPrototypeOf(req) as object, res: Object.getPrototypeOf(res) as object });
        res.once('finish', () =>
          afterExpress.push({ req: Object.getPrototypeOf(req) as object, res: Object.getPrototypeOf(res) as object }),
        );
      });
      expect((await fetch(`${running.url}/privacy`)).status).toBe(200);
      expect((await fetch(`${running.url}/campaigns/amazon-ring/thanks`)).status).toBe(200);
      expect(seen).toHaveLength(2);
      for (const { req, res } of seen) {
        expect(req).toHaveProperty('app');
        expect(typeof (req as { accepts?: unknown }).accepts).toBe('function');
        expect(res).toHaveProperty('app');
        expect(typeof (res as { render?: unknown }).render).toBe('function');
      }
      expect(seen[1]?.req).toBe(seen[0]?.req);
      // Express's Object.setPrototypeOf found the prototype it wanted already there.
      expect(afterExpress).toHaveLength(2);
      afterExpress.forEach(({ req, res }, i) => {
        expect(req).toBe(seen[i]?.req);
        expect(res).toBe(seen[i]?.res);
      });
    } finally {
      await running.stop();
    }
  });

  it('a request → one log line with method, path, status and time, and nothing about who asked', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'server-')), 'site.db');
    const capture = capturingLogger();
    const running = await startServer(configFor(path), capture.logger);
    const res = await fetch(`${running.url}/campaigns/amazon-ring?utm_source=someone@example.org`, {
      headers: { 'User-Agent': 'TestBrowser/1.0', 'X-Forwarded-For': '203.0.113.9' },
    });
    expect(res.status).toBe(200);
    await running.stop();
    const requests = capture.lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === 'request');
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ method: 'GET', path: '/campaigns/amazon-ring', status: 200 });
    expect(typeof requests[0]?.ms).toBe('number');
    expect(capture.text()).not.toMatch(/someone@example\.org|TestBrowser|203\.0\.113\.9/);
  });
});
