import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Application, Response } from 'express';

interface Entry {
  key: string;
  body: Buffer;
  etag: string;
  /** Made on the first request that accepts gzip, then reused like the body. */
  gzipped?: Buffer;
}

/**
 * Sends a body that never changes for its ETag, gzipped when the client accepts it. Compressing a
 * cached body once and reusing it costs almost nothing per request, and cuts a 24 kB campaign page to
 * about 7 kB: what a crowd on phones downloads, and what the network in front has to carry.
 */
export function sendEncoded(res: Response, entry: Entry): void {
  res.append('Vary', 'Accept-Encoding');
  if (entry.body.length > 1024 && res.req.acceptsEncodings('gzip', 'identity') === 'gzip') {
    entry.gzipped ??= gzipSync(entry.body, { level: 9 });
    res.setHeader('Content-Encoding', 'gzip');
    // Each encoding is its own representation, so it gets its own validator.
    res.setHeader('ETag', entry.etag.replace(/"$/, '-gz"'));
    res.send(entry.gzipped);
    return;
  }
  res.setHeader('ETag', entry.etag);
  res.send(entry.body);
}

/**
 * The last body of each public page or feed, reused while nothing it shows has changed.
 *
 * When a campaign goes viral its page is asked for thousands of times a second but changes only when
 * someone signs (and its form token once a second). Rendering it once per change instead of once per
 * view is most of the difference between the app and bare Express (see BENCHMARKS.md). The caller
 * builds `key` from everything variable in the body, so a reused body is always exactly what
 * rendering now would give: a signature changes the count and so the key, and the next view renders.
 * One entry per slot (one per campaign page or feed), so memory stays bounded.
 */
export class ResponseCache {
  private readonly entries = new Map<string, Entry>();

  async send(
    res: Response,
    slot: string,
    key: string,
    contentType: string,
    produce: () => Promise<string>,
  ): Promise<void> {
    let entry = this.entries.get(slot);
    if (entry?.key !== key) {
      const body = Buffer.from(await produce());
      entry = { key, body, etag: `W/"${createHash('sha1').update(body).digest('base64url')}"` };
      this.entries.set(slot, entry);
    }
    res.setHeader('Content-Type', contentType);
    // With the ETag set here, Express neither hashes the body again nor skips the 304 for a matching
    // If-None-Match.
    sendEncoded(res, entry);
  }
}

const caches = new WeakMap<Application, ResponseCache>();

/** One cache per app, so two apps in one process (tests) never share bodies. */
export function responseCache(app: Application): ResponseCache {
  let cache = caches.get(app);
  if (!cache) caches.set(app, (cache = new ResponseCache()));
  return cache;
}

/** A view rendered to a string (res.locals and app.locals included, as res.render does), not sent. */
export function renderToString(res: Response, view: string, model: object): Promise<string> {
  return new Promise((resolve, reject) => {
    res.render(view, model, (error: Error | null, html?: string) => (error ? reject(error) : resolve(html ?? '')));
  });
}
