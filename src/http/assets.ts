import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { RequestHandler } from 'express';

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

interface Asset {
  body: Buffer;
  /** The body gzipped, for text files worth compressing. */
  gzipped: Buffer | undefined;
  type: string;
  etag: string;
}

export interface Assets {
  /** The fingerprinted URL of a file under public/, e.g. asset('css/site.css') → /static/css/site.1a2b3c4d.css */
  url(path: string): string;
  /** Serves fingerprinted URLs for a year (their name changes when they do) and plain ones for an hour. */
  middleware: RequestHandler;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}

/**
 * Reads public/ once at start-up into memory: the files are small, and serving from memory keeps
 * static requests off the disk when a crowd arrives.
 */
export function loadAssets(publicDir: string): Assets {
  const byUrl = new Map<string, Asset & { immutable: boolean }>();
  const urls = new Map<string, string>();
  for (const file of walk(publicDir)) {
    const rel = relative(publicDir, file).split(sep).join('/');
    const body = readFileSync(file);
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 10);
    const ext = extname(rel);
    const type = TYPES[ext] ?? 'application/octet-stream';
    // Text compresses to a quarter; done once here, it costs nothing per request.
    const gzipped = /^text\/|svg/.test(type) && body.length > 1024 ? gzipSync(body, { level: 9 }) : undefined;
    const asset = { body, gzipped, type, etag: `"${hash}"` };
    const fingerprinted = `/static/${rel.slice(0, -ext.length)}.${hash}${ext}`;
    byUrl.set(fingerprinted, { ...asset, immutable: true });
    byUrl.set(`/static/${rel}`, { ...asset, immutable: false });
    urls.set(rel, fingerprinted);
  }
  return {
    url(path) {
      const url = urls.get(path);
      if (!url) throw new Error(`no such asset: public/${path}`);
      return url;
    },
    middleware(req, res, next) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return next();
      const asset = byUrl.get(req.path);
      if (!asset) return next();
      const gzip = asset.gzipped && req.acceptsEncodings('gzip', 'identity') === 'gzip';
      const body = gzip ? (asset.gzipped as Buffer) : asset.body;
      const etag = gzip ? asset.etag.replace(/"$/, '-gz"') : asset.etag;
      res.setHeader('Content-Type', asset.type);
      res.setHeader('ETag', etag);
      res.setHeader('Cache-Control', asset.immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=3600');
      if (asset.gzipped) res.setHeader('Vary', 'Accept-Encoding');
      if (gzip) res.setHeader('Content-Encoding', 'gzip');
      if (req.headers['if-none-match'] === etag) {
        res.status(304).end();
        return;
      }
      res.setHeader('Content-Length', body.length);
      res.end(req.method === 'HEAD' ? undefined : body);
    },
  };
}
