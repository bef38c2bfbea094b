import { mkdirSync, rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onlyLink, startSmtp, type TestSmtp } from '../mail/smtp.js';
import { englishIn, englishPieces } from '../i18n/helpers.js';
import { loadCampaigns } from '../../src/campaigns/content.js';
import {
  HtmlCollector,
  SIZES,
  campaignsWith,
  inspectPage,
  launchBrowser,
  openContext,
  startSite,
  type Recorder,
  type Site,
  type SizeName,
} from './harness.js';

let site: Site;
let browser: Browser;
let smtp: TestSmtp;
const html = new HtmlCollector();
let signers = 0;
// The fixtures, with confirmation by email on for the Amazon Ring letter (its Spanish copy too).
const campaignsDir = campaignsWith('amazon-ring.md', 'consent:', 'confirm_email: true\nconsent:');
const pieces = englishPieces(loadCampaigns(campaignsDir));
const SHOTS = '/tmp/es-shots';

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
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

/** The harness's checks (axe, Nu later, overflow, CSP, nothing foreign), then Spanish throughout. */
async function inspectSpanish(page: Page, recorder: Recorder, size: SizeName, name: string) {
  await inspectPage(page, recorder, html, size, `es-${name}`);
  await page.screenshot({ path: `${SHOTS}/${name}-${size}.png`, fullPage: true });
  expect(await page.getAttribute('html', 'lang')).toBe('es');
  const served = await recorder.lastDocument!.text();
  expect(englishIn(served, pieces), `${name}: English words on a Spanish page`).toEqual([]);
}

describe.each(Object.keys(SIZES) as SizeName[])('Spanish pages at %s size', (size) => {
  it('campaign → a mistake → sign → thank-you → the email link → confirmed, all in Spanish', async () => {
    const { context, recorder } = await openContext(browser, site.origin, size);
    const page = await context.newPage();
    await page.goto(`${site.origin}/es/`);
    await inspectSpanish(page, recorder, size, 'campaign');
    expect(await page.getByRole('link', { name: 'English' }).getAttribute('href')).toBe('/campaigns/amazon-ring');

    signers += 1;
    await page.getByLabel('Nombre').fill('María');
    await page.getByLabel('Apellido').fill('López');
    await page.getByLabel(/^Correo electrónico/).fill('maria');
    await page.getByLabel('País').selectOption({ label: 'México' });
    await page.getByLabel('Código postal').fill('06000');
    await page.getByRole('button', { name: 'Firmar la carta' }).click();
    await page.waitForLoadState('load');
    expect(await page.getByRole('heading', { name: 'Hay un problema' }).count()).toBe(1);
    await inspectSpanish(page, recorder, size, 'campaign-error');

    await page.getByLabel(/^Correo electrónico/).fill(`maria.${signers}@example.org`);
    const mails = smtp.messages.length;
    await page.getByRole('button', { name: 'Firmar la carta' }).click();
    await page.waitForURL('**/es/campaigns/amazon-ring/thanks');
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Gracias, María. Ahora revisa tu correo');
    await inspectSpanish(page, recorder, size, 'thanks');

    const [mail] = (await smtp.received(mails + 1)).slice(mails);
    expect(mail?.subject).toMatch(/^Confirma tu firma: /);
    await page.goto(site.origin + onlyLink(mail!));
    await inspectSpanish(page, recorder, size, 'confirm');
    await page.getByRole('button', { name: 'Confirmar mi firma' }).click();
    await page.waitForLoadState('load');
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Tu firma está confirmada');
    await inspectSpanish(page, recorder, size, 'confirmed');
    await context.close();
  });

  it('privacy, a closed campaign and a missing page → Spanish, accessible, valid', async () => {
    const { context, recorder } = await openContext(browser, site.origin, size);
    const page = await context.newPage();
    await page.goto(`${site.origin}/es/privacy`);
    await inspectSpanish(page, recorder, size, 'privacy');
    await page.goto(`${site.origin}/es/campaigns/old-campaign`);
    await inspectSpanish(page, recorder, size, 'closed');
    await page.goto(`${site.origin}/es/nowhere`);
    await inspectSpanish(page, recorder, size, 'not-found');
    await context.close();
  });
});

describe('HTML validity', () => {
  it('every Spanish page above → the Nu Html Checker reports no errors', async () => {
    expect(html.size).toBeGreaterThanOrEqual(16);
    expect(await html.errors()).toEqual([]);
  });
});
