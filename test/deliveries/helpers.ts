import { createHash } from 'node:crypto';
import request from 'supertest';
import type { TestApp } from '../helpers.js';
import { signature } from '../organizers/helpers.js';

export const sha256 = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex');

export const DELIVERY = '/organizers/campaigns/amazon-ring/delivery';

/** Signers with names that sort differently by code point and by a reader's eye. */
export const PEOPLE = [
  { firstName: 'Ada', lastName: 'Lovelace', country: 'GB', email: 'ada@example.org', postalCode: 'SW1A 1AA' },
  { firstName: 'Émile', lastName: 'Zola', country: 'FR', email: 'emile@example.org', postalCode: '75001' },
  { firstName: 'Ángel', lastName: 'Álvarez', country: 'US', email: 'angel@example.org', postalCode: '10001' },
  { firstName: 'grace', lastName: 'hopper', country: 'US', email: 'grace@example.org', postalCode: '20001' },
  { firstName: 'Zoë', lastName: 'Baker', country: 'US', email: 'zoe@example.org', postalCode: '30301' },
  { firstName: 'Marie', lastName: 'Curie', country: 'FR', email: 'marie@example.org', postalCode: '75005' },
];

export async function seed(t: TestApp, people = PEOPLE, extra: Partial<Parameters<typeof signature>[0]> = {}) {
  for (const p of people) await t.repos.signatures.add(signature({ ...p, ...extra }));
}

/** Builds a package through the form; resolves to its page's path. */
export async function buildPackage(
  agent: request.Agent,
  token: string,
  fields: Record<string, string> = { country: 'all' },
): Promise<string> {
  const res = await agent
    .post(`${DELIVERY}/packages`)
    .type('form')
    .send({ csrf: token, ...fields })
    .expect(303);
  const location = String(res.headers.location);
  if (!/^\/organizers\/campaigns\/amazon-ring\/delivery\/packages\/\d+$/.test(location)) {
    throw new Error(`unexpected redirect ${location}`);
  }
  return location;
}

/** The names on a package page, in the order printed, as "Last, First". */
export const namesOn = (html: string): string[] =>
  [...html.matchAll(/<ol class="delivery-list[^"]*">([\s\S]*?)<\/ol>/g)].flatMap((list) =>
    [...(list[1] ?? '').matchAll(/<li>(?:<span class="delivery-name">)?([^<]+)</g)].map((m) => decode(m[1] ?? '')),
  );

/** Country headings on a package page, in order. */
export const countriesOn = (html: string): string[] =>
  [...html.matchAll(/<h3 id="country-([A-Z]{2})">/g)].map((m) => m[1] ?? '');

const decode = (s: string) =>
  s
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
