import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HtmlCollector,
  SIZES,
  addOrganizer,
  inspectPage,
  launchBrowser,
  openContext,
  screenshot,
  startSite,
  type Site,
  type SizeName,
} from './harness.js';

const ORGANIZER = { email: 'ann@example.org', password: 'correct horse battery staple' };
const SIGNERS = [
  { first: 'Grace', last: 'Hopper', email: 'grace@example.org', country: 'United States', postal: '20500' },
  { first: 'Alan', last: 'Turing', email: 'alan@example.org', country: 'United Kingdom', postal: 'SW1A 1AA' },
];

let site: Site;
let browser: Browser;
const html = new HtmlCollector();

beforeAll(async () => {
  [site, browser] = await Promise.all([startSite(), launchBrowser()]);
  expect(await addOrganizer(site, ORGANIZER.email, ORGANIZER.password)).toContain(`Added organizer ${ORGANIZER.email}`);
  // Two supporters sign through the page, so the count page has something to show.
  const { context } = await openContext(browser, site.origin, 'desktop');
  const page = await context.newPage();
  for (const s of SIGNERS) {
    await page.goto(`${site.origin}/`);
    await page.getByLabel('First name').fill(s.first);
    await page.getByLabel('Last name').fill(s.last);
    await page.getByLabel(/^Email/).fill(s.email);
    await page.getByLabel('Country').selectOption({ label: s.country });
    await page.getByLabel('ZIP / Postal code').fill(s.postal);
    await page.getByRole('button', { name: 'Sign the letter' }).click();
    await page.waitForURL('**/thanks');
  }
  await context.close();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  html.dispose();
});

describe.each(Object.keys(SIZES) as SizeName[])('organizer at %s size', (size) => {
  it('sign-in → wrong password → error summary, still signed out', async () => {
    const { context, recorder } = await openContext(browser, site.origin, size);
    const page = await context.newPage();
    await page.goto(`${site.origin}/organizers/login`);
    await inspectPage(page, recorder, html, size, 'organizer-login');

    await page.getByLabel('Email address').fill(ORGANIZER.email);
    await page.getByLabel('Password').fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForSelector('.error-summary');
    expect(recorder.lastDocument?.status()).toBe(401);
    await expect.poll(() => page.evaluate(`document.activeElement?.classList.contains('error-summary')`)).toBe(true);
    await inspectPage(page, recorder, html, size, 'organizer-login-error');
    await context.close();
  });

  it('sign-in → overview → count page with its chart → CSV download holds the signatures', async () => {
    const { context, recorder } = await openContext(browser, site.origin, size);
    const page = await context.newPage();
    await page.goto(`${site.origin}/organizers/login`);
    await page.getByLabel('Email address').fill(ORGANIZER.email);
    await page.getByLabel('Password').fill(ORGANIZER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${site.origin}/organizers`);
    await inspectPage(page, recorder, html, size, 'organizer-overview');

    await page.getByRole('link', { name: /Tell Amazon Ring/ }).click();
    await page.waitForURL('**/organizers/campaigns/amazon-ring');
    expect(await page.locator('.progress-count strong').first().innerText()).toBe(String(SIGNERS.length));
    // The chart is drawn on the server as SVG, so it shows without script and loads nothing.
    const chart = page.locator('figure svg').first();
    expect(await chart.isVisible()).toBe(true);
    const box = await chart.boundingBox();
    expect(box!.width).toBeGreaterThan(200);
    expect(box!.x + box!.width).toBeLessThanOrEqual(SIZES[size].width);
    for (const s of SIGNERS)
      expect(await page.getByRole('rowheader', { name: `${s.first} ${s.last}` }).count()).toBe(1);
    await inspectPage(page, recorder, html, size, 'organizer-count');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'All signatures (CSV)' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^amazon-ring-signatures-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8');
    const lines = csv.trim().split(/\r?\n/);
    expect(lines).toHaveLength(SIGNERS.length + 1);
    for (const s of SIGNERS) expect(csv).toContain(s.email);
    expect(recorder.foreign).toEqual([]);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/organizers/login');
    await screenshot(page, size, 'organizer-signed-out');
    await context.close();
  });
});

describe('organizer pages HTML validity', () => {
  it('sign-in, its error, overview and count page → the Nu Html Checker reports no errors', async () => {
    expect(html.size).toBe(8);
    expect(await html.errors()).toEqual([]);
  });
});
