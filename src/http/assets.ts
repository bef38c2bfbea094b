import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { prepareResponse, type PreparedResponse } from './responseCache.js';
import type { HeaderList } from './security.js';

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

export interface Assets {
  /** The fingerprinted URL of a file under public/, e.g. asset('css/site.css') → /static/css/site.1a2b3c4d.css */
  url(path: string): string;
  /**
   * The prepared response for a static URL: fingerprinted URLs are kept for a year (their name changes
   * when they do), plain ones for an hour. Served by servePrepared, ahead of the router.
   */
  find(path: string): PreparedResponse | undefined;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}

/**
 * Reads public/ once at start-up into memory, with every response header worked out: the files are
 * small, and serving them from memory keeps static requests off the disk when a crowd arrives.
 */
export function loadAssets(publicDir: string, securityHeaders: HeaderList): Assets {
  const byUrl = new Map<string, PreparedResponse>();
  const urls = new Map<string, string>();
  const add = (file: string) => {
    const rel = relative(publicDir, file).split(sep).join('/');
    const body = readFileSync(file);
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 10);
    const ext = extname(rel);
    const contentType = TYPES[ext] ?? 'application/octet-stream';
    const prepare = (cacheControl: string) =>
      prepareResponse(securityHeaders, body, { contentType, cacheControl, etag: `"${hash}"` });
    const fingerprinted = `/static/${rel.slice(0, -ext.length)}.${hash}${ext}`;
    byUrl.set(fingerprinted, prepare('public, max-age=31536000, immutable'));
    byUrl.set(`/static/${rel}`, prepare('public, max-age=3600'));
    urls.set(rel, fingerprinted);
    return fingerprinted;
  };
  for (const file of walk(publicDir)) add(file);
  return {
    url(path) {
      const url = urls.get(path);
      if (url) return url;
      // A file added after start (a campaign's new preview image, with its file reloaded on SIGHUP)
      // is read on first use; anything outside public/ or missing is a bug in the caller.
      const file = join(publicDir, path);
      if (relative(publicDir, file).startsWith('..') || !existsSync(file))
        throw new Error(`no such asset: public/${path}`);
      return add(file);
    },
    find: (path) => byUrl.get(path),
  };
}
