import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/paths.js';
import { buildTestApp } from '../helpers.js';
import { sessionToken, signedIn } from '../organizers/helpers.js';
import { buildPackage, seed } from './helpers.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'verify-delivery-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The tool as a target runs it (through tsx here, so the test needs no build). */
function verify(...args: string[]) {
  const result = spawnSync(
    fromRoot('node_modules', '.bin', 'tsx'),
    [fromRoot('scripts', 'verify-delivery.ts'), ...args],
    {
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A delivered list as the organizer downloads it, and the digest the site recorded for it. */
async function deliveredList(): Promise<{ text: string; digest: string }> {
  const t = await buildTestApp();
  await seed(t);
  const agent = await signedIn(t);
  const path = await buildPackage(agent, await sessionToken(agent));
  const text = (await agent.get(`${path}/list.txt`).expect(200)).text;
  return { text, digest: t.db.prepare('SELECT digest FROM delivery_packages').pluck().get() as string };
}

describe('npm run verify-delivery', () => {
  it('the downloaded list matches the recorded digest → exit 0, with the digest and the count', async () => {
    const { text, digest } = await deliveredList();
    const file = join(dir, 'list.txt');
    writeFileSync(file, text, 'utf8');
    const run = verify(file, digest);
    expect(run.stdout).toContain(`SHA-256: ${digest}`);
    expect(run.stdout).toContain('Names:   6');
    expect(run.stdout).toContain('matches the published digest');
    expect(run.stdout).not.toContain('Note:');
    expect(run.status).toBe(0);
  });

  it('one name changed → exit 1, does not match', async () => {
    const { text, digest } = await deliveredList();
    const file = join(dir, 'list.txt');
    writeFileSync(file, text.replace('Curie, Marie', 'Curie, Maria'), 'utf8');
    const run = verify(file, digest);
    expect(run.stdout).toContain('does NOT match');
    expect(run.status).toBe(1);
  });

  it('a list saved with Windows line ends does not match, and the tool says why', async () => {
    const { text, digest } = await deliveredList();
    const file = join(dir, 'list.txt');
    writeFileSync(file, text.replaceAll('\n', '\r\n'), 'utf8');
    const run = verify(file, digest);
    expect(run.stdout).toContain('Windows (CR LF) line ends');
    expect(run.status).toBe(1);
  });

  it('a digest that is not 64 hex characters is a usage error (exit 2)', async () => {
    const file = join(dir, 'list.txt');
    writeFileSync(file, 'Lovelace, Ada\tGB\n', 'utf8');
    const run = verify(file, 'abc');
    expect(run.stderr).toContain('64 hexadecimal characters');
    expect(run.status).toBe(2);
  });
});
