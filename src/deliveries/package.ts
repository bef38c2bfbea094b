import { once } from 'node:events';
import type { Response } from 'express';
import { renderToString } from '../http/responseCache.js';
import { displayName, listDigest } from './canonical.js';
import { inPackageOrder, type SortOptions } from './order.js';
import type { DeliveryRepository, DeliveryRow, DeliveryScope } from './repository.js';

/*
 * A package is written as it is read: the repository hands over a thousand signatures at a time, the
 * sort (order.ts) keeps at most one run in memory, and each batch is turned into HTML (or canonical
 * lines), added to the digest and written to the response before the next is read. The response's
 * backpressure is respected, and a cancelled download stops the reading.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

/** The list in package order, for a digest, a page or a download. */
export function packageRows(
  repo: DeliveryRepository,
  scope: DeliveryScope,
  withComments: boolean,
  sort?: SortOptions,
): AsyncGenerator<DeliveryRow[]> {
  return inPackageOrder(repo.signerBatches(scope, { withComments }), sort);
}

/** The digest and count of a scope's list as it stands, read through without keeping it. */
export async function digestList(
  repo: DeliveryRepository,
  scope: DeliveryScope,
  sort?: SortOptions,
): Promise<{ digest: string; count: number }> {
  const digest = listDigest();
  for await (const rows of packageRows(repo, scope, false, sort)) digest.add(rows);
  return { digest: digest.hex(), count: digest.count };
}

/** Writes a chunk, waiting for the client to take the previous ones; false once the client has gone. */
async function send(res: Response, chunk: string): Promise<boolean> {
  if (res.destroyed || res.writableEnded) return false;
  if (!res.write(chunk)) {
    await Promise.race([once(res, 'drain'), once(res, 'close')]);
  }
  return !res.destroyed;
}

/** The canonical list as a plain-text download; resolves to its digest, or undefined if cancelled. */
export async function streamList(
  res: Response,
  repo: DeliveryRepository,
  scope: DeliveryScope,
  sort?: SortOptions,
): Promise<string | undefined> {
  const digest = listDigest();
  for await (const rows of packageRows(repo, scope, false, sort)) {
    if (!(await send(res, digest.add(rows)))) return undefined;
  }
  res.end();
  return digest.hex();
}

export interface PackageViews {
  /** Everything above the names: rendered with the model, before any signature is read. */
  start: { view: string; model: object };
  /** A country's heading, opening its list; given the country's code. */
  country: (code: string) => { view: string; model: object };
  /** Closes a country's list. */
  countryEnd: string;
  /** Everything below the names, once the list's digest and count are known. */
  end: (list: { digest: string; count: number }) => { view: string; model: object };
}

const item = (row: DeliveryRow, withComments: boolean): string => {
  const name = escapeHtml(displayName(row));
  if (!withComments) return `<li>${name}</li>`;
  const comment = row[3] ? `<span class="delivery-comment">${escapeHtml(row[3])}</span>` : '';
  return `<li><span class="delivery-name">${name}</span>${comment}</li>`;
};

/** The printable package, streamed; resolves to the digest of the list it wrote, or undefined if cancelled. */
export async function streamPackage(
  res: Response,
  repo: DeliveryRepository,
  scope: DeliveryScope,
  withComments: boolean,
  views: PackageViews,
  sort?: SortOptions,
): Promise<string | undefined> {
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  if (!(await send(res, await renderToString(res, views.start.view, views.start.model)))) return undefined;
  const digest = listDigest();
  let country: string | undefined;
  for await (const rows of packageRows(repo, scope, withComments, sort)) {
    let html = '';
    for (const row of rows) {
      if (row[2] !== country) {
        if (country !== undefined) html += views.countryEnd;
        country = row[2];
        const heading = views.country(country);
        html += await renderToString(res, heading.view, heading.model);
      }
      html += item(row, withComments);
    }
    digest.add(rows);
    if (!(await send(res, html))) return undefined;
  }
  const list = { digest: digest.hex(), count: digest.count };
  const end = views.end(list);
  const tail = (country !== undefined ? views.countryEnd : '') + (await renderToString(res, end.view, end.model));
  if (!(await send(res, tail))) return undefined;
  res.end();
  return list.digest;
}
