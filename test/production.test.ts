import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromRoot } from '../src/paths.js';
import { startServerProcess, tempDatabase, type ServerProcess } from './robustness/server-process.js';

/*
 * The production path, as a deployer with NODE_ENV=production in their shell meets it: npm leaves
 * out devDependencies, so whatever the build, the start and the tools need must be in dependencies.
 * The lockfile says which packages a production install holds (those not marked "dev"); the
 * project is copied to a temporary folder whose node_modules holds only those (linked from this
 * checkout's install, since there is no network to install from), and built and run there.
 */
const exec = promisify(execFile);

interface LockEntry {
  dev?: boolean;
  bin?: Record<string, string>;
}
const lock = JSON.parse(readFileSync(fromRoot('package-lock.json'), 'utf8')) as {
  packages: Record<string, LockEntry>;
};
const manifest = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as { scripts: Record<string, string> };

/** Top-level packages of a production install (nested ones come inside their parent's folder). */
const productionPackages = Object.entries(lock.packages)
  .filter(([key, entry]) => key.startsWith('node_modules/') && !key.slice(13).includes('node_modules/') && !entry.dev)
  .map(([key, entry]) => ({ name: key.slice(13), bin: entry.bin ?? {} }));
const productionBins = new Set(productionPackages.flatMap((p) => Object.keys(p.bin)));

/** The npm scripts the README gives a deployer, and every script they run in turn. */
const PRODUCTION_SCRIPTS = ['start', 'build', 'start:cluster', 'organizers', 'signatures', 'purge', 'backup'];

function programsOf(script: string, seen = new Set<string>()): string[] {
  if (seen.has(script)) return [];
  seen.add(script);
  const commands = [manifest.scripts[`pre${script}`], manifest.scripts[script]].filter((c) => c !== undefined);
  return commands.flatMap((command) =>
    command.split(/&&|\|\||;/).flatMap((part) => {
      const [program, ...args] = part.trim().split(/\s+/);
      if (program !== 'npm') return [program ?? ''];
      const run = args.filter((a) => !a.startsWith('-'));
      const name = run[0] === 'run' ? run[1] : run[0];
      return name ? programsOf(name, seen) : [];
    }),
  );
}

describe('npm scripts a deployer runs', () => {
  for (const script of PRODUCTION_SCRIPTS) {
    it(`npm run ${script} → calls only node, npm, and programs of production dependencies`, () => {
      for (const program of programsOf(script)) {
        if (program === 'node' || program === 'npm') continue;
        expect(productionBins, `${program} (in npm run ${script}) is not in dependencies`).toContain(program);
      }
    });
  }
});

describe('a production install (devDependencies left out)', () => {
  let project: string;
  let env: Record<string, string>;
  let server: ServerProcess | undefined;

  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), 'undersigned-production-'));
    for (const item of ['src', 'scripts', 'views', 'public', 'migrations', 'campaigns'])
      cpSync(fromRoot(item), join(project, item), { recursive: true });
    for (const file of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'])
      cpSync(fromRoot(file), join(project, file));
    const modules = join(project, 'node_modules');
    mkdirSync(join(modules, '.bin'), { recursive: true });
    for (const { name, bin } of productionPackages) {
      const target = join(modules, name);
      mkdirSync(dirname(target), { recursive: true });
      symlinkSync(fromRoot('node_modules', name), target, 'dir');
      for (const [command, file] of Object.entries(bin))
        symlinkSync(relative(join(modules, '.bin'), join(target, file)), join(modules, '.bin', command));
    }
    // The shell of a deployer: NODE_ENV=production, and none of this checkout's programs on PATH
    // (npm test puts its node_modules/.bin there).
    const path = (process.env.PATH ?? '')
      .split(delimiter)
      .filter((dir) => !dir.includes('node_modules'))
      .join(delimiter);
    env = { PATH: path, HOME: process.env.HOME ?? tmpdir(), NODE_ENV: 'production' };
  });
  afterAll(async () => {
    if (server) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    rmSync(project, { recursive: true, force: true });
  });

  it('npm run build, the server from dist/, and a tool from dist/ → all work', async () => {
    await exec('npm', ['run', 'build'], { cwd: project, env }).catch((error: { stdout?: string; stderr?: string }) => {
      throw new Error(`npm run build failed without devDependencies:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
    });

    const databasePath = tempDatabase();
    server = await startServerProcess(join(project, 'dist', 'src', 'server.js'), databasePath, {
      ...env,
      CAMPAIGNS_DIR: join(project, 'campaigns'),
      // The Amazon Ring letter confirms by email, so production needs an SMTP server to start; none
      // need answer here (the mail waits in the outbox).
      SMTP_URL: 'smtp://127.0.0.1:9',
    });
    const page = await fetch(`${server.url}/campaigns/amazon-ring`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Tell Amazon Ring');

    const tool = await exec(process.execPath, [join(project, 'dist', 'scripts', 'organizers.js'), 'list'], {
      cwd: project,
      env: { ...env, DATABASE_PATH: databasePath },
    });
    expect(tool.stdout).toContain('No organizers yet');
  }, 300_000);
});
