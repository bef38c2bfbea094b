import type { Database } from '../../src/database.js';
import type { Db } from '../../src/db.js';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page, type Response } from 'playwright-core';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { fromRoot } from '../../src/paths.js';
import { startServer, type RunningServer } from '../../src/server.js';

const run = promisify(execFile);

/** Debian's Chromium: nothing here ever downloads a browser. Override with CHROMIUM_PATH. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// Flags that keep Chromium quiet and offline apart from our own server: no update checks, no
// sync, no QUIC probing, no sandbox (CI containers run as root without user namespaces).
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const SIZES = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1280, height: 800 },
} as const;
export type SizeName = keyof typeof SIZES;

export const SCREENSHOTS = fromRoot('screenshots');

export interface Site {
  server: RunningServer;
  origin: string;
  dir: string;
  env: Record<string, string>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The real server (startServer, as `npm start` runs it) on a fresh database in a temp folder,
 * with the fixture campaigns (one open default, one closed) and the bot checks that would slow a
 * robot typist switched off.
 */
export async function startSite(extraEnv: Record<string, string> = {}): Promise<Site> {
  const dir = mkdtempSync(join(tmpdir(), 'undersigned-browser-'));
  const port = await freePort();
  const env = {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(port),
    BASE_URL: `http://127.0.0.1:${port}`,
    DATABASE_PATH: join(dir, 'site.db'),
    CAMPAIGNS_DIR: fromRoot('test', 'fixtures', 'campaigns'),
    MIN_FILL_SECONDS: '0',
    SIGN_RATE_LIMIT: '0',
    LOGIN_RATE_LIMIT: '0',
    LOG_LEVEL: 'silent',
    ...extraEnv,
  };
  const server = await startServer(loadConfig(env), silentLogger);
  return {
    server,
    origin: `http://127.0.0.1:${port}`,
    dir,
    env,
    async close() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** Everything a page asked for, and every complaint the browser made about it. */
export interface Recorder {
  requests: string[];
  foreign: string[];
  cspViolations: string[];
  pageErrors: string[];
  /** The latest HTML document each page received (after redirects), as the server sent it. */
  lastDocument: Response | undefined;
}

/**
 * A browser context at one size that records every request and refuses (and remembers) any to
 * another origin: the site must load nothing from anywhere else.
 */
export async function openContext(
  browser: Browser,
  origin: string,
  size: SizeName | { width: number; height: number },
  options: { javaScriptEnabled?: boolean } = {},
): Promise<{ context: BrowserContext; recorder: Recorder }> {
  const viewport = typeof size === 'string' ? SIZES[size] : size;
  const context = await browser.newContext({
    viewport,
    isMobile: false,
    javaScriptEnabled: options.javaScriptEnabled ?? true,
    serviceWorkers: 'block',
  });
  const recorder: Recorder = { requests: [], foreign: [], cspViolations: [], pageErrors: [], lastDocument: undefined };
  await context.route('**/*', (route) => {
    const url = route.request().url();
    recorder.requests.push(url);
    if (new URL(url).origin !== origin && !url.startsWith('data:')) {
      recorder.foreign.push(url);
      return route.abort('blockedbyclient');
    }
    return route.continue();
  });
  context.on('page', (page) => watchPage(page, recorder));
  await context.addInitScript(LAYOUT_SHIFT_OBSERVER);
  return { context, recorder };
}

function watchPage(page: Page, recorder: Recorder): void {
  page.on('console', (message) => {
    // Chromium reports CSP refusals on the console; any means a page relies on inline code.
    if (/Content Security Policy/i.test(message.text())) recorder.cspViolations.push(message.text());
  });
  page.on('pageerror', (error) => recorder.pageErrors.push(error.message));
  page.on('response', (response) => {
    const status = response.status();
    if (response.request().resourceType() === 'document' && (status < 300 || status >= 400))
      recorder.lastDocument = response;
  });
}

const AXE_SOURCE = readFileSync(fromRoot('node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const WCAG_22_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/**
 * Runs axe-core with the WCAG 2.2 A and AA rules. It is evaluated through the DevTools protocol,
 * which the page's CSP does not govern, so the site's policy stays exactly as served.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  const loaded = await page.evaluate('typeof window.axe !== "undefined"');
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(
    `window.axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(WCAG_22_AA)} }, resultTypes: ['violations'] }).then(r => r.violations)`,
  )) as AxeViolation[];
  return violations.flatMap((v) =>
    v.nodes.map(
      (n) => `${v.id} (${v.impact ?? 'n/a'}): ${v.help} at ${JSON.stringify(n.target)}\n  ${n.failureSummary ?? ''}`,
    ),
  );
}

/** Total layout shift reported so far; the observer is installed before any page script runs. */
export const LAYOUT_SHIFT_OBSERVER = `
  window.__layoutShift = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__layoutShift += entry.value;
  }).observe({ type: 'layout-shift', buffered: true });
`;

export async function layoutShift(page: Page): Promise<number> {
  return (await page.evaluate('window.__layoutShift ?? 0')) as number;
}

export async function screenshot(page: Page, size: SizeName | string, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}-${size}.png`), fullPage: true });
}

/** Pages whose served HTML is checked with the Nu Html Checker in one Java run at the end. */
export class HtmlCollector {
  private readonly dir = mkdtempSync(join(tmpdir(), 'undersigned-vnu-'));
  private readonly files = new Map<string, string>();

  add(name: string, html: string): void {
    const file = join(this.dir, `${name.replace(/[^a-z0-9-]+/gi, '-')}.html`);
    writeFileSync(file, html);
    this.files.set(file, name);
  }

  get size(): number {
    return this.files.size;
  }

  /** vnu's errors, each labelled with the page it came from. */
  async errors(): Promise<string[]> {
    if (this.files.size === 0) return [];
    const jar = fromRoot('node_modules', 'vnu-jar', 'build', 'dist', 'vnu.jar');
    const result = await run('java', ['-jar', jar, '--errors-only', '--format', 'json', ...this.files.keys()], {
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: { code?: unknown; stdout?: string; stderr?: string }) => {
      // vnu exits 1 when it finds errors. Anything else (no Java, no jar) must fail, not pass quietly.
      if (error.code !== 1) throw error;
      return { stdout: error.stdout ?? '', stderr: error.stderr ?? '' };
    });
    // vnu writes its JSON report to stderr.
    const report = JSON.parse(result.stderr) as {
      messages: { type: string; url?: string; message: string; extract?: string; lastLine?: number }[];
    };
    return report.messages
      .filter((m) => m.type === 'error' || m.type === 'non-document-error')
      .map((m) => {
        const file = m.url ? decodeURIComponent(new URL(m.url).pathname) : '';
        return `${this.files.get(file) ?? file}:${m.lastLine ?? '?'}: ${m.message}${m.extract ? `\n  ${m.extract.trim()}` : ''}`;
      });
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * The checks every page and state gets: the served HTML is kept for the Nu checker, a full-page
 * screenshot is written, axe finds no WCAG 2.2 A/AA violation, nothing scrolls sideways, nothing was
 * fetched from another origin, and the CSP refused nothing.
 */
export async function inspectPage(
  page: Page,
  recorder: Recorder,
  html: HtmlCollector,
  size: string,
  name: string,
  options: { scriptsOff?: boolean } = {},
): Promise<void> {
  await page.waitForLoadState('load');
  const document = recorder.lastDocument;
  expect(document, `${name}: no HTML document was received`).toBeDefined();
  html.add(`${name}-${size}`, await document!.text());
  await screenshot(page, size, name);
  // axe needs timers, which never fire in a page with scripts off. Such a page is the same markup
  // as its scripted twin (which axe does check) minus what enhance.js adds.
  if (!options.scriptsOff) {
    expect(await axeViolations(page), `${name} at ${size}: axe WCAG 2.2 AA`).toEqual([]);
    expect(await layoutShift(page), `${name} at ${size}: cumulative layout shift`).toBeLessThan(0.01);
  }
  expect(await horizontalOverflow(page), `${name} at ${size}: page scrolls sideways`).toBe(0);
  expect(recorder.foreign, `${name}: requests to other origins`).toEqual([]);
  expect(recorder.cspViolations, `${name}: CSP refusals`).toEqual([]);
  expect(recorder.pageErrors, `${name}: script errors`).toEqual([]);
}

/** How many pixels the page is wider than the window (0 when nothing scrolls sideways). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
}

/**
 * Creates an organizer account the way an operator does, with the organizers CLI (password on
 * standard input), run from source by tsx so no build is needed, against the site's database.
 */
export async function addOrganizer(site: Site, email: string, password: string): Promise<string> {
  const tsx = fromRoot('node_modules', 'tsx', 'dist', 'cli.mjs');
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [tsx, fromRoot('scripts', 'organizers.ts'), 'add', email, '--admin'],
      { cwd: fromRoot(), env: { ...process.env, ...site.env } },
      (error, stdout, stderr) =>
        error ? reject(new Error(`organizers add failed: ${stderr || error.message}`)) : resolve(stdout),
    );
    child.stdin?.end(`${password}\n`);
  });
}

/**
 * A copy of the fixture campaigns in a temp folder with some text replaced in one file, for a
 * setting no fixture has (say, the recent signers list turned on).
 */
export function campaignsWith(file: string, from: string, to: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'undersigned-campaigns-'));
  const fixtures = fromRoot('test', 'fixtures', 'campaigns');
  for (const name of readdirSync(fixtures)) {
    const text = readFileSync(join(fixtures, name), 'utf8');
    if (name === file && !text.includes(from)) throw new Error(`${file} has no "${from}"`);
    writeFileSync(join(dir, name), name === file ? text.replace(from, to) : text);
  }
  return dir;
}

/** The browser tests run the site on SQLite: its database handle, for reading what was stored. */
export function sqliteOf(server: { database: Database }): Db {
  if (server.database.engine !== 'sqlite') throw new Error('the browser tests run the site on SQLite');
  return server.database.db;
}
