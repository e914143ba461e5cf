/**
 * The one HTTP server on PORT: POST /discord/interactions, POST /slack/events, GET /healthz.
 * Bodies are read raw (signatures are over the exact bytes) and capped; an unexpected error is
 * logged once with a reference id and answered 500 without details.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Logger } from './log.js';

export interface RouteResponse {
  status: number;
  /** JSON-serialised, unless it is a Buffer: then it is the bytes of the JSON already. */
  body?: unknown;
  headers?: Record<string, string>;
}
export type Route = (req: IncomingMessage, body: Buffer) => Promise<RouteResponse>;

/** Interaction payloads are a few KB; anything near this is not one. */
export const MAX_BODY_BYTES = 256 * 1024;

export interface HttpServerOptions {
  routes: Record<string, Route>;
  /** Paths handed to another listener untouched (Bolt's HTTPReceiver verifies and parses its own). */
  rawRoutes?: Record<string, RequestListener>;
  log: Logger;
  isReady: () => boolean;
}

export function createHttpServer(o: HttpServerOptions): Server {
  return createServer((req, res) => {
    const requestId = randomUUID();
    const path = (req.url ?? '/').split('?')[0]!;
    const send = (r: RouteResponse) => {
      if (res.headersSent) return;
      const bytes = Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body === undefined ? '' : JSON.stringify(r.body));
      // Every answer's length is known: a Content-Length instead of chunked framing.
      const headers = { 'content-type': 'application/json', 'content-length': String(bytes.length), 'x-request-id': requestId };
      res.writeHead(r.status, r.headers ? { ...headers, ...r.headers } : headers);
      res.end(bytes);
    };
    if (req.method === 'GET' && path === '/healthz') {
      send(o.isReady() ? { status: 200, body: { ok: true } } : { status: 503, body: { ok: false } });
      return;
    }
    const raw = o.rawRoutes?.[path];
    if (raw) {
      res.setHeader('x-request-id', requestId);
      raw(req, res);
      return;
    }
    const route = req.method === 'POST' ? o.routes[path] : undefined;
    if (!route) {
      req.resume();
      send({ status: o.routes[path] ? 405 : 404, body: { error: 'not found' } });
      return;
    }
    readBody(req, res, (body) => {
      route(req, body).then(send, (e: unknown) => {
        o.log.error({ err: e, requestId, path }, 'request failed');
        send({ status: 500, body: { error: 'internal error', requestId } });
      });
    });
  });
}

/**
 * Reads a request body under MAX_BODY_BYTES; past it, answers 413 and drops the connection
 * without reading the rest. Calls `done` with the body otherwise.
 */
export function readBody(req: IncomingMessage, res: ServerResponse, done: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  req.on('data', (c: Buffer) => {
    if (tooLarge) return;
    size += c.length;
    if (size > MAX_BODY_BYTES) {
      tooLarge = true;
      if (!res.headersSent) {
        res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
        res.end(JSON.stringify({ error: 'body too large' }));
      }
      req.destroy();
      return;
    }
    chunks.push(c);
  });
  req.on('error', () => undefined);
  req.on('end', () => {
    if (!tooLarge) done(Buffer.concat(chunks));
  });
}
