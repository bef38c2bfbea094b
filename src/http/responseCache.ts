import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { RequestHandler, Response } from 'express';
import type { Logger } from '../logger.js';
import { logRequest } from './requestLog.js';
import type { HeaderList } from './security.js';

/** Bodies this small are sent as they are: gzip would save a few bytes and cost a header. */
const GZIP_FROM_BYTES = 1024;
/** Text compresses to a quarter or less; images and icons are compressed already. */
const COMPRESSIBLE = /^text\/|json|svg/;

interface Representation {
  body: Buffer;
  etag: string;
  /** Every response header, as the flat [name, value, name, value…] list writeHead takes. */
  headers: string[];
}

/** A response worked out once and sent many times: the body, gzipped when worth it, and every header. */
export interface PreparedResponse {
  plain: Representation;
  gzipped: Representation | undefined;
}

export interface PrepareOptions {
  contentType: string;
  cacheControl: string;
  /** The validator for the plain body; the gzipped body gets its own ("-gz"), being another representation. */
  etag: string;
  /** zlib's level: 9 (the smallest) for files prepared once; see RENDERED_GZIP_LEVEL for pages made again and again. */
  gzipLevel?: number;
}

/**
 * Pages made again after every signature (ResponseCache) are gzipped at zlib's default level: on the
 * campaign page (21 kB) level 9 took 660 µs on this machine's main thread and level 6 440 µs, for
 * 3 bytes more (6,209 against 6,206). At a signature every few milliseconds that is a third less of
 * the time each new signature costs every viewer.
 */
const RENDERED_GZIP_LEVEL = 6;

const weakEtag = (body: Buffer): string => `W/"${createHash('sha1').update(body).digest('base64url')}"`;

/**
 * Prepares a body for sending many times. Everything the response says is computed here, once: the
 * gzipped copy, the ETags, and the full header list (the site's security headers included). Sending it
 * is then one writeHead and one end, with no per-request header work at all, which is what lets the
 * campaign page keep up with a crowd (BENCHMARKS.md).
 */
export function prepareResponse(baseHeaders: HeaderList, body: Buffer, options: PrepareOptions): PreparedResponse {
  const common = [...baseHeaders.flat(), 'Content-Type', options.contentType, 'Cache-Control', options.cacheControl];
  const gzippable = body.length > GZIP_FROM_BYTES && COMPRESSIBLE.test(options.contentType);
  const vary = gzippable ? ['Vary', 'Accept-Encoding'] : [];
  const representation = (bytes: Buffer, etag: string, encoding: string[]): Representation => ({
    body: bytes,
    etag,
    headers: [...common, ...vary, ...encoding, 'ETag', etag, 'Content-Length', String(bytes.length)],
  });
  return {
    plain: representation(body, options.etag, []),
    gzipped: gzippable
      ? representation(gzipSync(body, { level: options.gzipLevel ?? 9 }), options.etag.replace(/"$/, '-gz"'), [
          'Content-Encoding',
          'gzip',
        ])
      : undefined,
  };
}

/** The q-value the client gives a coding in Accept-Encoding ("gzip;q=0.5"), or undefined when not named. */
function quality(accept: string, coding: string): number | undefined {
  for (const part of accept.split(',')) {
    const [name = '', ...params] = part.split(';');
    if (name.trim().toLowerCase() !== coding) continue;
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/i.exec(p)?.[1]).find((v) => v !== undefined);
    return q === undefined ? 1 : Number(q) || 0;
  }
  return undefined;
}

/**
 * Answers for the Accept-Encoding values seen so far. Browsers send a handful of distinct values, so a
 * crowd's header is parsed once rather than on every view; the cap keeps odd clients from growing it.
 */
const gzipAnswers = new Map<string, boolean>();
const GZIP_ANSWERS_KEPT = 256;

/** Whether the client takes gzip over the plain body (RFC 9110 12.5.3; identity is acceptable unless refused). */
export function prefersGzip(accept: string | undefined): boolean {
  if (!accept) return false;
  const known = gzipAnswers.get(accept);
  if (known !== undefined) return known;
  const any = quality(accept, '*');
  const gzip = quality(accept, 'gzip') ?? any ?? 0;
  const identity = quality(accept, 'identity') ?? any ?? 1;
  const answer = gzip > 0 && gzip >= identity;
  if (gzipAnswers.size < GZIP_ANSWERS_KEPT) gzipAnswers.set(accept, answer);
  return answer;
}

/** True when If-None-Match names this ETag (weak comparison) or is "*", so a 304 will do. */
function notModified(req: IncomingMessage, etag: string): boolean {
  const header = req.headers['if-none-match'];
  if (!header) return false;
  // A client asking to bypass caches gets the body, as Express's `fresh` does.
  if (/(?:^|,)\s*no-cache\s*(?:,|$)/.test(req.headers['cache-control'] ?? '')) return false;
  if (header.trim() === '*') return true;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  const wanted = bare(etag);
  return header.split(',').some((tag) => bare(tag) === wanted);
}

/**
 * Sends a prepared response: the gzipped copy when the client takes it, a 304 when it already has this
 * version, headers only for HEAD. Returns the status sent.
 */
export function sendPrepared(req: IncomingMessage, res: ServerResponse, prepared: PreparedResponse): number {
  const chosen = prepared.gzipped && prefersGzip(req.headers['accept-encoding']) ? prepared.gzipped : prepared.plain;
  if (notModified(req, chosen.etag)) {
    const headers: string[] = [];
    for (let i = 0; i < chosen.headers.length; i += 2) {
      const name = chosen.headers[i] as string;
      if (name !== 'Content-Type' && name !== 'Content-Length' && name !== 'Content-Encoding')
        headers.push(name, chosen.headers[i + 1] as string);
    }
    res.writeHead(304, headers);
    res.end();
    return 304;
  }
  res.writeHead(200, chosen.headers);
  // Node sends no body for HEAD by itself; Content-Length still says what GET would send.
  res.end(chosen.body);
  return 200;
}

/**
 * The prepared response for a path when one is ready to send now (nothing to read or render first), or
 * undefined: then the request goes on into Express, which reads, renders or answers it some other way.
 */
export type ReadyPrepared = (path: string, query: string) => PreparedResponse | undefined;

/**
 * Answers a GET or HEAD from a prepared response that is ready, straight from Node's request listener,
 * before Express has touched the request (see frontOf in app.ts). True when it answered. This is the
 * path a crowd takes: the campaign page between changes, its JSON and the static files, with nothing
 * per request but the header checks in sendPrepared and the log line.
 */
export function answerReady(logger: Logger, req: IncomingMessage, res: ServerResponse, ready: ReadyPrepared): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  const prepared = ready(path, query === -1 ? '' : url.slice(query + 1));
  if (!prepared) return false;
  const started = process.hrtime.bigint();
  logRequest(logger, req.method, path, sendPrepared(req, res, prepared), started);
  return true;
}

/** The prepared response for a path (rendering a new one if the kept one is out of date), or undefined when the path is not one of these. */
export type FindPrepared = (
  path: string,
  res: Response,
) => PreparedResponse | Promise<PreparedResponse | undefined> | undefined;

/**
 * GET and HEAD of the paths `find` knows, answered from prepared responses; everything else goes on.
 *
 * Mounted first in the app (see app.ts), ahead of the router, for the requests a crowd makes most:
 * campaign pages, their JSON, static files. A prepared response already carries the security headers, so these
 * need nothing else on the way, and write their own log line. A failure (the database, say) goes the
 * ordinary way to the error page, with the security headers and the log line added here.
 */
export function servePrepared(logger: Logger, securityHeaders: HeaderList, find: FindPrepared): RequestHandler {
  // Not an async function: Express's router chains a promise onto every handler that returns one,
  // and the POSTs that pass by here should not pay for that.
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const path = req.path;
    const started = process.hrtime.bigint();
    const send = (prepared: PreparedResponse | undefined) => {
      if (!prepared) return next();
      logRequest(logger, req.method, path, sendPrepared(req, res, prepared), started);
    };
    const fail = (error: unknown) => {
      if (!res.headersSent) for (const [name, value] of securityHeaders) res.setHeader(name, value);
      res.on('finish', () => logRequest(logger, req.method, path, res.statusCode, started));
      next(error);
    };
    try {
      const found = find(path, res);
      // Static files are found at once; only pages that read the database wait.
      if (found instanceof Promise) found.then(send, fail);
      else send(found);
    } catch (error) {
      fail(error);
    }
  };
}

/**
 * The last prepared body of each public page or feed, reused while nothing it shows has changed.
 *
 * When a campaign goes viral its page is asked for thousands of times a second but changes only when
 * someone signs (and its form token once a second). Rendering it once per change instead of once per
 * view is most of the difference between the app and bare Express (see BENCHMARKS.md). The caller
 * builds `key` from everything variable in the body, so a reused body is always exactly what
 * rendering now would give: a signature changes the count and so the key, and the next view renders.
 * One entry per slot (one per campaign page or feed), so memory stays bounded.
 */
export class ResponseCache {
  /** The copy being made is kept too, so views arriving while it renders wait for it instead of each rendering their own. */
  private readonly entries = new Map<
    string,
    { key: string; prepared: Promise<PreparedResponse>; ready: PreparedResponse | undefined }
  >();
  /** The last copy of each slot that was made successfully, for when the database cannot be read. */
  private readonly lastMade = new Map<string, Promise<PreparedResponse>>();

  /**
   * `maxSlots` bounds a cache whose slots come from requests (a page per `?source=`): past it, the
   * slot made longest ago is forgotten, so odd addresses cannot grow memory without end.
   */
  constructor(
    private readonly baseHeaders: HeaderList,
    private readonly maxSlots = Infinity,
  ) {}

  /**
   * The copy last made successfully for `slot`, whatever it showed, or undefined. For when what the
   * page shows cannot be read (the database locked or failing): a view a few signatures out of date
   * is better than an error page for everyone.
   */
  lastMadeFor(slot: string): Promise<PreparedResponse> | undefined {
    return this.lastMade.get(slot);
  }

  /** The copy for `key` when it is rendered and current, without waiting: for answering before Express. */
  ready(slot: string, key: string): PreparedResponse | undefined {
    const entry = this.entries.get(slot);
    return entry?.key === key ? entry.ready : undefined;
  }

  /** The prepared copy for `key`, made with `produce` when the kept one is out of date. */
  get(
    slot: string,
    key: string,
    options: Omit<PrepareOptions, 'etag'>,
    produce: () => Promise<string>,
  ): Promise<PreparedResponse> {
    const kept = this.entries.get(slot);
    if (kept?.key === key) return kept.prepared;
    const prepared = produce().then((text) => {
      const body = Buffer.from(text);
      return prepareResponse(this.baseHeaders, body, {
        ...options,
        etag: weakEtag(body),
        gzipLevel: RENDERED_GZIP_LEVEL,
      });
    });
    const entry = { key, prepared, ready: undefined as PreparedResponse | undefined };
    if (!kept && this.entries.size >= this.maxSlots) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
      this.lastMade.delete(oldest);
    }
    this.entries.set(slot, entry);
    prepared.then(
      (done) => {
        entry.ready = done;
        // Not for a slot forgotten meanwhile (maxSlots): lastMade stays as bounded as the entries.
        if (this.entries.get(slot) === entry) this.lastMade.set(slot, prepared);
      },
      // A failed render is not kept: the next view tries again.
      () => {
        if (this.entries.get(slot) === entry) this.entries.delete(slot);
      },
    );
    return prepared;
  }
}

/** A view rendered to a string (res.locals and app.locals included, as res.render does), not sent. */
export function renderToString(res: Response, view: string, model: object): Promise<string> {
  return new Promise((resolve, reject) => {
    res.render(view, model, (error: Error | null, html?: string) => (error ? reject(error) : resolve(html ?? '')));
  });
}
