import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HtmlCollector,
  SIZES,
  inspectPage,
  launchBrowser,
  layoutShift,
  openContext,
  screenshot,
  startSite,
  type Site,
  type SizeName,
} from './harness.js';

let site: Site;
/** A second site whose signing limit is one a minute, for the rate-limit page. */
let limited: Site;
let browser: Browser;
const html = new HtmlCollector();

beforeAll(async () => {
  [site, limited, browser] = await Promise.all([startSite(), startSite({ SIGN_RATE_LIMIT: '1' }), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await limited?.close();
  html.dispose();
});

async function open(on: Site, size: SizeName, options: { javaScriptEnabled?: boolean } = {}) {
  const { context, recorder } = await openContext(browser, on.origin, size, options);
  return { context, recorder, page: await context.newPage() };
}

async function fillAll(page: Page, email: string, comment = ''): Promise<void> {
  await page.getByLabel('First name').fill('Grace');
  await page.getByLabel('Last name').fill('Hopper');
  await page.getByLabel(/^Email/).fill(email);
  await page.getByLabel('Country').selectOption({ label: 'United States' });
  await page.getByLabel('ZIP / Postal code').fill('10001');
  await page.getByLabel('Comment (optional)').fill(comment);
}

const countShown = (page: Page) => page.locator('.character-count[aria-hidden="true"]').innerText();
const countSpoken = (page: Page) => page.locator('[data-character-count] [aria-live="polite"]').innerText();

describe.each(Object.keys(SIZES) as SizeName[])('signing form at %s size', (size) => {
  it('comment box → characters left as one types, said to screen readers after a pause, no layout shift', async () => {
    const { context, recorder, page } = await open(site, size);
    await page.goto(`${site.origin}/`);
    await inspectPage(page, recorder, html, size, 'form-count');
    expect(await countShown(page)).toBe('You have 1,000 characters left');
    // The sentence it replaced stays as the box's description.
    expect(await page.locator('#comment-info').innerText()).toBe('You can enter up to 1,000 characters');
    expect(await page.locator('#comment').getAttribute('aria-describedby')).toContain('comment-info');

    const buttonTop = () =>
      page.evaluate(`document.querySelector('button[type=submit]').getBoundingClientRect().top + window.scrollY`);
    const button = await buttonTop();
    await page.getByLabel('Comment (optional)').fill('Footage should need a warrant.');
    expect(await countShown(page)).toBe('You have 970 characters left');
    await expect.poll(() => countSpoken(page), { timeout: 5_000 }).toBe('You have 970 characters left');

    await page.getByLabel('Comment (optional)').fill('x'.repeat(1_010));
    expect(await countShown(page)).toBe('You have 10 characters too many');
    expect(await page.locator('#comment').inputValue()).toHaveLength(1_010);
    await screenshot(page, size, 'form-count-over');
    // The count took the sentence's place: nothing below the box moved.
    expect(await buttonTop()).toBe(button);
    expect(await layoutShift(page)).toBeLessThan(0.01);
    await context.close();
  });

  it('JavaScript off → a pasted comment over the limit is kept whole and refused with a message', async () => {
    const { context, recorder, page } = await open(site, size, { javaScriptEnabled: false });
    await page.goto(`${site.origin}/`);
    const comment = 'A long thought. '.repeat(70);
    await fillAll(page, `long-${size}@example.org`, comment);
    expect(await page.locator('#comment').inputValue()).toBe(comment);
    await page.getByRole('button', { name: 'Sign the letter' }).click();
    await page.waitForSelector('.error-summary');
    expect(recorder.lastDocument?.status()).toBe(422);
    expect(await page.locator('.error-summary').innerText()).toContain(
      'Your comment must be 1,000 characters or fewer',
    );
    expect(await page.locator('#comment').inputValue()).toBe(comment);
    await inspectPage(page, recorder, html, size, 'form-comment-too-long-no-js', { scriptsOff: true });
    await context.close();
  });

  it('country → none chosen at first; typing a name in the list reaches it', async () => {
    const { context, page } = await open(site, size);
    await page.goto(`${site.origin}/`);
    const select = page.getByLabel('Country');
    expect(await select.inputValue()).toBe('');
    await select.focus();
    await page.keyboard.type('China');
    expect(await select.inputValue()).toBe('CN');
    await context.close();
  });

  it('thank-you page opened without signing → the campaign, its count and a way to sign, no thanks', async () => {
    const { context, recorder, page } = await open(site, size);
    await page.goto(`${site.origin}/campaigns/amazon-ring/thanks`);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).not.toMatch(/Thank you/);
    expect(await page.getByText('You signed').count()).toBe(0);
    await inspectPage(page, recorder, html, size, 'thanks-not-signed');
    await page.getByRole('link', { name: 'Read the letter and sign it' }).click();
    await page.waitForURL('**/campaigns/amazon-ring#sign');
    await context.close();
  });
});

describe('signing past the rate limit', () => {
  it('429 → the form again with the message and everything typed, at both sizes', async () => {
    const first = await open(limited, 'phone');
    await first.page.goto(`${limited.origin}/`);
    await fillAll(first.page, 'first@example.org');
    await first.page.getByRole('button', { name: 'Sign the letter' }).click();
    await first.page.waitForURL('**/thanks');
    await first.context.close();

    for (const size of Object.keys(SIZES) as SizeName[]) {
      const { context, recorder, page } = await open(limited, size);
      await page.goto(`${limited.origin}/`);
      await fillAll(page, `again-${size}@example.org`, 'Please stop sharing footage.');
      await page.getByRole('button', { name: 'Sign the letter' }).click();
      await page.waitForSelector('.error-summary');
      expect(recorder.lastDocument?.status()).toBe(429);
      expect(await page.locator('.error-summary').innerText()).toContain(
        'Too many signatures were sent from your connection',
      );
      expect(await page.getByLabel(/^Email/).inputValue()).toBe(`again-${size}@example.org`);
      expect(await page.getByLabel('Comment (optional)').inputValue()).toBe('Please stop sharing footage.');
      expect(await page.getByLabel('Country').inputValue()).toBe('US');
      await inspectPage(page, recorder, html, size, 'form-rate-limited');
      await context.close();
    }
  });
});

describe('HTML validity', () => {
  it('every page and state above → the Nu Html Checker reports no errors', async () => {
    expect(html.size).toBeGreaterThanOrEqual(8);
    expect(await html.errors()).toEqual([]);
  });
});
