import { createServer, type Server } from 'node:http';
import { mkdirSync, rmSync } from 'node:fs';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHROMIUM,
  HtmlCollector,
  SIZES,
  campaignsWith,
  inspectPage,
  openContext,
  sqliteOf,
  startSite,
  type Site,
  type SizeName,
} from './harness.js';

const SHOTS = '/tmp/es-shots';
let site: Site;
let browser: Browser;
const html = new HtmlCollector();
let campaignsDir: string;
/** Partner pages on this machine at another site (localhost, not 127.0.0.1): one listed, one not. */
let listed: { server: Server; origin: string };
let unlisted: { server: Server; origin: string };
let signers = 0;

/** A partner organization's page: its own heading and text, our embed in an iframe, our resizing script. */
function partnerPage(embedUrl: string, siteOrigin: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Eastside Tenants Union</title><style>body{font-family:sans-serif;margin:0 auto;max-width:720px;padding:16px}</style></head>
<body><h1>Eastside Tenants Union</h1><p>We back this letter. Sign it here:</p>
<iframe src="${embedUrl}" title="Sign the letter" style="width:100%;max-width:480px;height:600px;border:1px solid #ccc"></iframe>
<script src="${siteOrigin}/embed.js" async></script></body></html>`;
}

async function startPartner(page: () => string): Promise<{ server: Server; origin: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(page());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { server, origin: `http://localhost:${port}` };
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  let siteOrigin = '';
  const embedUrl = () => `${siteOrigin}/campaigns/amazon-ring/embed?source=eastside-tenants`;
  listed = await startPartner(() => partnerPage(embedUrl(), siteOrigin));
  unlisted = await startPartner(() => partnerPage(embedUrl(), siteOrigin));
  campaignsDir = campaignsWith('amazon-ring.md', '  - http://localhost:8080', `  - ${listed.origin}`);
  site = await startSite({ CAMPAIGNS_DIR: campaignsDir });
  siteOrigin = site.origin;
  // Third-party cookies blocked, as Chromium will by default: nothing in the frame may need one.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--test-third-party-cookie-phaseout'],
  });
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  listed?.server.close();
  unlisted?.server.close();
  html.dispose();
  if (campaignsDir) rmSync(campaignsDir, { recursive: true, force: true });
});

const storedSources = () =>
  sqliteOf(site.server)
    .prepare("SELECT source FROM signatures WHERE campaign_slug = 'amazon-ring' ORDER BY id")
    .pluck()
    .all();

async function embedFrame(page: Page): Promise<Frame> {
  await expect.poll(() => page.frames().length).toBe(2);
  const frame = page.frames()[1] as Frame;
  await frame.waitForLoadState('load');
  return frame;
}

/** How many pixels of the framed page's content lie below the frame's bottom edge (0 or less: none). */
async function clippedBy(page: Page, frame: Frame): Promise<number> {
  const frameHeight = await page.locator('iframe').evaluate((el) => (el as HTMLIFrameElement).clientHeight);
  const contentHeight = await frame.evaluate(() => document.documentElement.scrollHeight);
  return contentHeight - frameHeight;
}

describe.each(Object.keys(SIZES) as SizeName[])('embed at %s size', (size) => {
  it('a partner page on another site frames it → sign inside the frame, thanks in the frame, no cookie', async () => {
    const context = await browser.newContext({ viewport: SIZES[size] });
    const page = await context.newPage();
    await page.goto(`${listed.origin}/`);
    const frame = await embedFrame(page);
    expect(await frame.getByRole('heading', { level: 1 }).innerText()).toContain('Tell Amazon Ring');
    // The frame is sized to the form by the partner-side script, from our page's message.
    await expect
      .poll(() => page.locator('iframe').evaluate((el) => (el as HTMLIFrameElement).style.height))
      .not.toBe('600px');
    // …to the whole form: nothing is cut off at the frame's bottom edge (the privacy line last).
    await expect.poll(() => clippedBy(page, frame)).toBeLessThanOrEqual(0);
    // Cookies are refused in this frame: nothing below may depend on one.
    expect(await frame.evaluate(() => ((document.cookie = 'probe=1; SameSite=None'), document.cookie))).toBe('');
    await page.screenshot({ path: `${SHOTS}/embed-partner-${size}.png`, fullPage: true });

    signers += 1;
    const before = storedSources().length;
    await frame.getByLabel('First name').fill('Rosa');
    await frame.getByLabel('Last name').fill('Parks');
    await frame.getByLabel(/^Email/).fill(`rosa.${size}.${signers}@example.org`);
    await frame.getByLabel('Country').selectOption({ label: 'United States' });
    await frame.getByLabel('ZIP / Postal code').fill('48201');
    await frame.getByRole('button', { name: 'Sign the letter' }).click();
    await frame.waitForURL(/\/campaigns\/amazon-ring\/embed\/thanks\?signed=/);
    expect(await frame.getByRole('heading', { level: 1 }).innerText()).toBe('Thank you!');
    await expect.poll(() => clippedBy(page, frame)).toBeLessThanOrEqual(0);
    expect(page.url()).toBe(`${listed.origin}/`);
    expect(storedSources().length).toBe(before + 1);
    expect(storedSources().at(-1)).toBe('eastside-tenants');
    const full = frame.getByRole('link', { name: 'Open the campaign page in a new tab' });
    expect(await full.getAttribute('target')).toBe('_blank');
    await page.screenshot({ path: `${SHOTS}/embed-partner-thanks-${size}.png`, fullPage: true });
    await context.close();
  });

  it('a site not listed frames it → the browser refuses to show it', async () => {
    const context = await browser.newContext({ viewport: SIZES[size] });
    const page = await context.newPage();
    await page.goto(`${unlisted.origin}/`, { waitUntil: 'load' });
    const frame = await embedFrame(page);
    expect(await frame.locator('form').count()).toBe(0);
    expect(frame.url()).not.toContain('/embed');
    await context.close();
  });

  it('the embed and its thank-you step → accessible, valid, nothing from elsewhere (English and Spanish)', async () => {
    const { context, recorder } = await openContext(browser, site.origin, size);
    const page = await context.newPage();
    for (const [name, path] of [
      ['embed', '/campaigns/amazon-ring/embed'],
      ['embed-es', '/es/campaigns/amazon-ring/embed'],
    ] as const) {
      await page.goto(site.origin + path);
      await inspectPage(page, recorder, html, size, name);
      await page.screenshot({ path: `${SHOTS}/${name}-${size}.png`, fullPage: true });
    }
    signers += 1;
    await page.getByLabel('Nombre').fill('Rosa');
    await page.getByLabel('Apellido').fill('Parks');
    await page.getByLabel(/^Correo electrónico/).fill(`rosa.es.${size}.${signers}@example.org`);
    await page.getByLabel('País').selectOption({ label: 'Estados Unidos' });
    await page.getByLabel('Código postal').fill('48201');
    await page.getByRole('button', { name: 'Firmar la carta' }).click();
    await page.waitForURL(/\/es\/campaigns\/amazon-ring\/embed\/thanks/);
    await inspectPage(page, recorder, html, size, 'embed-thanks-es');
    await page.screenshot({ path: `${SHOTS}/embed-thanks-es-${size}.png`, fullPage: true });
    await context.close();
  });
});

describe('HTML validity', () => {
  it('the embed pages → the Nu Html Checker reports no errors', async () => {
    expect(html.size).toBeGreaterThanOrEqual(6);
    expect(await html.errors()).toEqual([]);
  });
});
