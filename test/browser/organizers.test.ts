import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db.js';
import { createRepositories } from '../../src/repositories.js';
import {
  HtmlCollector,
  SIZES,
  addOrganizer,
  inspectPage,
  launchBrowser,
  openContext,
  startSite,
  type Site,
} from './harness.js';

const ORGANIZER = { email: 'ann@example.org', password: 'correct horse battery staple' };
const SIGNERS = [
  { first: 'Grace', last: 'Hopper', email: 'grace@example.org', country: 'United States', postal: '20500' },
  { first: 'Alan', last: 'Turing', email: 'alan@example.org', country: 'United Kingdom', postal: 'SW1A 1AA' },
];
/** The organizer pages at the narrowest phone, a common phone and a desktop. */
const ORGANIZER_SIZES = { '320': { width: 320, height: 640 }, phone: SIZES.phone, desktop: SIZES.desktop };
type OrganizerSize = keyof typeof ORGANIZER_SIZES;
/** Signatures stored straight into the database beside the two signed through the page. */
const SEEDED = 140;
const COUNTRIES = ['US', 'GB', 'DE', 'FR', 'NA', 'BR', 'IN', 'JP', 'MX', 'NG'];

let site: Site;
let browser: Browser;
const html = new HtmlCollector();

/**
 * What a campaign's first weeks look like: signatures over the last 20 days from ten countries, a
 * few with comments, one name and one comment as long as the form allows.
 */
async function seedSignatures(): Promise<void> {
  const db = openDatabase(site.env.DATABASE_PATH ?? '');
  const repos = createRepositories(db);
  const now = Date.now();
  await Promise.all(
    Array.from({ length: SEEDED }, (_, i) =>
      repos.signatures.add({
        campaignSlug: 'amazon-ring',
        firstName: i === 0 ? 'Maximiliana-Alexandrina' : `Person${i}`,
        lastName: i === 0 ? 'Wolfeschlegelsteinhausen-Bergerdorff' : 'Example',
        email: `person${i}@example.org`,
        country: COUNTRIES[i % COUNTRIES.length] ?? 'US',
        postalCode: '01234',
        comment:
          i === 0
            ? 'Cameras on every door, and the footage handed over without a warrant: '.repeat(8).trim()
            : i % 7 === 0
              ? '-stop it'
              : null,
        optedIn: i % 3 === 0,
        consentVersion: 'v1',
        sourceHash: null,
        // Newest first in the list: the long name lands on a later page, which "Older" reaches.
        createdAt: new Date(now - 60_000 - ((i * 20 * 86_400_000) / SEEDED + (i % 5) * 3_600_000)),
      }),
    ),
  );
  db.close();
}

beforeAll(async () => {
  [site, browser] = await Promise.all([startSite(), launchBrowser()]);
  expect(await addOrganizer(site, ORGANIZER.email, ORGANIZER.password)).toContain(`Added organizer ${ORGANIZER.email}`);
  await seedSignatures();
  // Two supporters sign through the page, so the newest signatures came the way real ones do.
  const { context } = await openContext(browser, site.origin, 'desktop');
  const page = await context.newPage();
  for (const s of SIGNERS) {
    await page.goto(`${site.origin}/`);
    await page.getByLabel('First name').fill(s.first);
    await page.getByLabel('Last name').fill(s.last);
    await page.getByLabel(/^Email/).fill(s.email);
    await page.getByLabel('Country').selectOption({ label: s.country });
    await page.getByLabel(/postal code/i).fill(s.postal);
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

async function signIn(page: Page): Promise<void> {
  await page.goto(`${site.origin}/organizers/login`);
  await page.getByLabel('Email address').fill(ORGANIZER.email);
  await page.getByLabel('Password').fill(ORGANIZER.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${site.origin}/organizers`);
}

/**
 * Every chart label that is shown, with its box in CSS pixels as drawn: its height is the text's
 * size on screen, whatever the SVG's scaling (a 14-unit font in a scaled-down drawing is 6 px).
 */
async function chartLabels(page: Page): Promise<{ text: string; x: number; right: number; height: number }[]> {
  return page.evaluate(`[...document.querySelectorAll('figure svg text')]
    .filter((t) => getComputedStyle(t).display !== 'none')
    .map((t) => { const b = t.getBoundingClientRect(); return { text: t.textContent, x: b.left, right: b.right, height: b.height }; })`);
}

describe.each(Object.keys(ORGANIZER_SIZES) as OrganizerSize[])('organizer at %s size', (size) => {
  const viewport = ORGANIZER_SIZES[size];

  it('sign-in → wrong password → error summary, still signed out; the fields do not move sideways', async () => {
    const { context, recorder } = await openContext(browser, site.origin, viewport);
    const page = await context.newPage();
    await page.goto(`${site.origin}/organizers/login`);
    await inspectPage(page, recorder, html, size, 'organizer-login');
    const before = await page.getByLabel('Password').boundingBox();

    await page.getByLabel('Email address').fill(ORGANIZER.email);
    await page.getByLabel('Password').fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForSelector('.error-summary');
    expect(recorder.lastDocument?.status()).toBe(401);
    await expect.poll(() => page.evaluate(`document.activeElement?.classList.contains('error-summary')`)).toBe(true);
    const after = await page.getByLabel('Password').boundingBox();
    expect(after?.x).toBe(before?.x);
    expect(after?.width).toBe(before?.width);
    await inspectPage(page, recorder, html, size, 'organizer-login-error');
    await context.close();
  });

  it('overview → each campaign a card, with its figures inside the window', async () => {
    const { context, recorder } = await openContext(browser, site.origin, viewport);
    const page = await context.newPage();
    await signIn(page);
    await inspectPage(page, recorder, html, size, 'organizer-overview');
    const cards = page.locator('.org-campaign');
    expect(await cards.count()).toBe(3);
    for (const figure of await page.locator('.org-campaign dt, .org-campaign dd, .org-campaign h2').all()) {
      const box = await figure.boundingBox();
      expect(box!.x + box!.width, `${await figure.innerText()} at ${size}`).toBeLessThanOrEqual(viewport.width);
    }
    expect(await page.getByRole('link', { name: /Tell Amazon Ring/ }).isVisible()).toBe(true);
    await context.close();
  });

  it('count page → chart labels readable and apart, dates on at most two lines, downloads hold the signatures', async () => {
    const { context, recorder } = await openContext(browser, site.origin, viewport);
    const page = await context.newPage();
    await signIn(page);
    await page.getByRole('link', { name: /Tell Amazon Ring/ }).click();
    await page.waitForURL('**/organizers/campaigns/amazon-ring');
    const total = String(SEEDED + SIGNERS.length);
    expect(await page.locator('.progress-count strong').first().innerText()).toBe(total);
    // The chart is drawn on the server as SVG, so it shows without script and loads nothing.
    const chart = page.locator('figure svg').first();
    expect(await chart.isVisible()).toBe(true);
    const box = await chart.boundingBox();
    expect(box!.width).toBeGreaterThan(200);
    expect(box!.x + box!.width).toBeLessThanOrEqual(viewport.width);
    const labels = await chartLabels(page);
    expect(labels.length).toBeGreaterThan(4);
    for (const label of labels) {
      // About 12 px text or larger.
      expect(label.height, `${label.text} at ${size}`).toBeGreaterThanOrEqual(14);
      expect(label.x, `${label.text} at ${size}`).toBeGreaterThanOrEqual(box!.x);
      expect(label.right, `${label.text} at ${size}`).toBeLessThanOrEqual(box!.x + box!.width + 0.5);
    }
    // Tick labels of one chart do not overlap.
    const ticks = await page.evaluate(`[...document.querySelectorAll('#chart-daily .chart-tick')]
      .filter((t) => getComputedStyle(t).display !== 'none')
      .map((t) => { const b = t.getBoundingClientRect(); return [b.left, b.right]; })`);
    const spans = ticks as [number, number][];
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThan(spans[i - 1]![1]);

    for (const s of SIGNERS)
      expect(await page.getByRole('rowheader', { name: `${s.first} ${s.last}` }).count()).toBe(1);
    const lineHeight = await page.evaluate(
      `parseFloat(getComputedStyle(document.querySelector('.org-recent time')).lineHeight)`,
    );
    const dateHeight = (await page.locator('.org-recent time').first().boundingBox())!.height;
    expect(dateHeight, 'a signing time on at most two lines').toBeLessThanOrEqual(2 * (lineHeight as number) + 1);
    await inspectPage(page, recorder, html, size, 'organizer-count');

    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'All signatures (CSV)' }).click(),
    ]);
    expect(csv.suggestedFilename()).toMatch(/^amazon-ring-signatures-\d{4}-\d{2}-\d{2}\.csv$/);
    const text = readFileSync((await csv.path())!, 'utf8');
    expect(text.trim().split(/\r?\n/)).toHaveLength(SEEDED + SIGNERS.length + 1);
    for (const s of SIGNERS) expect(text).toContain(s.email);

    const [xlsx] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'All signatures (spreadsheet)' }).click(),
    ]);
    expect(xlsx.suggestedFilename()).toMatch(/^amazon-ring-signatures-\d{4}-\d{2}-\d{2}\.xlsx$/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile((await xlsx.path())!);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.rowCount).toBe(SEEDED + SIGNERS.length + 1);
    expect(sheet.getColumn(3).values).toContain(SIGNERS[0]!.email);
    expect(recorder.foreign).toEqual([]);
    await context.close();
  });

  it('recent list → "Older" then "Newer" comes back; sign out → the sign-in page says so', async () => {
    const { context, recorder } = await openContext(browser, site.origin, viewport);
    const page = await context.newPage();
    await signIn(page);
    await page.goto(`${site.origin}/organizers/campaigns/amazon-ring`);
    const first = await page.locator('.org-recent tbody th').allInnerTexts();
    await page.getByRole('link', { name: 'Older signatures' }).first().click();
    await page.waitForURL('**?after=*');
    expect(await page.locator('.org-recent caption').innerText()).toMatch(/^Earlier signatures/);
    await inspectPage(page, recorder, html, size, 'organizer-count-older');
    await page.getByRole('link', { name: 'Newer signatures' }).click();
    await page.waitForURL('**/organizers/campaigns/amazon-ring**');
    expect(await page.locator('.org-recent tbody th').allInnerTexts()).toEqual(first);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/organizers/login?signed-out');
    expect(await page.getByRole('status').innerText()).toContain('You have signed out.');
    expect(await page.content()).not.toContain(ORGANIZER.email);
    await inspectPage(page, recorder, html, size, 'organizer-signed-out');
    await context.close();
  });
});

describe('organizer pages HTML validity', () => {
  it('sign-in, its error, overview, count pages and the signed-out page → the Nu Html Checker reports no errors', async () => {
    expect(html.size).toBe(6 * Object.keys(ORGANIZER_SIZES).length);
    expect(await html.errors()).toEqual([]);
  });
});
