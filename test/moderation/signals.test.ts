import { describe, expect, it } from 'vitest';
import { buildTestApp, NOW } from '../helpers.js';
import { signedIn } from '../organizers/helpers.js';
import { insertRows, namesOn, type Row } from './helpers.js';

const PAGE = '/organizers/campaigns/amazon-ring';
const CODE = 'q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c';
const ago = (minutes: number) => new Date(Date.parse(NOW) - minutes * 60_000).toISOString();

/** A day of ordinary signing before the window: one an hour from each of a few domains. */
function ordinaryDay(): Row[] {
  return Array.from({ length: 48 }, (_, i) => ({
    last: `Person${i}`,
    email: `p${i}@example${i % 4}.org`,
    at: ago(6 * 60 + 10 + i * 30),
    source: `ordinary-source-code-number-${i}`,
  }));
}

async function pageWith(rows: Row[]) {
  const t = await buildTestApp();
  insertRows(t.db, rows);
  const agent = await signedIn(t);
  return { t, agent, page: (await agent.get(PAGE).expect(200)).text };
}

const hrefs = (html: string) =>
  [...html.matchAll(/<li><a href="([^"]+)">/g)].map((m) => (m[1] ?? '').replace(/&amp;/g, '&'));

describe('signals on the count page', () => {
  it('an ordinary day → nothing unusual', async () => {
    const { page } = await pageWith([
      ...ordinaryDay(),
      ...Array.from({ length: 6 }, (_, i) => ({
        email: `n${i}@example1.org`,
        at: ago(i * 50),
        source: `another-code-${i}-abcdefghij`,
      })),
    ]);
    expect(page).toContain('Signals, last 6 hours');
    expect(page).toContain('Nothing unusual');
  });

  it('an address code signing 12 times → shown by its first characters, linking to its search', async () => {
    const flood = Array.from({ length: 12 }, (_, i) => ({
      last: `Flood${i}`,
      email: `f${i}@example1.org`,
      at: ago(100 - i),
      source: CODE,
    }));
    const { agent, page } = await pageWith([...ordinaryDay(), ...flood]);
    expect(page).toContain('Address code <code>q1w2e3r4</code>: 12 signatures</a>');
    const link = hrefs(page).find((h) => h.includes('source='));
    expect(link).toBe(`${PAGE}/search?source=${CODE}&from=${ago(360).slice(0, 16).replace(':', '%3A')}`);
    const search = await agent.get(link as string).expect(200);
    expect(search.text).toContain('12 signatures match');
    expect(namesOn(search.text)).toHaveLength(12);
  });

  it('worked out at most once a minute: a flood that starts between two views shows a minute later', async () => {
    const { t, agent, page } = await pageWith(ordinaryDay());
    expect(page).toContain('Nothing unusual');
    insertRows(
      t.db,
      Array.from({ length: 12 }, (_, i) => ({
        last: `Flood${i}`,
        email: `f${i}@example1.org`,
        at: ago(10 - i / 2),
        source: CODE,
      })),
    );
    expect((await agent.get(PAGE).expect(200)).text).toContain('Nothing unusual');
    t.clock.advance(61_000);
    expect((await agent.get(PAGE).expect(200)).text).toContain('Address code <code>q1w2e3r4</code>: 12 signatures</a>');
  });

  it('an email domain rising fast → shown with the day before, linking to its search', async () => {
    const flood = Array.from({ length: 25 }, (_, i) => ({
      email: `bot${i}@flood.example`,
      at: ago(200 - i),
      source: null,
    }));
    const steady = Array.from({ length: 25 }, (_, i) => ({
      email: `q${i}@example2.org`,
      at: ago(300 - i),
      source: null,
    }));
    const { agent, page } = await pageWith([...ordinaryDay(), ...flood, ...steady]);
    expect(page).toContain('Email domain flood.example: 25 signatures</a>, 0 in the 24 hours before.');
    // example2.org signed as much, but it signed the day before too: its share did not jump threefold.
    expect(page).not.toContain('Email domain example2.org');
    const link = hrefs(page).find((h) => h.includes('domain=flood.example')) as string;
    expect((await agent.get(link).expect(200)).text).toContain('25 signatures match');
  });

  it('a sudden jump in the signing rate → the last hour against the hourly average, linking to that hour', async () => {
    const burst = Array.from({ length: 60 }, (_, i) => ({
      email: `b${i}@example${i % 40}.net`,
      at: ago(59 - (i % 59)),
      source: null,
    }));
    const { page } = await pageWith([...ordinaryDay(), ...burst]);
    expect(page).toContain('60 signatures in the last hour</a>, against 2 an hour over the day before.');
    expect(hrefs(page)).toContain(`${PAGE}/search?from=${ago(60).slice(0, 16).replace(':', '%3A')}`);
  });

  it('once the flood is invalidated, its signal goes', async () => {
    const flood = Array.from({ length: 12 }, (_, i) => ({
      email: `f${i}@example1.org`,
      at: ago(100 - i),
      source: CODE,
    }));
    const { agent, page } = await pageWith([...ordinaryDay(), ...flood]);
    expect(page).toContain('Address code <code>q1w2e3r4</code>');
    // Through the organizer's own dry run and form, as a person does it: applying it shows the
    // signals afresh, without waiting out the minute they are kept.
    const link = hrefs(page).find((h) => h.includes('source=')) as string;
    const dry = (await agent.get(link).expect(200)).text;
    const form = /<form method="post" action="[^"]+\/invalidations" class="org-invalidate">([\s\S]*?)<\/form>/.exec(
      dry,
    )?.[1];
    const fields = Object.fromEntries(
      [...(form ?? '').matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    await agent.post(`${PAGE}/invalidations`).type('form').send(fields).expect(303);
    expect((await agent.get(PAGE).expect(200)).text).not.toContain('Address code <code>');
  });
});
