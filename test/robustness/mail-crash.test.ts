import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/paths.js';
import { onlyLink, startSmtp } from '../mail/smtp.js';
import { buildServer, sign, sleep, startServerProcess, tempDatabase, type ServerProcess } from './server-process.js';

let serverJs: string;
let campaignsDir: string;
const running: ServerProcess[] = [];

beforeAll(async () => {
  serverJs = await buildServer();
  // The fixtures, with confirmation on for the Amazon Ring letter.
  campaignsDir = mkdtempSync(join(tmpdir(), 'undersigned-campaigns-'));
  cpSync(fromRoot('test', 'fixtures', 'campaigns'), campaignsDir, { recursive: true });
  const file = join(campaignsDir, 'amazon-ring.md');
  writeFileSync(file, readFileSync(file, 'utf8').replace('consent:', 'confirm_email: true\nconsent:'));
}, 120_000);

afterAll(() => {
  for (const server of running) server.child.kill('SIGKILL');
  rmSync(campaignsDir, { recursive: true, force: true });
});

/** Asks /healthz/mail until `ready` holds: waiting on what the server reports, not on a clock. */
async function mailHealth(url: string, ready: (body: Record<string, unknown>) => boolean) {
  for (let i = 0; i < 400; i++) {
    const body = (await (await fetch(`${url}/healthz/mail`)).json()) as Record<string, unknown>;
    if (ready(body)) return body;
    await sleep(25);
  }
  throw new Error('the outbox never reached the state waited for');
}

describe('kill -9 between storing a signature and sending its email', () => {
  it('the mail is still sent after a restart, once', async () => {
    const smtpPort = await startSmtp().then(async (s) => (await s.close(), s.port));
    const database = tempDatabase();
    const env = {
      CAMPAIGNS_DIR: campaignsDir,
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      MAIL_RETRY_SECONDS: '1',
      BASE_URL: 'https://petition.example',
    };
    const first = await startServerProcess(serverJs, database, env);
    running.push(first);
    expect(await sign(first.url, 'ada@example.org')).toBe(303);
    // Stored, and its first try failed (nothing listens at the SMTP address): not sent.
    await mailHealth(first.url, (b) => b.waiting === 1 && b.lastFailure !== null);
    first.child.kill('SIGKILL');
    await first.exited;

    const smtp = await startSmtp({ port: smtpPort });
    try {
      const second = await startServerProcess(serverJs, database, env);
      running.push(second);
      const [mail] = await smtp.received(1);
      expect(onlyLink(mail!)).toMatch(/^\/campaigns\/amazon-ring\/confirm\//);
      await mailHealth(second.url, (b) => b.waiting === 0);
      expect(smtp.messages).toHaveLength(1);
      second.child.kill('SIGTERM');
      expect((await second.exited).code).toBe(0);
    } finally {
      await smtp.close();
    }
  }, 60_000);

  it('production with a campaign that confirms and no SMTP_URL → start-up stops, saying what to set', async () => {
    const { spawnServerProcess } = await import('./server-process.js');
    const server = await spawnServerProcess(serverJs, tempDatabase(), { CAMPAIGNS_DIR: campaignsDir });
    const { code } = await server.exited;
    expect(code).toBe(1);
    expect(server.stderr()).toContain('SMTP_URL');
    expect(server.stderr()).toContain('amazon-ring');
    expect(server.stderr()).not.toMatch(/\n\s+at /);
  });
});
