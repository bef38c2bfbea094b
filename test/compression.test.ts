import { once } from 'node:events';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { App } from '../src/app.js';
import { buildTestApp } from './helpers.js';

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One GET with node:http, which (unlike supertest) hands back the bytes as sent, still compressed. */
async function get(app: App, path: string, headers: Record<string, string>): Promise<RawResponse> {
  const server = http.createServer(app).listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise<RawResponse>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path, headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
          );
        })
        .on('error', reject);
    });
  } finally {
    server.close();
  }
}

describe('compression', () => {
  it('GET / with Accept-Encoding: gzip → the page gzipped, a quarter of its size, with its own ETag', async () => {
    const { app } = await buildTestApp();
    const plain = await get(app, '/', { 'Accept-Encoding': 'identity' });
    const gzipped = await get(app, '/', { 'Accept-Encoding': 'gzip, deflate, br' });
    expect([plain.status, gzipped.status]).toEqual([200, 200]);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.headers.vary).toMatch(/Accept-Encoding/);
    expect(plain.headers.vary).toMatch(/Accept-Encoding/);
    expect(gunzipSync(gzipped.body).equals(plain.body)).toBe(true);
    expect(gzipped.body.length).toBeLessThan(plain.body.length / 3);
    expect(gzipped.headers.etag).not.toBe(plain.headers.etag);
    await request(app)
      .get('/')
      .set('Accept-Encoding', 'gzip')
      .set('If-None-Match', gzipped.headers.etag as string)
      .expect(304);
  });

  it('GET /static/css → gzipped when accepted, plain when not, same bytes', async () => {
    const { app } = await buildTestApp();
    const page = await request(app).get('/').expect(200);
    const href = /<link rel="stylesheet" href="([^"]+)">/.exec(page.text)?.[1] as string;
    const plain = await get(app, href, { 'Accept-Encoding': 'identity' });
    const gzipped = await get(app, href, { 'Accept-Encoding': 'gzip' });
    expect([plain.status, gzipped.status]).toEqual([200, 200]);
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(Number(gzipped.headers['content-length'])).toBe(gzipped.body.length);
    expect(gunzipSync(gzipped.body).equals(plain.body)).toBe(true);
    await request(app)
      .get(href)
      .set('Accept-Encoding', 'gzip')
      .set('If-None-Match', gzipped.headers.etag as string)
      .expect(304);
  });
});
