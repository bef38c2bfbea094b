import { rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HtmlCollector,
  SIZES,
  axeViolations,
  campaignsWith,
  horizontalOverflow,
  inspectPage,
  launchBrowser,
  layoutShift,
  openContext,
  screenshot,
  startSite,
  type Recorder,
  type Site,
  type SizeName,
  sqliteOf,
} from './harness.js';

let site: Site;
let browser: Browser;
const html = new HtmlCollector();
let signers = 0;
// The fixtures, with the recent signers list turned on for the second campaign.
const campaignsDir = campaignsWith('library-hours.md', 'consent:', 'show_recent_signers: true\nconsent:');

beforeAll(async () => {
  [site, browser] = await Promise.all([startSite({ CAMPAIGNS_DIR: campaignsDir }), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  html.dispose();
  rmSync(campaignsDir, { recursive: true, force: true });
});

/** A new person each time, so every signature counts. */
function nextSigner(): { first: string; last: string; email: string } {
  signers += 1;
  return { first: `Ada${'abcdefghij'[signers % 10]}`, last: 'Lovelace', email: `ada.${signers}@example.org` };
}

const storedEmails = (): string[] =>
  sqliteOf(site.server)
    .prepare("SELECT email FROM signatures WHERE campaign_slug = 'amazon-ring' ORDER BY id")
    .pluck()
    .all() as string[];

/** The number on the progress line, as a person reads it ("1,234 signatures of 20,000 goal"). */
async function shownCount(page: Page): Promise<number> {
  const text = await page.locator('.progress-count strong').first().innerText();
  return Number(text.replace(/,/g, ''));
}

async function open(size: SizeName | { width: number; height: number }, options: { javaScriptEnabled?: boolean } = {}) {
  const { context, recorder } = await openContext(browser, site.origin, size, options);
  const page = await context.newPage();
  return { context, recorder, page };
}

async function fillByLabels(page: Page, who: { first: string; last: string; email: string }): Promise<void> {
  await page.getByLabel('First name').fill(who.first);
  await page.getByLabel('Last name').fill(who.last);
  await page.getByLabel(/^Email/).fill(who.email);
  await page.getByLabel('Country').selectOption({ label: 'United States' });
  await page.getByLabel('ZIP / Postal code').fill('10001');
  await page.getByLabel('Comment (optional)').fill('Footage should need a warrant.');
}

function expectCleanRecorder(recorder: Recorder): void {
  expect(recorder.foreign).toEqual([]);
  expect(recorder.cspViolations).toEqual([]);
  expect(recorder.pageErrors).toEqual([]);
}

describe.each(Object.keys(SIZES) as SizeName[])('supporter at %s size', (size) => {
  it('campaign page → first visit → accessible, valid, on-site only, form on the first screen, no layout shift', async () => {
    const { context, recorder, page } = await open(size);
    const response = await page.goto(`${site.origin}/`);
    expect(response?.status()).toBe(200);
    await inspectPage(page, recorder, html, size, 'campaign');

    await expect.poll(() => page.title()).toContain('Tell Amazon Ring');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await expect.poll(() => page.getByRole('heading', { name: 'Sign the letter to Amazon Ring' }).count()).toBe(1);
    expect(await page.getByText('* indicates a required field').count()).toBe(1);
    expect(await page.locator('.progress-count').innerText()).toMatch(/[\d,]+ signatures? of 20,000 goal/);

    // The progress bar has a name and a value for screen readers.
    const bar = page.getByRole('progressbar');
    expect(await bar.count()).toBe(1);
    expect(await bar.evaluate((el) => (el as HTMLProgressElement).max)).toBe(20000);
    const barName = await bar.evaluate(
      (el) => document.getElementById(el.getAttribute('aria-labelledby') ?? '')?.textContent ?? '',
    );
    expect(barName).toMatch(/signatures? of 20,000 goal/);

    // The form starts on the first screen: on a phone its first field is above the fold; on a
    // desktop, where the form sits beside the story, the whole form down to its button is.
    const firstField = await page.locator('#first-name').boundingBox();
    expect(firstField).not.toBeNull();
    expect(firstField!.y + firstField!.height).toBeLessThanOrEqual(SIZES[size].height);
    if (size === 'desktop') {
      const button = await page.getByRole('button', { name: 'Sign the letter' }).boundingBox();
      expect(button!.y + button!.height).toBeLessThanOrEqual(SIZES[size].height);
    }

    // Nothing moves once painted (fonts are the system's, the progress bar has its size in CSS).
    expect(await layoutShift(page)).toBeLessThan(0.01);

    // Social previews: Open Graph and Twitter card, with an image served by this site.
    const ogImage = await page.getAttribute('meta[property="og:image"]', 'content');
    expect(ogImage).toMatch(new RegExp(`^${site.origin}/static/img/social\\.[0-9a-f]+\\.png$`));
    expect(await page.getAttribute('meta[name="twitter:card"]', 'content')).toBe('summary_large_image');
    expect(await page.getAttribute('meta[property="og:title"]', 'content')).toContain('Amazon Ring');
    expect(await page.getAttribute('meta[property="og:description"]', 'content')).toBeTruthy();
    const image = await page.request.get(ogImage!);
    expect(image.headers()['content-type']).toBe('image/png');
    const png = await image.body();
    // PNG signature, then the IHDR chunk holding width and height.
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1200, 630]);
    const icon = await page.getAttribute('link[rel="icon"]', 'href');
    expect((await page.request.get(`${site.origin}${icon}`)).status()).toBe(200);
    await context.close();
  });

  it('campaign page → sign by the form labels → thank-you page with a higher count, signature stored', async () => {
    const { context, recorder, page } = await open(size);
    await page.goto(`${site.origin}/`);
    const before = await shownCount(page);
    const who = nextSigner();
    await fillByLabels(page, who);
    await page.getByRole('button', { name: 'Sign the letter' }).click();
    await page.waitForURL('**/campaigns/amazon-ring/thanks');

    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe(`Thank you, ${who.first}!`);
    expect(await shownCount(page)).toBe(before + 1);
    expect(storedEmails()).toContain(who.email);
    // Sharing is the obvious next step: the share links are on the first screen.
    const share = await page.getByRole('heading', { name: /ask one more person|share/i }).boundingBox();
    expect(share!.y).toBeLessThan(SIZES[size].height);
    for (const name of ['Email', 'WhatsApp', 'X', 'Facebook']) {
      expect(await page.getByRole('link', { name, exact: true }).count()).toBe(1);
    }
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: site.origin });
    await page.getByRole('button', { name: 'Copy link' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toContain('Link copied');
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(
      `${site.origin}/campaigns/amazon-ring?source=link`,
    );
    await inspectPage(page, recorder, html, size, 'thanks');

    // Back on the campaign page the new count shows.
    await page.getByRole('link', { name: 'Back to the campaign' }).click();
    expect(await shownCount(page)).toBe(before + 1);
    expectCleanRecorder(recorder);
    await context.close();
  });

  it('campaign page → empty form sent → error summary focused, its link moves focus to the field, nothing stored', async () => {
    const { context, recorder, page } = await open(size);
    await page.goto(`${site.origin}/`);
    const stored = storedEmails().length;
    await page.getByRole('button', { name: 'Sign the letter' }).click();
    await page.waitForSelector('.error-summary');

    expect(recorder.lastDocument?.status()).toBe(422);
    expect(await page.title()).toMatch(/^Error: /);
    // Focused by the enhancement script so a screen reader announces it and keyboard users start there.
    await expect.poll(() => page.evaluate(`document.activeElement?.classList.contains('error-summary')`)).toBe(true);
    const summary = page.locator('.error-summary');
    expect(await summary.getByRole('heading', { name: 'There is a problem' }).count()).toBe(1);
    expect(await summary.getByRole('link').count()).toBeGreaterThanOrEqual(4);
    await inspectPage(page, recorder, html, size, 'campaign-errors');

    await summary.getByRole('link', { name: 'Enter your first name' }).click();
    expect(await page.evaluate('document.activeElement?.id')).toBe('first-name');
    // …and brings it into view (the scroll may be animated, so wait for it to settle).
    await expect
      .poll(async () => {
        const box = await page.locator('#first-name').boundingBox();
        return box !== null && box.y >= 0 && box.y + box.height <= SIZES[size].height;
      })
      .toBe(true);
    // The message sits beside the field and the field says it is wrong.
    expect(await page.locator('#first-name').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#first-name-error').innerText()).toContain('Enter your first name');
    expect(storedEmails().length).toBe(stored);
    await screenshot(page, size, 'campaign-errors-followed');
    await context.close();
  });

  it('campaign page → a mistake in one field of a pair → the pair keeps its places and its inputs stay level', async () => {
    const { context, page } = await open(size);
    type Box = { x: number; y: number; width: number };
    const boxes = async () =>
      Promise.all(
        ['#first-name', '#last-name', '#country', '#postal-code'].map((id) => page.locator(id).boundingBox()),
      );
    await page.goto(`${site.origin}/`);
    const before = await boxes();
    await page.getByLabel(/First name/).fill('Ada');
    await page.getByRole('button', { name: 'Sign the letter' }).click();
    await page.waitForSelector('.error-summary');
    const after = await boxes();
    const [first, last, country, postal] = after.map((box) => box!) as unknown as [Box, Box, Box, Box];
    // Side by side before means side by side after (an error marks its own field with a border and an
    // indent, but never sends the second field to a new line), and the pair's inputs stay level.
    const beside = (a: Box, b: Box) => b.x > a.x + a.width / 2;
    const [b0, b1, b2, b3] = before as unknown as [Box, Box, Box, Box];
    expect(beside(first, last)).toBe(beside(b0, b1));
    expect(beside(country, postal)).toBe(beside(b2, b3));
    if (beside(first, last)) expect(last.y).toBe(first.y);
    if (beside(country, postal)) expect(postal.y).toBe(country.y);
    await context.close();
  });

  it('campaign page → keyboard only → skip link, logical order, visible focus, signed', async () => {
    const { context, recorder, page } = await open(size);
    await page.goto(`${site.origin}/`);
    const before = await shownCount(page);

    // The first Tab lands on a visible skip link that jumps to the main content.
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Skip to main content');
    const skip = await page.locator('.skip-link').boundingBox();
    expect(skip!.y).toBeGreaterThanOrEqual(0);
    await screenshot(page, size, 'campaign-skip-link');
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement?.id')).toBe('main');

    // From the main content, Tab walks the form in reading order.
    const order: string[] = [];
    for (let i = 0; i < 9; i++) {
      await page.keyboard.press('Tab');
      order.push(
        (await page.evaluate(
          `(() => { const e = document.activeElement; return e.id || e.textContent.trim(); })()`,
        )) as string,
      );
    }
    expect(order).toEqual([
      'first-name',
      'last-name',
      'email',
      'country',
      'postal-code',
      'comment',
      'updates',
      'Sign the letter',
      'How we look after your data',
    ]);

    // Every focused control shows a clear indicator.
    await page.focus('#email');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    const focusStyle = await page.evaluate(
      `(() => { const s = getComputedStyle(document.activeElement); return s.outlineStyle + ' ' + s.outlineWidth; })()`,
    );
    expect(focusStyle).toMatch(/^solid [3-9]px$/);
    await screenshot(page, size, 'campaign-keyboard-focus');

    const who = nextSigner();
    await page.focus('#first-name');
    await page.keyboard.type(who.first);
    await page.keyboard.press('Tab');
    await page.keyboard.type(who.last);
    await page.keyboard.press('Tab');
    await page.keyboard.type(who.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type('United States'); // no country is chosen for anyone: type to pick it
    await page.keyboard.press('Tab');
    await page.keyboard.type('94110');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space'); // tick "send me updates"
    expect(await page.isChecked('#updates')).toBe(true);
    await page.keyboard.press('Tab');
    const button = await page.evaluate('document.activeElement?.textContent?.trim()');
    expect(button).toBe('Sign the letter');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/thanks');
    expect(await shownCount(page)).toBe(before + 1);
    const row = sqliteOf(site.server)
      .prepare('SELECT postal_code, opted_in FROM signatures WHERE email = ?')
      .get(who.email);
    expect(row).toEqual({ postal_code: '94110', opted_in: 1 });
    expectCleanRecorder(recorder);
    await context.close();
  });

  it('campaign page → JavaScript turned off → signs, errors still show, copy button stays hidden', async () => {
    const { context, recorder, page } = await open(size, { javaScriptEnabled: false });
    await page.goto(`${site.origin}/`);
    await inspectPage(page, recorder, html, size, 'campaign-no-js', { scriptsOff: true });

    await page.getByRole('button', { name: 'Sign the letter' }).click();
    await page.waitForSelector('.error-summary');
    expect(recorder.lastDocument?.status()).toBe(422);
    await inspectPage(page, recorder, html, size, 'campaign-errors-no-js', { scriptsOff: true });

    const before = await shownCount(page);
    const who = nextSigner();
    await fillByLabels(page, who);
    await page.getByRole('button', { name: 'Sign the letter' }).click();
    await page.waitForURL('**/thanks');
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe(`Thank you, ${who.first}!`);
    expect(await shownCount(page)).toBe(before + 1);
    expect(storedEmails()).toContain(who.email);
    // Without script there is nothing to copy with, so the button is not offered; the link is.
    expect(await page.getByRole('button', { name: 'Copy link' }).count()).toBe(0);
    expect(await page.getByLabel('Or copy the link').inputValue()).toBe(
      `${site.origin}/campaigns/amazon-ring?source=link`,
    );
    await inspectPage(page, recorder, html, size, 'thanks-no-js', { scriptsOff: true });
    await context.close();
  });

  it('closed campaign → final count and no form; a signature sent anyway is refused with 410', async () => {
    const { context, recorder, page } = await open(size);
    await page.goto(`${site.origin}/campaigns/old-campaign`);
    expect(await page.getByRole('heading', { name: 'This campaign has closed' }).count()).toBe(1);
    expect(await page.locator('form').count()).toBe(0);
    expect(await page.locator('.progress-count').innerText()).toMatch(/of 100 goal/);
    await inspectPage(page, recorder, html, size, 'closed');

    // A form left open in another tab from before the campaign closed.
    const stored = sqliteOf(site.server)
      .prepare("SELECT count(*) FROM signatures WHERE campaign_slug = 'old-campaign'")
      .pluck();
    await page.evaluate(`(() => {
      const form = document.createElement('form');
      form.method = 'post';
      form.action = '/campaigns/old-campaign/signatures';
      for (const [name, value] of [['first_name', 'Late'], ['last_name', 'Comer'], ['email', 'late@example.org'], ['country', 'US'], ['postal_code', '12345']]) {
        const input = document.createElement('input');
        input.name = name;
        input.value = value;
        form.append(input);
      }
      document.body.append(form);
      form.submit();
    })()`);
    await page.waitForURL('**/campaigns/old-campaign/signatures');
    expect(recorder.lastDocument?.status()).toBe(410);
    expect(stored.get()).toBe(0);
    await inspectPage(page, recorder, html, size, 'closed-refused');
    await context.close();
  });

  it('privacy page → accessible, valid, linked from the campaign page', async () => {
    const { context, recorder, page } = await open(size);
    await page.goto(`${site.origin}/`);
    await page.getByRole('link', { name: 'How we look after your data' }).click();
    await page.waitForURL('**/privacy');
    expect(recorder.lastDocument?.status()).toBe(200);
    await inspectPage(page, recorder, html, size, 'privacy');
    await context.close();
  });

  it('campaign with recent signers on → signer appears in the list, page accessible and valid', async () => {
    const { context, recorder, page } = await open(size);
    await page.goto(`${site.origin}/campaigns/library-hours`);
    const who = nextSigner();
    await fillByLabels(page, who);
    await page.getByRole('button', { name: 'Sign the letter' }).click();
    await page.waitForURL('**/campaigns/library-hours/thanks');
    await page.getByRole('link', { name: 'Back to the campaign' }).click();
    const list = page.getByRole('region', { name: 'Recent signers' });
    expect(await list.innerText()).toContain(who.first);
    await inspectPage(page, recorder, html, size, 'campaign-recent-signers');
    await context.close();
  });

  it('unknown address → 404 page in the site style', async () => {
    const { context, recorder, page } = await open(size);
    const response = await page.goto(`${site.origin}/campaigns/no-such-campaign`);
    expect(response?.status()).toBe(404);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Page not found');
    await inspectPage(page, recorder, html, size, 'not-found');
    await context.close();
  });
});

describe('supporter pages at 320 px wide', () => {
  it('campaign, errors, thank-you, closed and 404 → nothing scrolls sideways', async () => {
    const { context, page } = await open({ width: 320, height: 640 });
    const check = async (name: string) => {
      expect(await horizontalOverflow(page), name).toBe(0);
      await screenshot(page, '320', name);
    };
    await page.goto(`${site.origin}/`);
    await check('campaign');
    await page.getByRole('button', { name: 'Sign the letter' }).click();
    await page.waitForSelector('.error-summary');
    await check('campaign-errors');
    expect(await axeViolations(page)).toEqual([]);
    await fillByLabels(page, nextSigner());
    await page.getByRole('button', { name: 'Sign the letter' }).click();
    await page.waitForURL('**/thanks');
    await check('thanks');
    await page.goto(`${site.origin}/campaigns/old-campaign`);
    await check('closed');
    await page.goto(`${site.origin}/nope`);
    await check('not-found');
    await context.close();
  });
});

describe('campaign page weight and caching', () => {
  it('campaign page → HTML and CSS under 50 kB over the wire, fingerprinted static files cached for a year, HTML revalidated', async () => {
    const { context, page } = await open('phone', { javaScriptEnabled: false });
    const sizes = new Map<string, { bytes: number; cache: string; type: string }>();
    page.on('requestfinished', async (request) => {
      const response = await request.response();
      if (!response) return;
      const s = await request.sizes();
      sizes.set(request.url(), {
        bytes: s.responseHeadersSize + s.responseBodySize,
        cache: (await response.allHeaders())['cache-control'] ?? '',
        type: request.resourceType(),
      });
    });
    await page.goto(`${site.origin}/`, { waitUntil: 'load' });
    // The sizes arrive asynchronously after each request finishes: wait for both.
    await expect
      .poll(() => sizes.has(`${site.origin}/`) && [...sizes.values()].some((s) => s.type === 'stylesheet'))
      .toBe(true);

    const doc = sizes.get(`${site.origin}/`)!;
    const css = [...sizes.entries()].filter(([, s]) => s.type === 'stylesheet');
    expect(doc.cache).toMatch(/max-age=0|no-cache|no-store/);
    for (const [url, s] of css) {
      expect(url).toMatch(/\/static\/css\/site\.[0-9a-f]{10}\.css$/);
      expect(s.cache).toContain('max-age=31536000');
      expect(s.cache).toContain('immutable');
    }
    const total = doc.bytes + css.reduce((sum, [, s]) => sum + s.bytes, 0);
    console.log(
      `campaign page weight: HTML ${doc.bytes} B + CSS ${css.reduce((sum, [, s]) => sum + s.bytes, 0)} B = ${total} B`,
    );
    expect(total).toBeLessThan(50_000);
    await context.close();
  });
});

describe('HTML validity', () => {
  it('every page and state above → the Nu Html Checker reports no errors', async () => {
    expect(html.size).toBeGreaterThanOrEqual(16);
    expect(await html.errors()).toEqual([]);
  });
});
