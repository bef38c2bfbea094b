import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db.js';
import { emailKey } from '../../src/signatures/emailKey.js';
import {
  HtmlCollector,
  addOrganizer,
  inspectPage,
  launchBrowser,
  openContext,
  startSite,
  type Site,
} from './harness.js';

/*
 * The organizer pages of issue 15 in a real browser: change password, the search with its dry run, the
 * count page after an invalidation (its audit, the signals, the milestones), at the narrowest phone, a
 * phone and a desktop; axe, the Nu checker and nothing scrolling sideways on each.
 */
const ORGANIZER = { email: 'ann@example.org', password: 'correct horse battery staple' };
const SIZES = {
  '320': { width: 320, height: 640 },
  phone: { width: 390, height: 844 },
  desktop: { width: 1280, height: 800 },
};

let site: Site;
let browser: Browser;
const html = new HtmlCollector();

/** An hour-old flood from one address code and one domain, beside a day of ordinary signers. */
function seed(): void {
  const db = openDatabase(site.env.DATABASE_PATH ?? '');
  const insert = db.prepare(
    `INSERT INTO signatures (campaign_slug, first_name, last_name, email, email_key, country, postal_code, opted_in,
                             consent_version, created_at, source_hash)
     VALUES ('amazon-ring', ?, ?, ?, ?, 'GB', 'SW1A 1AA', 0, 'v1', ?, ?)`,
  );
  const now = Date.now();
  db.transaction(() => {
    for (let i = 0; i < 40; i++) {
      const email = `person${i}@example${i % 5}.org`;
      insert.run(
        `Person${i}`,
        'Example',
        email,
        emailKey(email),
        new Date(now - 7 * 3_600_000 - i * 1_800_000).toISOString(),
        `ordinary-code-${i}-abcdefghijkl`,
      );
    }
    for (let i = 0; i < 60; i++) {
      const email = `bot${i}.with.a.long.address@throwaway-flood.example`;
      insert.run(
        'Test',
        `Bot${i}`,
        email,
        emailKey(email),
        new Date(now - 3_000_000 + i * 30_000).toISOString(),
        'flood-address-code-0123456789abcdef',
      );
    }
  })();
  db.close();
}

beforeAll(async () => {
  [site, browser] = await Promise.all([startSite(), launchBrowser()]);
  await addOrganizer(site, ORGANIZER.email, ORGANIZER.password);
  seed();
}, 120_000);

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

describe.each(Object.entries(SIZES))('issue 15 organizer pages at %s', (size, viewport) => {
  it('password form with its errors; search, dry run, invalidation, audit, signals and undo', async () => {
    const { context, recorder } = await openContext(browser, site.origin, viewport);
    const page = await context.newPage();
    await signIn(page);

    await page.getByRole('link', { name: 'Password' }).click();
    await page.getByRole('button', { name: 'Change password' }).click();
    expect(await page.getByRole('alert').textContent()).toContain('Enter your current password');
    await inspectPage(page, recorder, html, size, 'password-error');

    await page.goto(`${site.origin}/organizers/campaigns/amazon-ring`);
    await page.getByText('Address code flood-ad: 60 signatures').waitFor();
    await page.getByRole('link', { name: /Email domain throwaway-flood\.example/ }).click();
    await page.getByRole('heading', { name: '60 signatures match' }).waitFor();
    await inspectPage(page, recorder, html, size, 'search-dry-run');

    await page.getByRole('button', { name: 'Invalidate these 60 signatures' }).click();
    await page.locator('#invalidations-caption').waitFor();
    await page.getByText('Nothing unusual', { exact: false }).waitFor();
    await inspectPage(page, recorder, html, size, 'count-after-invalidation');

    const undone = await page.getByText(/^\s*Undone/).count();
    await page.getByRole('button', { name: 'Undo' }).click();
    await page.waitForLoadState('load');
    expect(await page.getByText(/^\s*Undone/).count()).toBe(undone + 1);
    await context.close();
  }, 120_000);
});

describe('the Nu Html Checker', () => {
  it('reports no errors on the pages above', async () => {
    expect(html.size).toBeGreaterThan(0);
    expect(await html.errors()).toEqual([]);
  }, 120_000);
});
