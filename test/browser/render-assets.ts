/**
 * Draws the site's PNG images with the same headless Chromium the browser tests use, so they can be
 * redrawn after a design change: `npx tsx test/browser/render-assets.ts`, then commit public/.
 * - public/img/social.png: the 1200×630 preview that link previews (Open Graph, X) show.
 * - public/favicon.png and public/img/apple-touch-icon.png: the SVG icon for browsers that want pixels.
 */
import { readFileSync } from 'node:fs';
import { fromRoot } from '../../src/paths.js';
import { launchBrowser } from './harness.js';

const icon = readFileSync(fromRoot('public', 'favicon.svg'), 'utf8');

const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', sans-serif";

const socialCard = `<!doctype html><html><head><meta charset="utf-8"><style>
  * { box-sizing: border-box; }
  html, body { margin: 0; width: 1200px; height: 630px; }
  body { font-family: ${FONT}; background: #1c2541; color: #fff; position: relative; overflow: hidden; }
  .stripe { position: absolute; left: 0; top: 0; bottom: 0; width: 18px; background: #b3261e; }
  .inner { position: absolute; inset: 0 0 0 18px; padding: 64px 80px 64px 82px; display: flex; flex-direction: column; }
  .brand { display: flex; align-items: center; gap: 18px; font-size: 34px; font-weight: 800; letter-spacing: 0.02em; }
  .brand svg { width: 60px; height: 60px; }
  h1 { margin: auto 0 0; font-size: 92px; line-height: 1.02; letter-spacing: -0.025em; font-weight: 800; max-width: 900px; }
  p { margin: 26px 0 0; font-size: 34px; line-height: 1.3; color: #dfe4ee; max-width: 860px; }
  .cta { margin-top: 40px; display: flex; align-items: center; gap: 28px; }
  .button { background: #b3261e; color: #fff; font-size: 34px; font-weight: 800; padding: 18px 34px; border-radius: 12px; box-shadow: 0 5px 0 #8c1d17; }
  .line { flex: 1; height: 4px; background: repeating-linear-gradient(90deg, #4b5677 0 14px, transparent 14px 24px); }
  .sig { position: absolute; right: 96px; bottom: 54px; width: 250px; height: 150px; }
</style></head><body>
  <div class="stripe"></div>
  <svg class="sig" viewBox="0 10 64 38"><path d="M6 40c6-2 9-12 14-12s3 10 8 10 6-8 10-8 4 4 6 4 8-6 14-6" fill="none" stroke="#8d97b5" stroke-width="2.6" stroke-linecap="round" stroke-linejoin="round"/></svg>
  <div class="inner">
    <div class="brand"><svg viewBox="0 0 64 64"><rect width="64" height="64" rx="12" fill="#fff"/><path d="M14 40c6-2 9-12 14-12s3 10 8 10 6-8 10-8 4 4 6 4" fill="none" stroke="#1c2541" stroke-width="5" stroke-linecap="round" stroke-linejoin="round"/><path d="M14 48h36" stroke="#b3261e" stroke-width="5" stroke-linecap="round"/></svg>Undersigned</div>
    <h1>Add your name to the letter.</h1>
    <p>An open letter, counted one signature at a time. No trackers, no ads, nothing from any other site.</p>
    <div class="cta"><span class="button">Sign the letter</span><span class="line"></span></div>
  </div>
</body></html>`;

const iconPage = (size: number) =>
  `<!doctype html><html><head><style>html,body{margin:0;background:transparent}svg{display:block;width:${size}px;height:${size}px}</style></head><body>${icon}</body></html>`;

const browser = await launchBrowser();
try {
  const draw = async (html: string, width: number, height: number, path: string, transparent = false) => {
    const page = await browser.newPage({ viewport: { width, height }, deviceScaleFactor: 1 });
    await page.setContent(html);
    await page.screenshot({ path, omitBackground: transparent, clip: { x: 0, y: 0, width, height } });
    await page.close();
    console.log(`wrote ${path}`);
  };
  await draw(socialCard, 1200, 630, fromRoot('public', 'img', 'social.png'));
  await draw(iconPage(32), 32, 32, fromRoot('public', 'favicon.png'), true);
  await draw(iconPage(180), 180, 180, fromRoot('public', 'img', 'apple-touch-icon.png'), true);
} finally {
  await browser.close();
}
