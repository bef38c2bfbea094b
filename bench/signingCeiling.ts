import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { parse } from 'node:querystring';
import { loadCampaigns } from '../src/campaigns/content.js';
import { flushOffMainThread, neverBlockOnLocks, openDatabase } from '../src/db.js';
import { createSigner } from '../src/http/signing.js';
import { fromRoot } from '../src/paths.js';
import { createRepositories } from '../src/repositories.js';
import { parseSignatureForm } from '../src/signatures/form.js';
import { readBody } from './readBody.js';

/**
 * The signing ceiling: what one Node process on this machine can sign with none of our HTTP layer
 * (no Express, no middleware, no request log), but every part of a signature that a durable answer
 * cannot skip: plain node:http, node:querystring, the app's own form schema (zod), the app's
 * SQLite repository with its group commit flushed off the main thread before the answer, the two
 * HMACs (the client's address hash and the thank-you cookie) and the same 303.
 *
 * The app's signing over this is what our framework costs per signature; the target of 5,000/s
 * over this is how much of it this machine can reach at all (BENCHMARKS.md, method, step 3).
 * Its own database file (DATABASE_PATH), so the app's count is untouched. GET /healthz answers
 * for start-up; GET <campaign>.json gives the count, as the app's does, for the stored-once check.
 */
const port = Number(process.env.PORT ?? 3904);
const campaign = loadCampaigns(fromRoot('campaigns')).defaultCampaign;
const db = openDatabase(process.env.DATABASE_PATH as string);
const repos = createRepositories(db);
await repos.campaigns.register([campaign]);
neverBlockOnLocks(db);
flushOffMainThread(db);
const signer = createSigner('benchmark-secret-benchmark-secret-benchmark');
const page = `/campaigns/${campaign.slug}`;
const thanks = `${page}/thanks`;

async function sign(body: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const parsed = parseSignatureForm(parse(body), campaign.locale);
  if (!parsed.ok) {
    res.writeHead(422, { 'Content-Length': '0' });
    return void res.end();
  }
  await repos.signatures.add({
    ...parsed.value,
    campaignSlug: campaign.slug,
    consentVersion: campaign.consent.version,
    locale: campaign.locale,
    source: null,
    sourceHash: signer.hash('source', req.socket.remoteAddress ?? ''),
    createdAt: new Date(),
  });
  const cookie = encodeURIComponent(signer.sign(Buffer.from(parsed.value.firstName).toString('base64url')));
  const text = `See Other: ${thanks}`;
  res.writeHead(303, {
    Location: thanks,
    'Set-Cookie': `thanks=${cookie}; Max-Age=3600; Path=${thanks}; HttpOnly; SameSite=Lax`,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

const server = createServer((req, res) => {
  if (req.method === 'POST' && req.url === `${page}/signatures`)
    return readBody(req, (body) =>
      sign(body, req, res).catch((error: unknown) => {
        console.error(error);
        res.writeHead(500, { 'Content-Length': '0' });
        res.end();
      }),
    );
  if (req.url === `${page}.json`)
    return void repos.campaigns.totals(campaign.slug).then((totals) => {
      const json = JSON.stringify({ signatureCount: totals.signatureCount });
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(json) });
      res.end(json);
    });
  res.writeHead(req.url === '/healthz' ? 200 : 404, { 'Content-Length': '0' });
  res.end();
});
server.listen(port, '127.0.0.1');
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
