import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers.js';
import { signature, signedIn } from '../organizers/helpers.js';

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp();
});
afterEach(() => t.db.close());

function languageRows(html: string): string[][] {
  const start = html.indexOf('<caption id="languages-caption">');
  if (start < 0) throw new Error('no languages table');
  const body = html.slice(html.indexOf('<tbody>', start), html.indexOf('</tbody>', start));
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...(row[1] ?? '').matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) => cell[1] ?? ''),
  );
}

describe('organizer count page by language', () => {
  it('signatures in two languages → one row each, largest first, with its share', async () => {
    await t.repos.signatures.add(signature({ email: 'a@example.org', locale: 'es' }));
    await t.repos.signatures.add(signature({ email: 'b@example.org', locale: 'es' }));
    await t.repos.signatures.add(signature({ email: 'c@example.org', locale: 'en' }));
    const agent = await signedIn(t);
    const page = await agent.get('/organizers/campaigns/amazon-ring').expect(200);
    expect(languageRows(page.text)).toEqual([
      ['Español (es)', '2', '66.7%'],
      ['English (en)', '1', '33.3%'],
    ]);
    // Organizer pages are in English only: no language switch.
    expect(page.text).not.toContain('hreflang');
  });

  it('no signatures → says so', async () => {
    const agent = await signedIn(t);
    const page = await agent.get('/organizers/campaigns/amazon-ring').expect(200);
    expect(page.text).toMatch(/Signatures by language<\/h2>\s*<p>No signatures yet.<\/p>/);
  });
});
