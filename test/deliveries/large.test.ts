import { describe, expect, it } from 'vitest';
import { comparePackageOrder, DEFAULT_RUN_SIZE } from '../../src/deliveries/order.js';
import type { DeliveryRow } from '../../src/deliveries/repository.js';
import { SPLIT_AT } from '../../src/deliveries/routes.js';
import { buildTestApp, type TestApp } from '../helpers.js';
import { sessionToken, signature, signedIn } from '../organizers/helpers.js';
import { DELIVERY, buildPackage, namesOn, sha256 } from './helpers.js';

const LAST = ['Smith', 'García', 'Nguyễn', 'Müller', 'Øvergaard', 'da Silva', 'O’Neil', 'Ásgeirsson', 'Kowalski'];
const FIRST = ['Ana', 'ángel', 'Chloé', 'Ivan', 'Zoë', 'li', 'Mary Ann'];

/** Signs n times at once through the repository: one group-commit batch, on either engine. */
async function bulkSign(t: TestApp, n: number, country: (i: number) => string): Promise<void> {
  await Promise.all(
    Array.from({ length: n }, (_, i) =>
      t.repos.signatures.add(
        signature({
          firstName: FIRST[i % FIRST.length] as string,
          lastName: `${LAST[(i * 7) % LAST.length]}${i % 101}`,
          email: `p${i}@example.org`,
          country: country(i),
          createdAt: new Date(Date.parse('2026-11-01T00:00:00Z') + i * 1000),
        }),
      ),
    ),
  );
}

const parse = (line: string, i: number): DeliveryRow => {
  const [name = '', country = ''] = line.split('\t');
  const [last = '', first = ''] = name.split(', ');
  return [last, first, country, null, i];
};

describe('a large campaign', () => {
  it(`above ${SPLIT_AT.toLocaleString('en')} names, the delivery page suggests a package per country and picks the largest`, async () => {
    const t = await buildTestApp();
    await bulkSign(t, SPLIT_AT + 1, (i) => (i % 3 === 0 ? 'FR' : 'DE'));
    const agent = await signedIn(t);
    const res = await agent.get(DELIVERY).expect(200);
    expect(res.text).toContain('Build one package per country instead');
    expect(res.text).toMatch(/<option value="DE" selected>Germany \(13,334\)<\/option>/);
  });

  it(`a package larger than one sorting run (${DEFAULT_RUN_SIZE.toLocaleString('en')} names) comes out whole, sorted, and matching its digest`, async () => {
    const t = await buildTestApp();
    const n = DEFAULT_RUN_SIZE * 2 + 123;
    await bulkSign(t, n, (i) => (i % 10 === 0 ? 'CA' : 'US'));
    const agent = await signedIn(t);
    const path = await buildPackage(agent, await sessionToken(agent), { country: 'US' });
    const text = (await agent.get(`${path}/list.txt`).buffer(true).expect(200)).text;
    const lines = text.split('\n').slice(0, -1);
    expect(lines).toHaveLength(n - Math.ceil(n / 10));
    expect(lines.every((l) => l.endsWith('\tUS'))).toBe(true);
    const rows = lines.map(parse);
    for (let i = 1; i < rows.length; i++) {
      // Ties on the name are broken by signature id, which the list does not show: compare names only.
      const [a, b] = [rows[i - 1] as DeliveryRow, rows[i] as DeliveryRow];
      expect(
        comparePackageOrder(
          [...a.slice(0, 4), 0] as unknown as DeliveryRow,
          [...b.slice(0, 4), 0] as unknown as DeliveryRow,
        ),
      ).toBeLessThanOrEqual(0);
    }
    expect(sha256(text)).toBe(t.db.prepare('SELECT digest FROM delivery_packages').pluck().get());
    const page = await agent.get(path).expect(200);
    expect(page.text).toContain('Mark as delivered</button>');
    expect(namesOn(page.text)).toHaveLength(lines.length);
  }, 120_000);
});
