import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { comparePackageOrder, inPackageOrder } from '../../src/deliveries/order.js';
import type { DeliveryRow } from '../../src/deliveries/repository.js';

async function* inBatches(rows: DeliveryRow[], size: number): AsyncGenerator<DeliveryRow[]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}
async function collect(rows: DeliveryRow[], runSize: number): Promise<DeliveryRow[]> {
  const out: DeliveryRow[] = [];
  for await (const batch of inPackageOrder(inBatches(rows, 7), { runSize, tmpDir })) out.push(...batch);
  return out;
}
const tmpDir = mkdtempSync(join(tmpdir(), 'order-test-'));
const sortFolders = () => readdirSync(tmpDir).length;

const name = fc.constantFrom(
  'Ada',
  'ada',
  'Ángel',
  'Zoë',
  'Zoe',
  'de la Cruz',
  'Dean',
  'Øster',
  '李',
  'Ωmega',
  'O’Brien',
);
const row = fc.tuple(name, name, fc.constantFrom('US', 'FR', 'GB', 'DE'), fc.constant(null), fc.nat());

describe('the package order (external merge sort)', () => {
  it('with runs spilled to disk, gives exactly the in-memory sort, and removes its files', async () => {
    expect(sortFolders()).toBe(0);
    await fc.assert(
      fc.asyncProperty(fc.array(row, { maxLength: 200 }), fc.integer({ min: 1, max: 40 }), async (rows, runSize) => {
        const unique = rows.map((r, i) => [r[0], r[1], r[2], r[3], i] as DeliveryRow);
        const expected = [...unique].sort(comparePackageOrder);
        expect(await collect(unique, runSize)).toEqual(expected);
      }),
      { numRuns: 60 },
    );
    expect(sortFolders()).toBe(0);
  });

  it('sorts by country name, then last and first name as a reader expects, case and accents aside', async () => {
    const rows: DeliveryRow[] = [
      ['Zola', 'Émile', 'FR', null, 1],
      ['hopper', 'grace', 'US', null, 2],
      ['Álvarez', 'Ángel', 'US', null, 3],
      ['Baker', 'Zoë', 'US', null, 4],
      ['Lovelace', 'Ada', 'GB', null, 5],
      ['Baker', 'Adam', 'US', null, 6],
    ];
    const names = (await collect(rows, 2)).map((r) => `${r[0]}, ${r[1]}`);
    expect(names).toEqual([
      'Zola, Émile',
      'Lovelace, Ada',
      'Álvarez, Ángel',
      'Baker, Adam',
      'Baker, Zoë',
      'hopper, grace',
    ]);
  });

  it('removes its files when the reader stops early', async () => {
    expect(sortFolders()).toBe(0);
    const rows = Array.from({ length: 100 }, (_, i): DeliveryRow => [`N${i}`, 'A', 'US', null, i]);
    for await (const batch of inPackageOrder(inBatches(rows, 10), { runSize: 10, tmpDir })) {
      expect(batch.length).toBeGreaterThan(0);
      break;
    }
    expect(sortFolders()).toBe(0);
  });
});
