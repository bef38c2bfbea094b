import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db.js';
import {
  HtmlCollector,
  SCREENSHOTS,
  SIZES,
  addOrganizer,
  inspectPage,
  launchBrowser,
  openContext,
  startSite,
  type Site,
  type SizeName,
} from './harness.js';

/** Pages of 600 names make axe and the Nu checker slow on a shared machine. */
const SLOW = 240_000;
const ORGANIZER = { email: 'ann@example.org', password: 'correct horse battery staple' };

/** Short names fit one line of a printed column; the long ones wrap onto two or three. */
const SHORT = 600;
const LONG = [
  ['Maximiliana Alexandrina Wilhelmina', 'Ostermann-Hohenzollern von Sigmaringen'],
  ['Anna Maria Josefa Theresia', 'Grünewald-Schwarzenberg zu Liechtenstein'],
  ['Jean-Baptiste Emmanuel', 'de la Tour d’Auvergne-Lauraguais'],
];

function seed(site: Site): void {
  const db = openDatabase(site.env.DATABASE_PATH as string);
  const insert = db.prepare(
    `INSERT INTO signatures (campaign_slug, first_name, last_name, email, email_key, country, postal_code,
                             opted_in, consent_version, created_at)
     VALUES ('amazon-ring', ?, ?, ?, ?, ?, '12345', 0, 'v1', ?)`,
  );
  let n = 0;
  const sign = (first: string, last: string, country: string) => {
    n += 1;
    const email = `p${n}@example.org`;
    insert.run(
      first,
      last,
      email,
      email,
      country,
      new Date(Date.parse('2026-11-01T00:00:00Z') + n * 1000).toISOString(),
    );
  };
  db.transaction(() => {
    for (let i = 0; i < SHORT; i++) sign(`Given${pad(i, 3)}`, `Family${pad(i, 3)}`, 'US');
    for (const [first, last] of LONG) sign(first as string, last as string, 'US');
    for (let i = 0; i < 40; i++) sign(`Vorname${pad(i, 2)}`, `Nachname${pad(i, 2)}`, 'DE');
  })();
  db.close();
}

let site: Site;
let browser: Browser;
let dir: string;
const html = new HtmlCollector();

beforeAll(async () => {
  [site, browser] = await Promise.all([startSite(), launchBrowser()]);
  await addOrganizer(site, ORGANIZER.email, ORGANIZER.password);
  seed(site);
  dir = mkdtempSync(join(tmpdir(), 'undersigned-pdf-'));
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  html.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function signIn(page: Page): Promise<void> {
  await page.goto(`${site.origin}/organizers/login`);
  await page.getByLabel('Email address').fill(ORGANIZER.email);
  await page.getByLabel('Password').fill(ORGANIZER.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${site.origin}/organizers`);
}

/** pdftotext's text of each page of a PDF (it separates pages with form feeds). */
function pagesOf(pdf: Buffer, name: string): string[] {
  const file = join(dir, `${name}.pdf`);
  writeFileSync(file, pdf);
  const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  execFileSync('pdftoppm', ['-png', '-r', '50', file, join(SCREENSHOTS, `delivery-pdf-${name}`)]);
  return text.split('\f').slice(0, -1);
}

/**
 * Text without white space or hyphens: a name wrapped over lines still reads as itself (pdftotext
 * joins a line that ends in a hyphen to the next and drops the hyphen).
 */
const squeeze = (text: string) => text.replace(/[\s-]+/g, '');
const pad = (n: number, width: number) => String(n).padStart(width, '0');
const mmToPx = (mm: number) => (mm / 25.4) * 96;
const PAGE_HEIGHT_PX = { A4: mmToPx(297), Letter: 11 * 96 };
/** 643 names: on A4 62 lines a column, on Letter 58. */
const EXPECTED_PAGES = { A4: 6, Letter: 6 };

let packageUrl = '';

describe('the delivery package in a real browser', () => {
  it(
    'build a package from the delivery page → the package page, at each size, passes the page checks',
    async () => {
      for (const size of Object.keys(SIZES) as SizeName[]) {
        const { context, recorder } = await openContext(browser, site.origin, size);
        const page = await context.newPage();
        await signIn(page);
        await page.goto(`${site.origin}/organizers/campaigns/amazon-ring/delivery`);
        await inspectPage(page, recorder, html, size, 'delivery-builder');
        if (!packageUrl) {
          await page.getByLabel('Names from').selectOption('all');
          await page.getByRole('button', { name: 'Build the package' }).click();
          await page.waitForURL('**/delivery/packages/*');
          packageUrl = page.url();
        } else {
          await page.goto(packageUrl);
        }
        await inspectPage(page, recorder, html, size, 'delivery-package');
        // The full-page screenshot is a very long strip; the first screen is what a person looks at.
        await page.screenshot({ path: join(SCREENSHOTS, `delivery-package-top-${size}.png`) });
        await context.close();
      }
    },
    SLOW,
  );

  for (const format of ['A4', 'Letter'] as const) {
    it(
      `prints on ${format}: the letter first, every name whole on exactly one page, no heading left at a page foot`,
      async () => {
        const { context } = await openContext(browser, site.origin, 'desktop');
        const page = await context.newPage();
        await signIn(page);
        await page.goto(packageUrl);
        const pdf = await page.pdf({ format, printBackground: true });
        const pages = pagesOf(pdf, format);
        const shortOn = pages.map((p) => (p.match(/Family\d{3}|Nachname\d\d/g) ?? []).length);

        // Page 1: the cover and the letter, and no name.
        expect(pages[0]).toContain('A letter to Amazon Ring');
        expect(shortOn[0]).toBe(0);
        // A page in the middle of the list holds exactly 3 columns of full lines: the page's height less
        // the @page margins of 16 and 18 mm (each rounded to CSS pixels, as Chromium lays them out),
        // divided by the list's 12pt (16px) line.
        const rows = Math.floor((PAGE_HEIGHT_PX[format] - Math.round(mmToPx(16)) - Math.round(mmToPx(18))) / 16);
        expect(shortOn.slice(2, -2)).toEqual(shortOn.slice(2, -2).map(() => 3 * rows));
        // So the page count is as expected: the letter, the list's first page (under its headings), full
        // pages, the rest of the list, and the check of the digest, which is never split.
        expect(pages.length).toBe(EXPECTED_PAGES[format]);
        expect(pages.at(-1)).toContain('Checking this list');

        // Every name, short or wrapped over lines, is whole on exactly one page.
        const names = [
          ...Array.from({ length: SHORT }, (_, i) => `Family${pad(i, 3)}, Given${pad(i, 3)}`),
          ...LONG.map(([first, last]) => `${last}, ${first}`),
          ...Array.from({ length: 40 }, (_, i) => `Nachname${pad(i, 2)}, Vorname${pad(i, 2)}`),
        ];
        const squeezed = pages.map(squeeze);
        for (const name of names) expect(squeezed.filter((p) => p.includes(squeeze(name))).length, name).toBe(1);
        expect(shortOn.reduce((a, b) => a + b, 0)).toBe(SHORT + 40);

        // A country's heading is on the page where its first names are, never alone at a page's foot.
        const pageOf = (text: string) => squeezed.findIndex((p) => p.includes(squeeze(text)));
        expect(pageOf('Germany (40)')).toBe(pageOf('Nachname00, Vorname00'));
        expect(pageOf('United States (603)')).toBe(pageOf('Family000, Given000'));
        // Each page is numbered "n / total" at its foot.
        squeezed.forEach((p, i) => expect(p).toContain(`${i + 1}/${pages.length}`));
        await context.close();
      },
      SLOW,
    );
  }
});

describe('delivery pages HTML validity', () => {
  it(
    'the delivery page and a package → the Nu Html Checker reports no errors',
    async () => {
      expect(html.size).toBe(4);
      expect(await html.errors()).toEqual([]);
    },
    SLOW,
  );
});
