import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromRoot } from '../src/paths.js';
import { build, spawnServerProcess, tempDatabase } from './robustness/server-process.js';

/*
 * Start-up and tool failures, as a person starting the site meets them: the real compiled process,
 * its exit status and what it wrote to stderr. Each failure they can fix must be one line, one plain
 * sentence saying what to fix, and never a stack trace.
 */
let outDir: string;
beforeAll(async () => {
  outDir = await build();
}, 180_000);

/** Starts the server with `env` and waits for it to give up. */
async function failedStart(env: Record<string, string>, databasePath = tempDatabase()) {
  const server = await spawnServerProcess(join(outDir, 'src', 'server.js'), databasePath, env);
  const { code } = await server.exited;
  return { code, stderr: server.stderr() };
}

function expectOneSentence(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/^\s+at /m);
  return lines[0] ?? '';
}

const campaignsWith = (name: string, text: string) => {
  const dir = mkdtempSync(join(tmpdir(), 'undersigned-campaigns-'));
  writeFileSync(join(dir, name), text);
  return dir;
};

describe.concurrent('starting the server', { timeout: 90_000 }, () => {
  it('port already in use → one sentence naming the port and PORT, exit 1', async () => {
    const other = createServer();
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const { port } = other.address() as { port: number };
    try {
      const { code, stderr } = await failedStart({ PORT: String(port) });
      expect(code).toBe(1);
      expect(expectOneSentence(stderr)).toBe(
        `Port ${port} is already in use: stop the other program or set PORT to another port`,
      );
    } finally {
      other.close();
    }
  });

  it('production without SECRET_KEY → one sentence with the command that makes one', async () => {
    const { code, stderr } = await failedStart({ SECRET_KEY: '' });
    expect(code).toBe(1);
    expect(expectOneSentence(stderr)).toMatch(/^SECRET_KEY is not set: .*randomBytes\(32\)/);
  });

  it('production without BASE_URL → one sentence saying what to set it to', async () => {
    const { code, stderr } = await failedStart({ BASE_URL: '' });
    expect(code).toBe(1);
    expect(expectOneSentence(stderr)).toMatch(/^BASE_URL is not set: /);
  });

  it('a campaign file without a title → "<file>: `title` is missing"', async () => {
    const source = readFileSync(fromRoot('test', 'fixtures', 'campaigns', 'amazon-ring.md'), 'utf8');
    const dir = campaignsWith('ring.md', source.replace(/^title: .*\n/m, ''));
    const { code, stderr } = await failedStart({ CAMPAIGNS_DIR: dir });
    expect(code).toBe(1);
    expect(expectOneSentence(stderr)).toBe(`${join(dir, 'ring.md')}: \`title\` is missing`);
  });

  it('a database path whose folder cannot be made → one sentence naming DATABASE_PATH', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'undersigned-'));
    writeFileSync(join(dir, 'a-file'), '');
    const { code, stderr } = await failedStart({}, join(dir, 'a-file', 'site.db'));
    expect(code).toBe(1);
    expect(expectOneSentence(stderr)).toMatch(
      /^The folder for the database, .*a-file, cannot be created .*DATABASE_PATH/,
    );
  });

  it('a database path that is not a database → one sentence naming DATABASE_PATH', async () => {
    const path = tempDatabase();
    writeFileSync(path, 'not a database '.repeat(100));
    const { code, stderr } = await failedStart({}, path);
    expect(code).toBe(1);
    expect(expectOneSentence(stderr)).toBe(
      `${path} is not an SQLite database: set DATABASE_PATH to the site's database file, or to a new file name to start an empty one`,
    );
  });
});

describe.concurrent('the tools', { timeout: 90_000 }, () => {
  const tool = async (script: string, args: string[], env: Record<string, string>, input?: string) => {
    const child = execFile(process.execPath, [join(outDir, 'scripts', `${script}.js`), ...args], {
      cwd: fromRoot(),
      env: { PATH: process.env.PATH, ...env },
    });
    if (input !== undefined) child.stdin?.end(input);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    return { code, stderr };
  };

  it('organizers add for an account that exists → says to use passwd', async () => {
    const env = { DATABASE_PATH: tempDatabase() };
    expect((await tool('organizers', ['add', 'ann@example.org'], env, 'a long enough password\n')).code).toBe(0);
    const again = await tool('organizers', ['add', 'ann@example.org'], env, 'a long enough password\n');
    expect(again.code).toBe(1);
    expect(expectOneSentence(again.stderr)).toBe(
      'An organizer with ann@example.org already exists: to give it a new password, run npm run organizers -- passwd ann@example.org',
    );
  });

  it('a database that is not a database → the same sentence as the server, no stack', async () => {
    const path = tempDatabase();
    writeFileSync(path, 'not a database '.repeat(100));
    const { code, stderr } = await tool('organizers', ['list'], { DATABASE_PATH: path });
    expect(code).toBe(1);
    expect(expectOneSentence(stderr)).toMatch(/is not an SQLite database: set DATABASE_PATH/);
  });

  it('a broken campaign file → the file and field, no stack', async () => {
    const source = readFileSync(fromRoot('test', 'fixtures', 'campaigns', 'amazon-ring.md'), 'utf8');
    const dir = campaignsWith('ring.md', source.replace(/^goal: .*$/m, 'goal: lots'));
    const { code, stderr } = await tool('purge', ['--dry-run'], { DATABASE_PATH: tempDatabase(), CAMPAIGNS_DIR: dir });
    expect(code).toBe(1);
    expect(expectOneSentence(stderr)).toBe(`${join(dir, 'ring.md')}: \`goal\` must be a number`);
  });

  it('a bad variable → names it, no stack', async () => {
    const { code, stderr } = await tool('organizers', ['list'], { DATABASE_PATH: tempDatabase(), LOG_LEVEL: 'loud' });
    expect(code).toBe(1);
    expect(expectOneSentence(stderr)).toMatch(/^LOG_LEVEL must be one of /);
  });
});
