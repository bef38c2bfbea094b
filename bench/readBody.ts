import type { IncomingMessage } from 'node:http';

/** The whole request body as text, for the bench's plain node:http servers (baseline.ts, signingCeiling.ts). */
export function readBody(req: IncomingMessage, done: (body: string) => void): void {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => (body += chunk));
  req.on('end', () => done(body));
}
