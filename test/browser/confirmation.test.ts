import { rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onlyLink, rawHeader, startSmtp, type TestSmtp } from '../mail/smtp.js';
import {
  HtmlCollector,
  SIZES,
  axeViolations,
  campaignsWith,
  horizontalOverflow,
  inspectPage,
  launchBrowser,
  openContext,
  screenshot,
  startSite,
  type Site,
  type SizeName,
} from './harness.js';

let site: Site;
let browser: Browser;
let smtp: TestSmtp;
const html = new HtmlCollector();
let signers = 0;
// The fixtures, with confirmation by email on for the Amazon Ring letter.
const campaignsDir = campaignsWith('amazon-ring.md', 'consent:', 'confirm_email: true\nconsent:');

beforeAll(async () => {
  smtp = await startSmtp();
  [site, browser] = await Promise.all([
    startSite({ CAMPAIGNS_DIR: campaignsDir, SMTP_URL: smtp.url, MAIL_FROM: 'Undersigned <mail@petition.example>' }),
    launchBrowser(),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await smtp?.close();
  html.dispose();
  rmSync(campaignsDir, { recursive: true, force: true });
});

async function shownCount(page: Page): Promise<number> {
  return Number((await page.locator('.progress-count strong').first().innerText()).replace(/,/g, ''));
}

describe.each(Object.keys(SIZES) as SizeName[])('confirming by email at %s size', (size) => {
  it('sign → the email arrives → its link in Chromium → press the button → the count rises', async () => {
    const { context, recorder } = await openContext(browser, site.origin, size);
    const tab = await context.newPage();
    signers += 1;
    const email = `grace.${signers}@example.org`;
    await tab.goto(`${site.origin}/`);
    const before = await shownCount(tab);
    const mailsBefore = smtp.messages.length;
    await tab.getByLabel('First name').fill('Grace');
    await tab.getByLabel('Last name').fill('Hopper');
    await tab.getByLabel(/^Email/).fill(email);
    await tab.getByLabel('Country').selectOption({ label: 'United States' });
    await tab.getByLabel('ZIP / Postal code').fill('10001');
    await tab.getByLabel(/updates/).check();
    await tab.getByRole('button', { name: 'Sign the letter' }).click();
    await tab.waitForURL('**/campaigns/amazon-ring/thanks');
    expect(await tab.getByRole('heading', { level: 1 }).innerText()).toBe('Thank you, Grace. Now check your email');
    expect(await shownCount(tab)).toBe(before);
    await inspectPage(tab, recorder, html, size, 'confirm-thanks');

    const mail = (await smtp.received(mailsBefore + 1)).at(-1)!;
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.text : '').toBe(email);
    const path = onlyLink(mail);

    // The link opens a page that asks; only the button confirms.
    await tab.goto(site.origin + path);
    expect(await tab.getByRole('heading', { level: 1 }).innerText()).toBe('Confirm your signature');
    expect(await shownCount(tab)).toBe(before);
    await inspectPage(tab, recorder, html, size, 'confirm-ask');
    await tab.getByRole('button', { name: 'Confirm my signature' }).click();
    await tab.waitForURL(`**${path}`);
    expect(await tab.getByRole('heading', { level: 1 }).innerText()).toBe('Your signature is confirmed');
    expect(await shownCount(tab)).toBe(before + 1);
    await inspectPage(tab, recorder, html, size, 'confirm-done');

    // Remove: a page with a button.
    await tab.getByRole('link', { name: 'Remove my signature' }).click();
    await inspectPage(tab, recorder, html, size, 'withdraw-ask');

    // Unsubscribe, from the List-Unsubscribe address.
    const unsubscribe = (rawHeader(mail, 'list-unsubscribe') ?? '').replace(/^<|>$/g, '');
    await tab.goto(site.origin + new URL(unsubscribe).pathname);
    await inspectPage(tab, recorder, html, size, 'unsubscribe-ask');
    await tab.getByRole('button', { name: 'Stop sending me updates' }).click();
    await tab.waitForLoadState('load');
    expect(await tab.getByRole('heading', { level: 1 }).innerText()).toBe('You will get no more updates');
    await inspectPage(tab, recorder, html, size, 'unsubscribe-done');

    // And removing it after all: the count goes back down.
    await tab.goto(site.origin + path.replace('/confirm/', '/withdraw/'));
    await tab.getByRole('button', { name: 'Remove my signature' }).click();
    await tab.waitForURL('**/campaigns/amazon-ring/withdrawn');
    await inspectPage(tab, recorder, html, size, 'withdrawn');
    await tab.goto(`${site.origin}/`);
    expect(await shownCount(tab)).toBe(before);

    // The old link: a clear page leading to the campaign, not the bare 404.
    await tab.goto(site.origin + path);
    expect(await tab.getByRole('heading', { level: 1 }).innerText()).toBe('This link does not work');
    await inspectPage(tab, recorder, html, size, 'link-problem');
    await context.close();
  });

  it('the HTML email → readable at this width, accessible, nothing from elsewhere', async () => {
    const mail = smtp.messages.at(-1);
    expect(mail?.html).toBeTruthy();
    const { context, recorder } = await openContext(browser, site.origin, size);
    const page = await context.newPage();
    await page.setContent(String(mail!.html));
    html.add(`email-confirm-${size}`, String(mail!.html));
    await screenshot(page, size, 'email-confirm');
    expect(await axeViolations(page)).toEqual([]);
    expect(await horizontalOverflow(page)).toBe(0);
    expect(recorder.foreign).toEqual([]);
    await context.close();
  });
});

describe('the pages and the email', () => {
  it('pass the Nu Html Checker', async () => {
    expect(html.size).toBeGreaterThan(0);
    expect(await html.errors()).toEqual([]);
  }, 120_000);
});
