import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import express from 'express';
import { readBody } from './readBody.js';

/**
 * The baselines the app is measured against, each sending the app's own responses byte for byte: the
 * campaign page, its JSON and the stylesheet as the app sent them (gzipped, with every header), read
 * from BASELINE_RESPONSES (captured by bench/run.ts). So the only difference left is the work the app
 * does per request.
 *
 * - BASELINE_KIND=node: a plain node:http server, one writeHead and one end per request: what Node
 *   itself can do on this machine, the ceiling for a Node app.
 * - BASELINE_KIND=express: bare Express 5 with one route per response (res.set and res.send): the
 *   ceiling of our framework with nothing of ours in it.
 *
 * Both answer a POST (to any path) by reading the form body and answering 303 to the first captured
 * page, the shape of signing without its work (the mixed scenario's signers then load that page).
 */
export interface Captured {
  path: string;
  /** As the app sent them, without Date, Connection and Keep-Alive (Node adds its own). */
  headers: string[];
  body: string;
}

const responses = (JSON.parse(readFileSync(process.env.BASELINE_RESPONSES as string, 'utf8')) as Captured[]).map(
  (c) => ({ ...c, bytes: Buffer.from(c.body, 'base64') }),
);
const port = Number(process.env.PORT ?? 3999);

if (process.env.BASELINE_KIND === 'node') {
  const byPath = new Map(responses.map((r) => [r.path, r]));
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'POST') {
      return readBody(req, (body) => {
        new URLSearchParams(body);
        res.writeHead(303, { Location: responses[0]?.path ?? '/', 'Content-Length': '0' });
        res.end();
      });
    }
    const found = byPath.get(req.url ?? '');
    if (!found) {
      res.writeHead(404, { 'Content-Length': '0' });
      return res.end();
    }
    res.writeHead(200, found.headers);
    res.end(found.bytes);
  });
  server.listen(port, '127.0.0.1');
  process.once('SIGTERM', () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
} else {
  const app = express();
  app.disable('x-powered-by');
  for (const r of responses) {
    const headers: Record<string, string> = {};
    for (let i = 0; i < r.headers.length; i += 2) headers[r.headers[i] as string] = r.headers[i + 1] as string;
    app.get(r.path, (_req, res) => {
      res.set(headers).send(r.bytes);
    });
  }
  app.post(/.*/, express.urlencoded({ extended: false }), (_req, res) => {
    res.redirect(303, responses[0]?.path ?? '/');
  });
  const server = app.listen(port, '127.0.0.1');
  process.once('SIGTERM', () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
