import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fromRoot } from '../src/paths.js';
import {
  buildServer,
  sign,
  startServerProcess,
  tempDatabase,
  type ServerProcess,
} from './robustness/server-process.js';

/*
 * Campaign content is read again while the site runs, as an organizer's edit meets it: the real
 * compiled server, a campaigns folder of its own, SIGHUP (or, in development, saving the file), and
 * the log line that says it was done, waited for as an event.
 */
let serverJs: string;
let running: ServerProcess | undefined;
beforeAll(async () => {
  serverJs = await buildServer();
}, 180_000);
afterEach(async () => {
  running?.child.kill('SIGTERM');
  await running?.exited;
  running = undefined;
});

function campaignsFolder(): { dir: string; ring: string; original: string } {
  const dir = mkdtempSync(join(tmpdir(), 'undersigned-campaigns-'));
  cpSync(fromRoot('test', 'fixtures', 'campaigns'), dir, { recursive: true });
  const ring = join(dir, 'amazon-ring.md');
  return { dir, ring, original: readFileSync(ring, 'utf8') };
}

const TITLE = /^title: .*$/m;
const titleOf = (source: string) => TITLE.exec(source)?.[0].slice('title: '.length) ?? '';
const pageText = async (url: string) => (await fetch(url)).text();

async function start(dir: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  running = await startServerProcess(serverJs, tempDatabase(), { CAMPAIGNS_DIR: dir, LOG_LEVEL: 'info', ...env });
  return running;
}

// Each starts a real server process: generous on a loaded machine.
describe('reloading campaign content', { timeout: 90_000 }, () => {
  it('an edited file + SIGHUP → the next view shows the new copy, without a restart', async () => {
    const { dir, ring, original } = campaignsFolder();
    const server = await start(dir);
    const page = `${server.url}/campaigns/amazon-ring`;
    expect(await pageText(page)).toContain(titleOf(original));
    // Prepared copies of the page and its JSON exist now; the edit must replace them.
    await fetch(`${page}.json`);

    writeFileSync(ring, original.replace(TITLE, 'title: Ring must stop sharing footage'));
    const logged = server.logLine((line) => line.msg === 'campaign content reloaded');
    server.child.kill('SIGHUP');
    expect((await logged).reason).toBe('SIGHUP');

    const html = await pageText(page);
    expect(html).toContain('Ring must stop sharing footage');
    expect(html).not.toContain(titleOf(original));
    expect(((await (await fetch(`${page}.json`)).json()) as { title: string }).title).toBe(
      'Ring must stop sharing footage',
    );
    expect(await pageText(`${server.url}/`)).toContain('Ring must stop sharing footage');
  });

  it('a broken edit + SIGHUP → the running version stays, and the log names the file and field', async () => {
    const { dir, ring, original } = campaignsFolder();
    const server = await start(dir);
    writeFileSync(ring, original.replace(/^title: .*\n/m, ''));
    const logged = server.logLine((line) => line.msg?.startsWith('campaign content not reloaded') ?? false);
    server.child.kill('SIGHUP');
    expect((await logged).problem).toBe(`${ring}: \`title\` is missing`);

    expect(await pageText(`${server.url}/campaigns/amazon-ring`)).toContain(titleOf(original));
    expect(server.child.exitCode).toBeNull();
  });

  it('a new file + SIGHUP → the new campaign has its page and takes signatures', async () => {
    const { dir, original } = campaignsFolder();
    const server = await start(dir);
    expect((await fetch(`${server.url}/campaigns/library-late`)).status).toBe(404);
    writeFileSync(
      join(dir, 'library-late.md'),
      original
        .replace(/^slug: .*$/m, 'slug: library-late')
        .replace(TITLE, 'title: Keep the library open late')
        .replace(/^default: true\n/m, ''),
    );
    const logged = server.logLine((line) => line.msg === 'campaign content reloaded');
    server.child.kill('SIGHUP');
    expect((await logged).campaigns).toContain('library-late');

    expect(await pageText(`${server.url}/campaigns/library-late`)).toContain('Keep the library open late');
    // Signing needs the campaign's database row: registered by the reload.
    expect(await sign(server.url, 'ada@example.org', 'library-late')).toBe(303);
    const json = (await (await fetch(`${server.url}/campaigns/library-late.json`)).json()) as {
      signatureCount: number;
    };
    expect(json.signatureCount).toBe(1);
  });

  it('in development, saving the file is enough', async () => {
    const { dir, ring, original } = campaignsFolder();
    const server = await start(dir, { NODE_ENV: 'development' });
    const logged = server.logLine((line) => line.msg === 'campaign content reloaded');
    writeFileSync(ring, original.replace(TITLE, 'title: Saved in the editor'));
    expect((await logged).reason).toBe('change');
    expect(await pageText(`${server.url}/campaigns/amazon-ring`)).toContain('Saved in the editor');
  });
});
