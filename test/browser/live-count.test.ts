import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validForm } from '../helpers.js';
import { LAYOUT_SHIFT_OBSERVER, SIZES, launchBrowser, layoutShift, sqliteOf, startSite, type Site } from './harness.js';

let site: Site;
let browser: Browser;
let signers = 0;

beforeAll(async () => {
  [site, browser] = await Promise.all([startSite(), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

/** A signature made elsewhere (another visitor), through the real form address. */
async function someoneSigns(): Promise<void> {
  signers += 1;
  const body = new URLSearchParams(validForm({ email: `live.${signers}@example.org` }));
  const res = await fetch(`${site.origin}/campaigns/amazon-ring/signatures`, {
    method: 'POST',
    body,
    redirect: 'manual',
  });
  expect(res.status).toBe(303);
}

const stored = () =>
  sqliteOf(site.server)
    .prepare("SELECT signature_count FROM campaigns WHERE slug = 'amazon-ring'")
    .pluck()
    .get() as number;

/**
 * A context without request routing (which would turn Chromium's HTTP cache off, and with it the
 * conditional requests under test), on a fake clock, recording every JSON request and its answer.
 */
async function openLive(javaScriptEnabled = true): Promise<{ context: BrowserContext; page: Page; json: string[] }> {
  const context = await browser.newContext({ viewport: SIZES.desktop, javaScriptEnabled });
  await context.addInitScript(LAYOUT_SHIFT_OBSERVER);
  const page = await context.newPage();
  const json: string[] = [];
  page.on('requestfinished', (request) => {
    if (!request.url().endsWith('.json')) return;
    // Chromium reports a revalidated answer as the cached 200; a 304 shows as no body on the wire.
    void Promise.all([request.sizes(), request.allHeaders()]).then(([sizes, headers]) =>
      json.push(
        `${sizes.responseBodySize > 0 ? 'body' : 'no body'} ${headers['if-none-match'] ? 'conditional' : 'plain'}`,
      ),
    );
  });
  await page.clock.install();
  await page.goto(`${site.origin}/campaigns/amazon-ring`);
  return { context, page, json };
}

const shown = (page: Page) => page.locator('.progress-count strong').innerText();
const spoken = (page: Page) => page.locator('.progress [aria-live="polite"]').textContent();

describe('live count on the campaign page', () => {
  it('another signature → the count, bar and letter line follow, said politely once, conditional requests', async () => {
    const { context, page, json } = await openLive();
    const before = stored();
    expect(await shown(page)).toBe(before.toLocaleString('en-US'));
    expect(await spoken(page)).toBe('');

    // Nothing changed: the first look revalidates and finds the same count.
    await page.clock.fastForward(15_000);
    await expect.poll(() => json.length).toBe(1);

    await someoneSigns();
    await someoneSigns();
    // The next look is later (backing off after no change): 1.5 × 15 s.
    await page.clock.fastForward(23_000);
    await expect.poll(() => shown(page)).toBe((before + 2).toLocaleString('en-US'));
    expect(await page.locator('progress').evaluate((el) => (el as HTMLProgressElement).value)).toBe(before + 2);
    expect(await page.locator('.letter-sign').innerText()).toBe(`Signed, ${before + 2} people and counting`);
    expect(await spoken(page)).toBe(`${before + 2} signatures so far`);

    // A change 15 s later is shown at once but said only 30 s after the last announcement.
    await someoneSigns();
    await page.clock.fastForward(15_000);
    await expect.poll(() => shown(page)).toBe((before + 3).toLocaleString('en-US'));
    expect(await spoken(page)).toBe(`${before + 2} signatures so far`);
    await page.clock.fastForward(15_000);
    await expect.poll(() => spoken(page)).toBe(`${before + 3} signatures so far`);

    // After the first answer, each look carries the ETag; unchanged answers are 304s.
    await page.clock.fastForward(30_000);
    await expect.poll(() => json.length).toBeGreaterThanOrEqual(4);
    expect(
      json.slice(1).every((line) => line.endsWith('conditional')),
      json.join(', '),
    ).toBe(true);
    expect(json, json.join(', ')).toContain('no body conditional');
    expect(await layoutShift(page)).toBeLessThan(0.01);
    await context.close();
  });

  it('a hidden tab → asks nothing; shown again → asks at once', async () => {
    const { context, page, json } = await openLive();
    await page.evaluate(() => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await page.clock.fastForward(600_000);
    // A round trip to the server: any request the page had made would have finished by now.
    await page.evaluate(() => fetch('/healthz').then((r) => r.status));
    expect(json).toEqual([]);
    await page.evaluate(() => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => false });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await page.clock.runFor(10);
    await expect.poll(() => json.length).toBe(1);
    await context.close();
  });

  it('scripts off → the count drawn with the page, and nothing asked', async () => {
    const { context, page, json } = await openLive(false);
    const drawn = await shown(page);
    await someoneSigns();
    await page.clock.fastForward(60_000);
    expect(await shown(page)).toBe(drawn);
    expect(json).toEqual([]);
    await context.close();
  });
});
